"""The hidden work area beside an output folder, its lock, and the atomic folder swap.

Everything temporary a build makes (the staged site, the previous site after the swap,
per-file temp files, the spool of rendered pages) lives in ``.<output name>.digest/``
beside the output folder: on the same file system, so a rename moves it into place, and
never inside the site or in ``/tmp``. The area holds a ``lock`` file; a build takes an
``fcntl.flock`` on it (released by the kernel when the process dies, even by ``kill -9``)
and, once it holds it, removes whatever an earlier, killed build left there.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import sys
import threading
from pathlib import Path

LOCK_NAME = "lock"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def work_dir(out_dir: Path) -> Path:
    """The work area of ``out_dir``: ``.<name>.digest`` in the folder that holds it."""
    out = Path(os.path.abspath(out_dir))
    return out.parent / f".{out.name}.digest"


class SiteLock:
    """One process's lock on one work area; re-entrant across the process's threads.

    The first :meth:`acquire` opens and locks the file (waiting, and saying so once
    through ``waiting``, if another process holds it) and clears what dead builds left;
    the matching last :meth:`release` unlocks it.
    """

    _all: dict[Path, "SiteLock"] = {}
    _guard = threading.Lock()

    def __init__(self, work: Path) -> None:
        self.work = work
        self._fd: int | None = None
        self._depth = 0
        self._mutex = threading.RLock()

    @classmethod
    def of(cls, out_dir: Path) -> "SiteLock":
        """The process-wide lock of ``out_dir``'s work area."""
        work = work_dir(out_dir)
        with cls._guard:
            return cls._all.setdefault(work, cls(work))

    def acquire(self, waiting=None) -> None:
        """Take the lock; ``waiting(message)`` is called once if another build holds it."""
        self._mutex.acquire()
        self._depth += 1
        if self._depth > 1:
            return
        try:
            self.work.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.work / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if waiting is not None:
                    waiting(f"another digest build is writing {self.work.parent}; waiting for it to finish")
                fcntl.flock(fd, fcntl.LOCK_EX)
            self._fd = fd
            clear(self.work)
        except BaseException:
            self._depth -= 1
            if self._fd is None and "fd" in locals():
                os.close(fd)
            self._mutex.release()
            raise

    def release(self) -> None:
        """Give the lock back (the last release of nested acquires unlocks the file)."""
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None
        self._mutex.release()

    def __enter__(self) -> "SiteLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def clear(work: Path) -> None:
    """Remove everything in ``work`` but the lock."""
    for entry in os.scandir(work):
        if entry.name == LOCK_NAME:
            continue
        remove(Path(entry.path))


def remove(path: Path) -> None:
    """Delete a file or a whole folder (symlinks themselves, never what they point at)."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        pass


def _renameat2():
    """libc's ``renameat2`` (glibc 2.28+), or a stand-in calling syscall 316 on x86_64."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    func = getattr(libc, "renameat2", None)
    if func is not None:
        func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        return func
    if os.uname().machine == "x86_64":
        syscall = libc.syscall
        return lambda *args: syscall(ctypes.c_long(316), *args)
    return None


_exchange_call = _renameat2()


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step; False where the system cannot (then the caller renames)."""
    if _exchange_call is None:
        return False
    result = _exchange_call(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))
