"""File stamps: what a build trusts of a file without reading it.

A stamp is a file's mtime in nanoseconds, size, inode and type, taken from its status: the
whole-build memo (:mod:`digest.output.memo`), the in-memory builder and the build store's
:data:`STAMPS` table (stamp -> hash of the text read under it) all trust it. The store's entry
names its own key beside the hash, so an entry moved to another row (another file's, or this
file's under an older stamp) is not taken for that row; an entry that is not one this version
writes is ignored, and the file read.
"""

from __future__ import annotations

import os
import re
import stat

from .store import cache_key

STAMPS = "stamps"
"""The build store's table of file stamp -> hash of the text read under it (see :func:`stamp_value`)."""
_HASH = re.compile(r"[0-9a-f]{64}")

Stamp = tuple[int, int, int, int]


def stamp_key(kind: str, reading: str, path: str, stamp: Stamp) -> str:
    """The :data:`STAMPS` key of the ``kind`` file at ``path`` read under ``reading`` (the
    settings that shape its parsing) with ``stamp``."""
    return cache_key("stamp", kind, reading, path, *map(str, stamp))


def stamp_value(note: str, digest: str) -> str:
    """The :data:`STAMPS` entry under ``note`` for a text hashed ``digest``: the hash, then the
    key itself, so that :func:`stamped_digest` can tell the entry was written for that key."""
    return f"{digest} {note}"


def stamped_digest(note: str, value: object) -> str | None:
    """The text hash in ``value``, the :data:`STAMPS` entry found under ``note``; None when it is
    not an entry this version writes for that key (corrupt, foreign, or another row's)."""
    if not isinstance(value, str) or len(value) != 65 + len(note) or not value.endswith(note):
        return None
    digest = value[:64]
    return digest if value[64] == " " and _HASH.fullmatch(digest) else None


def stamp_of(st: os.stat_result) -> Stamp:
    """A file's stamp from its status: mtime in ns, size, inode and type (what the whole-build
    memo, the in-memory builder and the stamp table all trust)."""
    return (st.st_mtime_ns, st.st_size, st.st_ino, stat.S_IFMT(st.st_mode))


def plain_stamps(stamps: dict[str, tuple]) -> dict[str, tuple[Stamp, bool]]:
    """:func:`file_stamp` of each file in ``stamps`` (path -> :func:`stamp_of` its ``lstat``,
    with ``path + "\\0target"`` -> its target's for a symbolic link, as the whole-build memo
    takes them); what is not a file's stamp is left out."""
    found = {}
    for path, stamp in stamps.items():
        if len(stamp) != 4 or "\0" in path:
            continue
        target = stamps.get(path + "\0target")
        if target is not None and len(target) == 4:
            found[path] = (target, False)
        elif target is None:
            found[path] = (stamp, stamp[3] == stat.S_IFREG)
    return found


def file_stamp(path: str) -> tuple[Stamp, bool]:
    """The stamp of the file at ``path`` (of its target for a symbolic link), and whether it
    is a regular file reached without a link: the only kind whose stamp stands for its text.
    Raises :class:`OSError`."""
    st = os.lstat(path)
    plain = stat.S_ISREG(st.st_mode)
    if stat.S_ISLNK(st.st_mode):
        st = os.stat(path)
    return stamp_of(st), plain
