"""Reading one content file without following it out of the content folder or hanging on it.

Editors' folders hold more than text: a symbolic link to ``/etc/passwd`` would publish it, one
to ``/dev/zero`` would read until memory runs out, and ``open()`` on a FIFO waits forever for
a writer. So a file is looked at before it is opened, opened so that it cannot block, looked
at again through the open descriptor (it may have been swapped in between), and read only up
to a size limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..config import DEFAULT_MAX_FILE_BYTES as DEFAULT_LIMIT

_CHUNK = 1 << 20


class UnsafeFile(Exception):
    """A file that was not read; the message says why (no file name: the caller adds it)."""


def kind_of(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    for test, name in ((stat.S_ISFIFO, "named pipe (FIFO)"), (stat.S_ISSOCK, "socket"),
                       (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"),
                       (stat.S_ISDIR, "folder")):
        if test(mode):
            return name
    return "special file"


def is_inside(path: str, folder: str) -> bool:
    """True if ``path`` is ``folder`` or below it (both already resolved)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def outside(path: str | Path, within: str | Path | None) -> str | None:
    """Where ``path`` really is, if it goes through a symbolic link and ends outside ``within``.

    A path without any link is left alone (it may be a file a test or tool named directly);
    None means the path may be read.
    """
    if within is None:
        return None
    real = os.path.realpath(path)
    if real == os.path.abspath(path):
        return None
    return None if is_inside(real, os.path.realpath(within)) else real


def read_limited(path: str | Path, within: str | Path | None = None,
                 limit: int = DEFAULT_LIMIT) -> tuple[bytes, os.stat_result]:
    """The bytes of the regular file at ``path`` and its status, read safely.

    Refused with :class:`UnsafeFile`: a path through a symbolic link that resolves outside
    ``within`` (the content folder), anything but a regular file (FIFO, socket, device,
    folder), and a file over ``limit`` bytes. Never reads more than ``limit + 1`` bytes and
    never blocks on open. Other failures raise :class:`OSError`.
    """
    target = outside(path, within)
    if target is not None:
        raise UnsafeFile(f"is a symbolic link to {target}, outside the content folder: not read")
    try:
        before = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise UnsafeFile("is a broken symbolic link (its target does not exist)") from None
        raise
    _check(before, limit)
    # O_NONBLOCK: should a FIFO be swapped in after the stat, opening it still returns.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        opened = os.fstat(fd)
        _check(opened, limit)
        if (opened.st_dev, opened.st_ino) != (before.st_dev, before.st_ino):
            raise UnsafeFile("was replaced while being read: try again")
        os.set_blocking(fd, True)
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    if total > limit:
        raise UnsafeFile(f"grew over the size limit of {limit} bytes while being read: not read")
    return b"".join(chunks), opened


def _check(st: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeFile(f"is a {kind_of(st.st_mode)}, not a regular file: not read")
    if st.st_size > limit:
        raise UnsafeFile(f"is {st.st_size} bytes, over the limit of {limit} "
                         "(text.max_file_bytes in digest.toml): not read")
