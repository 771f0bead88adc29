"""Rendering pages in several processes at once: a forked pool that dies with the build.

The pool is forked once the site model and theme are complete, so every worker starts with
them already in memory (copy-on-write): nothing of the model is pickled. A worker receives
only chunks of page positions and sends back the pages' bytes, in order, so the output is
the same whatever the number of workers.

Forking copies only the thread that forks; a process running other threads (``digest
serve``'s watcher and HTTP server) may hold a lock a child then waits on forever. That is
why only ``digest build`` asks for workers (see :class:`~digest.build.Builder`).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

CHUNKS_PER_WORKER = 8
"""Pages of one kind sit together (articles, then listings, which are larger): several
chunks per worker, handed out as workers free up, even the load out."""
MIN_CHUNK = 16
"""Fewer pages per chunk and sending the work costs about as much as doing it."""

_PR_SET_PDEATHSIG = 1
_job: Callable[[int], bytes] | None = None
"""What a worker does with one page position: set in the parent just before the fork."""


def available_cores() -> int:
    """The cores this process may run on (its affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def worker_count(setting: int) -> int:
    """The number of workers ``build.workers`` asks for: 0 means one per available core."""
    return setting if setting > 0 else available_cores()


def use_pool(workers: int, pages: int) -> bool:
    """Whether ``pages`` to render are worth forking ``workers`` processes for."""
    return workers > 1 and pages > MIN_CHUNK


def render_many(render: Callable[[int], bytes], todo: Sequence[int], workers: int) -> Iterator[bytes]:
    """``render(i)`` for every ``i`` of ``todo``, in that order, spread over ``workers`` forked
    processes. An exception raised by ``render`` in a worker is raised here, as it was."""
    global _job
    size = max(MIN_CHUNK, -(-len(todo) // (workers * CHUNKS_PER_WORKER)))
    chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
    _job = render
    pool = ProcessPoolExecutor(min(workers, len(chunks)), mp_context=multiprocessing.get_context("fork"),
                               initializer=_start_worker, initargs=(os.getpid(),))
    try:
        for done in pool.map(_run, chunks):
            yield from done
    finally:
        _job = None
        # A failed chunk ends the build: the chunks not yet started are dropped, not rendered.
        pool.shutdown(wait=True, cancel_futures=True)


def _run(chunk: Sequence[int]) -> list[bytes]:
    assert _job is not None
    return [_job(i) for i in chunk]


def _start_worker(parent: int) -> None:
    """Make this worker die with the build: killed by the kernel when its parent dies (even
    by ``kill -9``), and deaf to Ctrl-C, which the parent handles for the whole build."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the pool's pipes closing ends it instead
        pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
