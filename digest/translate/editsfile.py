"""Writing post-edits: one correction saved to, or taken out of, an article's ``name.edits.toml``.

The file is the editor's as much as digest's: it is changed through ``tomlkit``, which keeps
its comments, its order and every entry it does not touch, and written atomically (a
temporary file beside it, then a rename), so a reader sees the old file or the new one. The
correction is keyed as :mod:`digest.translate.postedits` reads it: by the Arabic it translates.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from pathlib import Path

from ..content.cleantext import clean
from .postedits import edits_path, paragraph_key


class EditsFileError(Exception):
    """The edits file cannot be changed (unreadable, malformed, not a plain file); it is left
    as it was."""


def save_post_edit(article_path: Path, arabic: str, english: str | None) -> bool:
    """Set the correction of the Arabic paragraph ``arabic`` to ``english`` in the edits file
    of ``article_path``, or remove it when ``english`` is None. Returns whether the file
    changed (removing a correction that is not there changes nothing).

    An existing entry for the paragraph (any entry whose Arabic has the same key) is updated
    in place; a new one is added at the end. Raises :class:`EditsFileError`."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError
    from tomlkit.items import AoT

    path = edits_path(article_path)
    key = paragraph_key(arabic)
    try:
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise EditsFileError(f"{path}: not a plain file, left as it is")
        text = path.read_bytes().decode("utf-8-sig") if path.exists() else ""
        document = tomlkit.parse(text)
    except (OSError, UnicodeDecodeError, TOMLKitError) as exc:
        raise EditsFileError(f"{path}: cannot be changed: {getattr(exc, 'strerror', None) or exc}") from exc
    entries = document.get("edit")
    if entries is None:
        entries = tomlkit.aot()
        document.append("edit", entries)
    elif not isinstance(entries, list):
        raise EditsFileError(f"{path}: 'edit' is not a list of [[edit]] tables; fix the file first")
    matching = [i for i, entry in enumerate(entries)
                if isinstance(entry, dict) and isinstance(entry.get("arabic"), str)
                and paragraph_key(entry["arabic"]) == key]
    if english is None:
        if not matching:
            return False
        for i in reversed(matching):
            del entries[i]
    else:
        english = " ".join(clean(english).split())
        if matching:
            first = entries[matching[0]]
            if first.get("english") == english:
                return False
            first["english"] = english
        else:
            # [[edit]] tables, or an inline array (edit = [{...}]) written by hand.
            entry = tomlkit.table() if isinstance(entries, AoT) else tomlkit.inline_table()
            entry["arabic"] = " ".join(clean(arabic).split())
            entry["english"] = english
            if len(entries) and isinstance(entries, AoT) and not tomlkit.dumps(document).endswith("\n\n"):
                entries[-1].add(tomlkit.nl())  # a blank line between entries, as people write them
            entries.append(entry)
    text = tomlkit.dumps(document)
    _check(path, text, key, english)
    _write_atomically(path, text.encode("utf-8"))
    return True


def _check(path: Path, text: str, key: str, english: str | None) -> None:
    """Read ``text`` back as the build will: it must parse and hold exactly the change made,
    or nothing is written (a layout the round trip does not handle must not cost the file)."""
    try:
        entries = tomllib.loads(text).get("edit", [])
    except tomllib.TOMLDecodeError as exc:
        raise EditsFileError(f"{path}: not changed: the result would not be valid TOML ({exc})") from exc
    found = [e.get("english") for e in entries if isinstance(e, dict) and isinstance(e.get("arabic"), str)
             and paragraph_key(e["arabic"]) == key]
    if found[:1] != ([english] if english is not None else []):
        raise EditsFileError(f"{path}: not changed: the post-edit did not read back as saved")


def _write_atomically(path: Path, data: bytes) -> None:
    # The temporary name is hidden (a leading dot), so the watcher ignores it; only the
    # rename shows up, as one change of the edits file.
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.chmod(temp, path.stat().st_mode & 0o7777)
        except FileNotFoundError:
            os.chmod(temp, 0o644)
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise EditsFileError(f"{path}: cannot be written: {exc.strerror or exc}") from exc

