"""What the output folder holds, from its manifest, without reading a file back.

A file the manifest lists whose size and modification time on disk are still the recorded
ones holds the recorded SHA-256 (digest wrote it; an editor's change moves its time). A new
build compares its file map with that: when nothing changed it writes nothing, and when a few
files changed it replaces only those, each atomically, rather than staging the whole site
(:mod:`digest.output.stage`).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import signal
import stat
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..render.kept import Kept, Spooled
from ..workers import die_with
from .guard import MANIFEST, plain_path
from .stage import manifest_line, read_manifest_lines

FEW = 0.02
"""Up to this share of the files (and at least :data:`FEW_FLOOR`) changed: replaced in place."""
FEW_FLOOR = 20


def few(count: int) -> int:
    """How many of a map of ``count`` files may differ from the folder to be written in place."""
    return max(FEW_FLOOR, int(count * FEW))


@dataclass
class Verified:
    """The manifest of an output folder, and the part of it the files on disk still match."""

    listed: dict[str, list]
    """Every path the manifest lists: [size, sha256, mtime ns]."""
    good: dict[str, list]
    """Those whose file still has the recorded size and time."""
    foreign: list[str]
    text: list[str] | None = None
    """Each listed path's line of the manifest's text, in order (None: not known)."""

    def unchanged(self, rel: str, data: bytes | Kept) -> bool:
        """Whether the folder holds ``data`` at ``rel`` (hashing ``data``, not reading the file)."""
        item = self.good.get(rel)
        if item is None:
            return False
        if isinstance(data, Kept):
            return item[1] == data.sha and item[0] == data.size
        return item[0] == len(data) and item[1] == hashlib.sha256(data).hexdigest()

    def changes(self, files: Mapping[str, bytes | Kept], known: int | None = None, limit: int | None = None
                ) -> list[str] | None:
        """The paths of ``files`` the folder does not hold as they are, if few enough (none
        counts) to be written in place; None otherwise. A file that changed and is only
        :class:`Kept` cannot be: staged (a :class:`~digest.render.cache.Spooled` one can:
        its bytes are in the spool). ``known``: how many paths of ``files`` the manifest
        lists, if the caller counted them; ``limit``: at most how many may differ (default:
        :data:`FEW` of them, less the listed paths ``files`` lacks)."""
        listed, good = self.listed, self.good
        if not listed:
            return None
        if limit is None:
            gone = len(listed) - (sum(1 for rel in files if rel in listed) if known is None else known)
            limit = few(len(files)) - gone
        changed: list[str] = []
        for rel, data in files.items():
            item = good.get(rel)
            if item is not None:
                if type(data) is Kept:  # the commonest: a page the render found on disk
                    if item[1] == data.sha and item[0] == data.size:
                        continue
                elif self.unchanged(rel, data):
                    continue
            if isinstance(data, Kept) and not isinstance(data, Spooled):
                return None
            changed.append(rel)
            if len(changed) > limit:
                return None
        return changed

    def few_changes(self, files: Mapping[str, bytes | Kept]) -> bool:
        """Whether ``files`` differs from the folder in few enough places to be written in
        place (:meth:`changes`)."""
        return self.changes(files) is not None

    def foreign_now(self, out_dir: Path, ours: Callable[[str], bool]) -> list[str]:
        """The top-level names in ``out_dir`` digest did not write, ``ours(name)`` saying
        which it did (files deeper in digest's own folders are not looked for: that would
        list the whole site)."""
        try:
            return sorted(name for name in os.listdir(out_dir) if name != MANIFEST and not ours(name))
        except OSError:
            return list(self.foreign)

    def lines(self) -> dict[str, str]:
        """The manifest's lines, per path: as read, where each is the entry of its path."""
        if self.text is not None and len(self.text) == len(self.listed):
            lines = dict(zip(self.listed, self.text))
            # A line holding another entry than its path's (a manifest edited by hand) is made again.
            if all(line.startswith(f'"{rel}":[') for rel, line in lines.items()):
                return lines
        return {rel: manifest_line(rel, item) for rel, item in self.listed.items()}


class OnDisk(Mapping[str, str]):
    """Path -> SHA-256 of the files an output folder holds as its manifest says, worked out
    (``make``) on first use: the child's answer (:class:`Looking`) is read and turned into
    this (~0.08 s at 10,000 articles) once a page or a kept search part asks, not before
    an edit's shard is handed to Pagefind."""

    def __init__(self, make: Callable[[], dict[str, str]]) -> None:
        self._make: Callable[[], dict[str, str]] | None = make
        self._data: dict[str, str] = {}

    def _got(self) -> dict[str, str]:
        if self._make is not None:
            self._data, self._make = self._make(), None
            self.get = self._data.get  # type: ignore[method-assign,assignment]  # the dict's own: fast
        return self._data

    def __getitem__(self, rel: str) -> str:
        return self._got()[rel]

    def get(self, rel: str, default=None):
        return self._got().get(rel, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._got())

    def __len__(self) -> int:
        return len(self._got())


