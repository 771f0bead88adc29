"""Client-side search: a Pagefind index built from the rendered file map.

Only pages marked ``data-pagefind-body`` (the single-language article pages) are indexed;
Pagefind keeps one index per ``<html lang>``, so a reader on an Arabic page searches the
Arabic text and a reader on an English page the English. The HTML handed to Pagefind is a
copy with Arabic text folded (diacritics and tatweel dropped, أ/إ/آ/ٱ -> ا, ة -> ه,
ى -> ي); ``static/search.js`` folds the reader's query the same way, so the two match
whatever spelling either side used. The published pages keep their original text.

A missing Pagefind binary or a failing run is a warning: the site is built without search.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import tempfile
from pathlib import Path

MARKER = b"data-pagefind-body"
BUNDLE = "pagefind"

_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي"})
_TAG = re.compile(r"(<[^>]*>)")

_memo: dict[str, dict[str, bytes]] = {}


class SearchUnavailable(Exception):
    """Pagefind is not installed or could not build an index."""


def fold_arabic(text: str) -> str:
    """Arabic text as the index stores it: no diacritics or tatweel, alef/teh/yeh folded."""
    return _DIACRITICS.sub("", text).translate(_FOLD)


def fold_html(html: str) -> str:
    """``html`` with :func:`fold_arabic` applied to text between tags (attributes untouched)."""
    return "".join(part if part.startswith("<") else fold_arabic(part) for part in _TAG.split(html))


def executable() -> Path | None:
    """The Pagefind binary from the ``pagefind[extended]`` package or ``PATH``, if any."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    found = get_executable()
    return found if found and Path(found).exists() else None


def search_files(files: dict[str, bytes], timeout: float = 120) -> dict[str, bytes]:
    """The Pagefind bundle (``pagefind/...``) for the pages in ``files``.

    Raises :class:`SearchUnavailable` when the binary is missing or fails. The result is
    remembered for identical input, so a rebuild that changed no article skips Pagefind.
    """
    pages = {p: d for p, d in files.items() if p.endswith(".html") and MARKER in d}
    key = hashlib.sha256(b"".join(p.encode() + b"\0" + d for p, d in sorted(pages.items()))).hexdigest()
    if key in _memo:
        return dict(_memo[key])
    exe = executable()
    if exe is None:
        raise SearchUnavailable("Pagefind is not installed (pip install 'pagefind[extended]')")
    with tempfile.TemporaryDirectory(prefix="digest-search-") as tmp:
        root = Path(tmp)
        for rel, data in pages.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(fold_html(data.decode("utf-8")), encoding="utf-8")
        cmd = [str(exe), "--site", str(root), "--output-subdir", BUNDLE, "--silent"]
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SearchUnavailable(f"Pagefind could not run: {exc}") from None
        if run.returncode != 0:
            detail = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["no output"]
            raise SearchUnavailable(f"Pagefind failed ({run.returncode}): {detail[0]}")
        bundle = root / BUNDLE
        out = {
            f"{BUNDLE}/{path.relative_to(bundle).as_posix()}": path.read_bytes()
            for path in sorted(bundle.rglob("*")) if path.is_file()
        }
    entry = f"{BUNDLE}/pagefind-entry.json"
    if entry in out:
        # Pagefind lists languages in hash-map order; sorted, an unchanged site writes nothing.
        data = json.loads(out[entry])
        out[entry] = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    _memo.clear()
    _memo[key] = out
    return dict(out)
