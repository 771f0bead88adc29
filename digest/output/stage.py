"""A whole site staged beside the output folder and swapped in at once, and its manifest.

The manifest, ``.digest-manifest.json`` at the top of the site, is both digest's marker (a
folder holding one was made by digest) and the list of what digest wrote there: for each
path its size, SHA-256 and modification time::

    {"format": "digest-site", "version": 1,
     "files": {"index.html": [1234, "<sha256 hex>", <mtime ns>], ...},
     "foreign": ["CNAME", ".git"]}

Only paths it lists are ever left out of a new site; everything else in the folder
(``foreign``: a host's CNAME, a ``.git``...) is carried into it by hard links. A page whose
size and hash are unchanged and whose file still has the recorded size and time is
hard-linked from the old site rather than written (its time is kept), so no old file is
read back.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from collections.abc import Mapping
from pathlib import Path

from ..render.kept import Kept, Spooled
from ..render.spool import SPOOL, spooled_name
from .guard import MANIFEST
from .workarea import exchange, remove

FORMAT = "digest-site"
VERSION = 1
_text = json.encoder.encode_basestring
_ascii = json.encoder.encode_basestring_ascii


class StageError(Exception):
    """Writing the staged site failed (full disk, file too large...): ``path`` and why."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(f"cannot write {path}: {reason}")


def read_manifest(out_dir: Path) -> tuple[dict[str, list], list[str]]:
    """The files and foreign names recorded in ``out_dir``'s manifest ({} and [] if none)."""
    files, foreign, _ = read_manifest_lines(out_dir)
    return files, foreign


def read_manifest_lines(out_dir: Path) -> tuple[dict[str, list], list[str], list[str] | None]:
    """:func:`read_manifest`, with the text of each file's entry, in order, as
    :func:`manifest_bytes` wrote it (None if the text is not laid out so)."""
    try:
        text = (out_dir / MANIFEST).read_bytes()
        data = json.loads(text)
        if data.get("format") == FORMAT and data.get("version") == VERSION:
            files = dict(data["files"])
            head, _, body = text.decode().partition('"files":{\n')
            lines = body.removesuffix("\n}}\n").split(",\n") if body.endswith("\n}}\n") and files else None
            return files, list(data.get("foreign", [])), lines if lines and len(lines) == len(files) else None
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        pass
    return {}, [], None


def manifest_line(rel: str, item: list) -> str:
    """One path's entry in the manifest's text (kept per path, so an edit in ``digest
    serve`` joins the lines again rather than encoding 10,000 entries)."""
    sha = item[1]
    # The encoders json.dumps ends in for a string, without the encoder object it makes per
    # call (``ensure_ascii=False``): 55,000 lines at 10,000 articles.
    return f"{_text(rel)}:[{item[0]},{_ascii(sha) if type(sha) is str else json.dumps(sha)},{item[2]}]"


def manifest_bytes(lines, foreign: list[str]) -> bytes:
    """The manifest's text from its :func:`manifest_line` lines."""
    head = json.dumps({"format": FORMAT, "version": VERSION, "foreign": foreign}, ensure_ascii=False)
    return (head[:-1] + ',"files":{\n' + ",\n".join(lines) + "\n}}\n").encode()


def entry(data: bytes | Kept, path: str | Path) -> list:
    """The manifest entry of ``data`` just written (or moved from the spool) at ``path``."""
    if isinstance(data, Kept):
        return [data.size, data.sha, os.stat(path).st_mtime_ns]
    return [len(data), hashlib.sha256(data).hexdigest(), os.stat(path).st_mtime_ns]


def unspool(work: str | Path, data: bytes | Kept, target: str | Path) -> bool:
    """Move a :class:`Spooled` page from ``work``'s spool to ``target``; False if it is not
    there (a record of an earlier build, now in the output folder)."""
    if not isinstance(data, Spooled):
        return False
    try:
        os.replace(os.path.join(work, SPOOL, spooled_name(data.path)), target)
    except FileNotFoundError:
        return False
    return True