def verify(out_dir: Path) -> Verified:
    """The manifest of ``out_dir`` and the files on disk that still match it.

    Each listed file is ``lstat``-ed once: one with the recorded size and modification time
    (a regular file) is taken to hold the recorded SHA-256, as digest left it, since writing
    it moves its time; nothing is read back. An entry this version would not write (a path
    leaving the folder, other types) is left out, as if not listed: never deleted, never kept.
    """
    listed, foreign, text = _manifest(out_dir)
    return _verified(listed, foreign, text, _marks(out_dir, listed))


class Looking:
    """:func:`verify` begun: the manifest read and its files ``lstat``-ed by a forked child
    while the build goes on; :meth:`result` is what :func:`verify` would have said here.

    Reading the manifest (55,000 entries at 10,000 articles: ~0.1 s) and 55,000 ``lstat``
    calls (~0.15 s) are on the way of everything a build does next. A thread would not do:
    beside the build's own CPU work it waits for the interpreter's lock after every call.
    The child is forked (cheap: the build has read little yet) only from a process running
    one thread; it hands back the parsed manifest and one mark per entry (:func:`_marks`) in
    ``marshal``'s format, a third of the JSON's reading time. Anything amiss with it (a
    failed fork, a short answer, a status not 0) makes :meth:`result` verify in this
    process instead.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self._pid, self._pipe = -1, -1
        self._done: Verified | None = None
        if not (out_dir / MANIFEST).is_file() or threading.active_count() != 1 or not hasattr(os, "fork"):
            return
        parent = os.getpid()
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the child: read, lstat, answer, exit (nothing of the build's runs here)
            status = 1
            try:
                os.close(read)
                die_with(parent)
                listed, foreign, text = _manifest(out_dir)
                answer = memoryview(marshal.dumps((listed, foreign, text, _marks(out_dir, listed))))
                while answer:
                    answer = answer[os.write(write, answer):]
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self._pid, self._pipe = pid, read

    def result(self) -> Verified:
        """The folder's :class:`Verified`, once the child answered (or checked here)."""
        if self._done is None:
            answer = self._answer()
            try:
                if answer is None:
                    raise ValueError("no answer")
                listed, foreign, text, marks = marshal.loads(answer)
                if len(marks) != len(listed):
                    raise ValueError("not a mark per entry")
            except (EOFError, ValueError, TypeError):
                self._done = verify(self.out_dir)
            else:
                self._done = _verified(listed, foreign, text, marks)
        return self._done

    def _answer(self) -> bytes | None:
        """The child's answer, None if it failed; the child is waited for."""
        if self._pid < 0:
            return None
        chunks = []
        try:
            while chunk := os.read(self._pipe, 1 << 20):
                chunks.append(chunk)
        finally:
            os.close(self._pipe)
            status = os.waitpid(self._pid, 0)[1]
            self._pid = -1
        return b"".join(chunks) if status == 0 else None

    def drop(self) -> None:
        """Stop the child if it still runs (the build ended without the answer)."""
        if self._pid >= 0:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._answer()


def _manifest(out_dir: Path) -> tuple[dict[str, list], list[str], list[str] | None]:
    return read_manifest_lines(out_dir) if out_dir.is_dir() else ({}, [], None)


_NOT_OURS, _CHANGED, _GOOD = 0, 1, 2
"""A mark per manifest entry: not one this version writes, changed or gone on disk, as recorded."""


def _marks(out_dir: Path, listed: dict[str, list]) -> bytes:
    """One mark per entry of ``listed``, in its order (see :func:`verify`)."""
    marks = bytearray(len(listed))
    folder = -1
    try:
        # Paths looked up from the folder itself: the way to it is walked once, not per file.
        folder = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY) if listed else -1
    except OSError:
        return bytes(marks)
    lstat, regular = os.lstat, stat.S_ISREG
    try:
        for i, (rel, item) in enumerate(listed.items()):
            if type(item) is not list or len(item) != 3 or not plain_path(rel):
                continue  # not written by this version: rewritten
            size, sha, mtime = item
            if type(size) is not int or type(sha) is not str or type(mtime) is not int:
                continue
            marks[i] = _CHANGED
            try:
                st = lstat(rel, dir_fd=folder)
            except (OSError, ValueError):
                continue
            if st.st_mtime_ns == mtime and st.st_size == size and regular(st.st_mode):
                marks[i] = _GOOD
    finally:
        if folder >= 0:
            os.close(folder)
    return bytes(marks)


def _verified(listed: dict[str, list], foreign: list[str], text: list[str] | None, marks: bytes) -> Verified:
    clean = {rel: item for (rel, item), mark in zip(listed.items(), marks) if mark}
    good = {rel: item for (rel, item), mark in zip(listed.items(), marks) if mark == _GOOD}
    return Verified(clean, good, foreign, text if len(clean) == len(listed) else None)
