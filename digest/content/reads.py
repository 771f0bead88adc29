"""What a long-lived builder last read of each content file, reused while the file's stamp holds.

A content file whose stamp (mtime, size, inode, type) is unchanged gives the same value (its
``Article`` or ``HumanTranslation``) as last time; see :mod:`digest.content.cache` for the
stamp as a trust boundary. With ``keep_last_good`` (serve, watch) a file that turns unreadable
or malformed keeps its last good value, and the problem is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import SourceError
from .parallel import ReadFile
from .problem import Problem
from .stamps import Stamp, file_stamp


class ContentReads:
    """The value each content file gave, by path, for one load after another."""

    def __init__(self, keep_last_good: bool = False) -> None:
        self.keep_last_good = keep_last_good
        self.files: dict[str, ReadFile] = {}
        self.seen: set[str] = set()
        """The files of the current load."""
        self.stale: list[Problem] = []
        """The files of the current load shown as last read (they turned bad)."""
        self._failing: set[str] = set()
        self._unchanged_but: frozenset[str] | None = None
        self._packed: dict[str, ReadFile] = {}

    def begin(self, changed: frozenset[str] | None, packed: dict[str, ReadFile] | None = None) -> None:
        """A load starts. ``changed``: the files changed since the last (None: unknown, each
        file's stamp is looked at); ``packed``: files already made, by path (the article pack's)."""
        self.seen, self.stale = set(), []
        self._unchanged_but = changed if changed is not None and self.files else None
        self._packed = packed or {}

    def end(self) -> None:
        """The load is over: files it did not see are forgotten (a session's memory stays flat)."""
        self._unchanged_but, self._packed = None, {}
        self.files = {p: v for p, v in self.files.items() if p in self.seen}

    def read(self, path: str, read: Callable[[tuple[Stamp, bool]], Any], stamps: dict[str, tuple[Stamp, bool]]
             ) -> Any:
        """``read(stamp)`` the file at ``path``, unless it was made beforehand (:meth:`begin`)
        or its stamp (from ``stamps``, else taken now) is the one it was last read under."""
        self.seen.add(path)
        hit = self._packed.pop(path, None) if self._packed else None
        if hit is not None:
            self.files[path] = hit
            return hit.value
        cached = self.files.get(path)
        hint = self._unchanged_but
        if hint is not None and cached is not None and path not in hint and path not in self._failing:
            return cached.value
        try:
            stamped = stamps.pop(path, None)
            if stamped is None:
                try:
                    stamped = file_stamp(path)
                except OSError as exc:  # deleted between listing and reading
                    raise SourceError(f"cannot be read: {exc.strerror or exc}") from None
            # Inode and type too: a FIFO or another file put in its place with the same
            # size and mtime must be read (and refused), not taken for the old file.
            stamp = stamped[0]
            if cached and cached.stamp == stamp:
                return cached.value
            value = read(stamped)
        except SourceError as exc:
            self._failing.add(path)
            if not (self.keep_last_good and cached):
                raise
            self.stale.append(Problem((Path(path),), f"{exc} (its last good version is still shown)"))
            return cached.value
        self._failing.discard(path)
        self.files[path] = ReadFile(stamp, value)
        return value
