"""What the output folder holds, from its manifest, without reading a file back.

A file the manifest lists whose size and modification time on disk are still the recorded
ones holds the recorded SHA-256 (digest wrote it; an editor's change moves its time). A new
build compares its file map with that: when nothing changed it writes nothing, and when a few
files changed it replaces only those, each atomically, rather than staging the whole site
(:mod:`digest.output.stage`).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..render.cache import Kept, Spooled
from .guard import MANIFEST
from .stage import manifest_line, read_manifest

FEW = 0.02
"""Up to this share of the files (and at least :data:`FEW_FLOOR`) changed: replaced in place."""
FEW_FLOOR = 20

_STALE = b"\0digest: not as recorded\0"
"""Stands for a file whose bytes are not the map's (compared by identity, never written)."""


@dataclass
class Verified:
    """The manifest of an output folder, and the part of it the files on disk still match."""

    listed: dict[str, list]
    """Every path the manifest lists: [size, sha256, mtime ns]."""
    good: dict[str, list]
    """Those whose file still has the recorded size and time."""
    foreign: list[str]
    _same: set[str] = field(default_factory=set)
    """The paths :meth:`few_changes` found unchanged."""

    def unchanged(self, rel: str, data: bytes | Kept) -> bool:
        """Whether the folder holds ``data`` at ``rel`` (hashing ``data``, not reading the file)."""
        item = self.good.get(rel)
        if item is None:
            return False
        if isinstance(data, Kept):
            return item[1] == data.sha and item[0] == data.size
        return item[0] == len(data) and item[1] == hashlib.sha256(data).hexdigest()

    def few_changes(self, files: Mapping[str, bytes | Kept]) -> bool:
        """Whether ``files`` differs from the folder in few enough places (none counts) to be
        written in place. A file that changed and is only :class:`Kept` cannot be: staged (a
        :class:`~digest.render.cache.Spooled` one can: its bytes are in the spool)."""
        if not self.listed:
            return False
        limit = max(FEW_FLOOR, int(len(files) * FEW))
        changed = sum(1 for rel in self.listed if rel not in files)
        self._same.clear()
        for rel, data in files.items():
            if self.unchanged(rel, data):
                self._same.add(rel)
                continue
            changed += 1
            if changed > limit or (isinstance(data, Kept) and not isinstance(data, Spooled)):
                return False
        return True

    def known(self, files: Mapping[str, bytes | Kept]) -> dict[str, bytes | Kept]:
        """What the folder holds, as :class:`~digest.output.OutputFolder` remembers a write:
        the map's own value where it is unchanged (after :meth:`few_changes`)."""
        return {rel: files[rel] if rel in self._same else _STALE for rel in self.listed}

    def foreign_now(self, out_dir: Path, files: Mapping[str, bytes | Kept]) -> list[str]:
        """The top-level names in ``out_dir`` digest did not write (files deeper in digest's
        own folders are not looked for: that would list the whole site)."""
        ours = {rel.split("/", 1)[0] for rel in (*files, *self.listed)} | {MANIFEST}
        try:
            return sorted(name for name in os.listdir(out_dir) if name not in ours)
        except OSError:
            return list(self.foreign)

    def lines(self) -> dict[str, str]:
        """The manifest's lines, per path."""
        return {rel: manifest_line(rel, item) for rel, item in self.listed.items()}


def verify(out_dir: Path) -> Verified:
    """The manifest of ``out_dir`` and the files on disk that still match it."""
    listed, foreign = read_manifest(out_dir) if out_dir.is_dir() else ({}, [])
    good: dict[str, list] = {}
    clean: dict[str, list] = {}
    for rel, item in listed.items():
        if not (isinstance(rel, str) and isinstance(item, list) and len(item) == 3 and isinstance(item[0], int)
                and isinstance(item[1], str) and isinstance(item[2], int)):
            continue  # not written by this version: rewritten
        clean[rel] = item
        try:
            st = os.lstat(os.path.join(out_dir, rel))
        except (OSError, ValueError):
            continue
        if stat.S_ISREG(st.st_mode) and st.st_size == item[0] and st.st_mtime_ns == item[2]:
            good[rel] = item
    return Verified(clean, good, foreign)