def stage_site(files: Mapping[str, bytes | Kept], out_dir: Path,
               work: Path) -> tuple[list[str], list[str], list[str], dict]:
    """Stage ``files`` in ``work`` and swap them in as ``out_dir``.

    A :class:`Spooled` page is moved in from ``work``'s spool.
    Returns (written, removed, foreign top-level names, manifest lines by path). Raises
    :class:`StageError` on a write error, with the old site left in place and the stage gone.
    """
    old, _ = read_manifest(out_dir) if out_dir.is_dir() else ({}, [])
    stage = work / "stage"
    remove(stage)
    written: list[str] = []
    manifest: dict[str, list] = {}
    where: str | Path = stage
    # Paths as text: the map's paths are checked and normal (OutputFolder), and joining them
    # so costs a fraction of pathlib's (55,000 files at 10,000 articles).
    staged, last_site = os.fspath(stage), os.fspath(out_dir)
    try:
        stage.mkdir()
        made = {""}  # folders of the stage, relative to it
        for rel in sorted(files):
            data = files[rel]
            target = where = f"{staged}/{rel}"
            folder = rel.rpartition("/")[0]
            if folder not in made:
                # Top down, each folder once: mkdir(parents=True) first fails on the deepest
                # one (10,000 articles: 114,182 calls for 20,000-odd folders).
                cut = rel.find("/")
                while cut != -1:
                    part = rel[:cut]
                    if part not in made:
                        os.mkdir(f"{staged}/{part}")
                        made.add(part)
                    cut = rel.find("/", cut + 1)
            last = old.get(rel)
            if last is not None and _link_unchanged(f"{last_site}/{rel}", target, data, last):
                manifest[rel] = last
                continue
            if not unspool(work, data, target):
                if isinstance(data, Kept):
                    data = _kept_bytes(out_dir / rel, data)
                with open(target, "xb") as fh:
                    fh.write(data)
            written.append(rel)
            manifest[rel] = entry(data, target)
        foreign = _carry(out_dir, stage, set(files) | set(old) | {MANIFEST}) if out_dir.is_dir() else []
        where = stage / MANIFEST
        lines = {rel: manifest_line(rel, item) for rel, item in manifest.items()}
        where.write_bytes(manifest_bytes(lines.values(), foreign))
        where = out_dir
        _swap(stage, out_dir, work)
    except OSError as exc:
        remove(stage)
        remove(work / SPOOL)
        raise StageError(_shown(Path(where), stage, out_dir), exc.strerror or str(exc)) from None
    remove(work / SPOOL)  # what is left: pages unchanged, linked from the old site
    removed = sorted(rel for rel in old if rel not in files)
    return written, removed, foreign, lines


def _link_unchanged(src: str, target: str, data: bytes | Kept, last: list | None) -> bool:
    """Hard-link ``src`` as ``target`` if the manifest and the file show it holds ``data``."""
    size = data.size if isinstance(data, Kept) else len(data)
    if last is None or last[0] != size:
        return False
    try:
        st = os.lstat(src)
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode) or st.st_size != last[0] or st.st_mtime_ns != last[2]:
        return False
    if (data.sha if isinstance(data, Kept) else hashlib.sha256(data).hexdigest()) != last[1]:
        return False
    try:
        os.link(src, target)
    except OSError:
        return False
    return True


def _kept_bytes(src: Path, kept: Kept) -> bytes:
    """The bytes of a file taken as it is on disk but not linked (a system without hard
    links): read back and checked against its hash."""
    data = src.read_bytes()
    if hashlib.sha256(data).hexdigest() != kept.sha:
        raise OSError(f"{src} changed during the build; build again")
    return data


def _carry(out_dir: Path, stage: Path, digest_paths: set[str]) -> list[str]:
    """Hard-link into ``stage`` every file of ``out_dir`` digest did not write; return
    the top-level names carried."""
    top: set[str] = set()
    digest_dirs = {rel[:i] for rel in digest_paths for i in range(len(rel)) if rel[i] == "/"}
    for dirpath, dirnames, filenames in os.walk(out_dir):
        rel_dir = os.path.relpath(dirpath, out_dir)
        prefix = "" if rel_dir == "." else rel_dir + "/"
        folders = set(dirnames)
        for name in dirnames + filenames:
            rel = prefix + name
            src = Path(dirpath) / name
            is_dir = name in folders and not os.path.islink(src)
            if rel in digest_paths or (is_dir and rel in digest_dirs):
                continue
            dst = stage / rel
            if dst.exists() or dst.is_symlink() or not dst.parent.is_dir():
                continue  # digest now writes a page (or a folder) at that very place
            top.add(rel.split("/")[0])
            if is_dir:
                dst.mkdir()
                shutil.copystat(src, dst, follow_symlinks=False)
            elif os.path.islink(src):
                os.symlink(os.readlink(src), dst)
            else:
                try:
                    os.link(src, dst, follow_symlinks=False)
                except PermissionError:
                    shutil.copy2(src, dst, follow_symlinks=False)
    return sorted(top)


def _swap(stage: Path, out_dir: Path, work: Path) -> None:
    """Put ``stage`` in the place of ``out_dir`` in one rename (two where the system has no
    exchange), then remove the old site."""
    try:
        mode = stat.S_IMODE(os.stat(out_dir).st_mode)
    except FileNotFoundError:
        os.rename(stage, out_dir)
        return
    os.chmod(stage, mode)
    if exchange(stage, out_dir):
        remove(stage)  # now the old site
        return
    old = work / "old"
    os.rename(out_dir, old)
    os.rename(stage, out_dir)
    remove(old)


def _shown(where: Path, stage: Path, out_dir: Path) -> Path:
    """The path to name in an error: inside the output folder, not the stage."""
    try:
        return out_dir / where.relative_to(stage)
    except ValueError:
        return where
