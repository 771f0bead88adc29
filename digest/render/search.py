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

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from ..errors import SearchCancelled, SearchUnavailable
from ..text import fold_arabic

SEARCH_PREFIX = "search-"
"""The search indexer's folder in the output's work area: ``search-<pid>``."""

MARKER = b"data-pagefind-body"
BUNDLE = "pagefind"

_TAG = re.compile(r"(<[^>]*>)")

_memo: list = []
"""``[pages, bundle]`` of the last index built."""


class _Mirror:
    """A folder holding the folded pages Pagefind reads, kept for the whole process.

    In ``digest serve`` the index is made again after every change; only the pages that
    changed are folded and written again (at 1,000 articles, folding, writing and removing
    all 2,000 pages took longer than Pagefind itself). The folder is ``search-<pid>`` in the
    output's work area (:mod:`digest.output.workarea`), never in ``/tmp``: a killed build's folder
    is removed by the next build. If another build removed it meanwhile, it starts afresh.
    """

    def __init__(self) -> None:
        self._root: Path | None = None
        self._identity: tuple[int, int] | None = None
        self.written: dict[str, bytes] = {}
        """Page path -> the page's bytes (before folding) as the folder holds it."""
        self.folders: set[Path] = set()
        """Folders made in it: each is made once (10,000 articles: 40,000 pages, 20,000 folders)."""
        self.lock = threading.Lock()

    def use(self, work: Path) -> Path:
        """The mirror folder in ``work``, made (empty) if it is new or was removed."""
        root = work / f"{SEARCH_PREFIX}{os.getpid()}"
        try:
            st = os.stat(root)
            identity = (st.st_dev, st.st_ino)
        except OSError:
            identity = None
        if root != self._root or identity is None or identity != self._identity:
            if identity is not None:
                shutil.rmtree(root)  # a dead process with our pid left it: not ours
            root.mkdir(parents=True)
            st = os.stat(root)
            self._root, self._identity, self.written = root, (st.st_dev, st.st_ino), {}
            self.folders = set()
        return root

    def release(self) -> None:
        """Remove the folder (the end of a one-off build)."""
        with self.lock:
            if self._root is not None:
                shutil.rmtree(self._root, ignore_errors=True)
            self._root, self._identity, self.written, self.folders = None, None, {}, set()

    def sync(self, pages: dict[str, bytes], cancel: threading.Event | None, work: Path) -> Path:
        """Make the site folder hold exactly ``pages``, folded; return it."""
        site = self.use(work) / "site"
        for rel in [rel for rel in self.written if rel not in pages]:
            del self.written[rel]
            (site / rel).unlink(missing_ok=True)
        for rel, data in pages.items():
            old = self.written.get(rel)
            if old is data or old == data:
                continue
            if cancel is not None and cancel.is_set():
                raise SearchCancelled()
            self.written.pop(rel, None)  # unknown until written whole
            target = site / rel
            try:
                if target.parent not in self.folders:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    self.folders.add(target.parent)
                target.write_text(fold_html(data.decode("utf-8")), encoding="utf-8")
            except OSError as exc:  # a full disk: the site is built without search
                raise SearchUnavailable(f"cannot write {target}: {exc.strerror or exc}") from None
            self.written[rel] = data
        return site


_mirror = _Mirror()


def release() -> None:
    """Remove the search indexer's folder; the next index starts afresh."""
    _mirror.release()


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


def search_files(files: dict[str, bytes], *, work: Path, timeout: float = 600,
                 cancel: threading.Event | None = None) -> dict[str, bytes]:
    """The Pagefind bundle (``pagefind/...``) for the pages in ``files``, made in the work
    area ``work`` (the caller holds its lock).

    Raises :class:`SearchUnavailable` when the binary is missing or fails, and
    :class:`SearchCancelled` (Pagefind stopped) as soon as ``cancel`` is set. The result is
    remembered for identical input, so a rebuild that changed no article skips Pagefind.
    """
    pages = {p: d for p, d in files.items() if p.endswith(".html") and MARKER in d}
    if not pages:  # no article yet: nothing to index (Pagefind would fail on an empty site)
        return {}
    if _memo and _memo[0] == pages:  # bytes objects compare by identity first: cheap
        return dict(_memo[1])
    exe = executable()
    if exe is None:
        raise SearchUnavailable("Pagefind is not installed (pip install 'pagefind[extended]')")
    with _mirror.lock:
        site = _mirror.sync(pages, cancel, Path(work))
        with tempfile.TemporaryDirectory(prefix="bundle-", dir=site.parent) as bundle_dir:
            bundle = Path(bundle_dir)
            cmd = [str(exe), "--site", str(site), "--output-path", str(bundle), "--silent"]
            returncode, output = _run(cmd, timeout, cancel)
            if returncode != 0:
                detail = output.strip().splitlines()[-1:] or ["no output"]
                raise SearchUnavailable(f"Pagefind failed ({returncode}): {detail[0]}")
            out = {
                f"{BUNDLE}/{path.relative_to(bundle).as_posix()}": path.read_bytes()
                for path in sorted(bundle.rglob("*")) if path.is_file()
            }
    entry = f"{BUNDLE}/pagefind-entry.json"
    if entry in out:
        # Pagefind lists languages in hash-map order; sorted, an unchanged site writes nothing.
        data = json.loads(out[entry])
        out[entry] = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    _memo[:] = [pages, out]
    return dict(out)


def _run(cmd: list[str], timeout: float, cancel: threading.Event | None) -> tuple[int, str]:
    """Run Pagefind; stop it when ``cancel`` is set or ``timeout`` passes."""
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    except OSError as exc:
        raise SearchUnavailable(f"Pagefind could not run: {exc}") from None
    deadline = time.monotonic() + timeout
    while True:
        try:
            output, _ = proc.communicate(timeout=0.05)
            return proc.returncode, output
        except subprocess.TimeoutExpired:
            cancelled = cancel is not None and cancel.is_set()
            if cancelled or time.monotonic() > deadline:
                proc.kill()
                proc.communicate()
                if cancelled:
                    raise SearchCancelled() from None
                raise SearchUnavailable(f"Pagefind did not finish within {timeout:.0f} s") from None
