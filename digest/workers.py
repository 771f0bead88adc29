"""Work shared out to a pool of forked processes that die with the build.

The pool is forked when everything the work needs is in memory (the configuration; for
rendering, the whole site model and theme), so every worker starts with it (copy-on-write):
nothing of it is pickled. A worker receives only chunks of small items (file paths, page
positions) and sends back their results, which come out in the order of the items: what is
made is the same whatever the number of workers. Or, ``fresh``, the workers are new
processes and each chunk carries what it needs, pickled: their memory does not grow with
all the build holds.

Forking copies only the thread that forks; in a process running other threads (``digest
serve``'s watcher and HTTP server) a lock one of them holds stays held in the child forever.
That is why only ``digest build`` asks for workers (see :class:`~digest.build.Builder`).
Imports nothing from digest.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

CHUNKS_PER_WORKER = 8
"""Items of one kind sit together (article pages, then listings, which are larger): several
chunks per worker, handed out as workers free up, even the load out."""
MIN_CHUNK = 16
"""With fewer items per chunk, sending the work costs about as much as doing it."""
FRESH_CHUNK = 256
"""The most items in one chunk for new worker processes: each chunk carries its items' data
(an article page its entry), and a worker holds a whole chunk at once, pickled and unpickled.
Chunks of an eighth of a worker's share made a lone worker of 30,000 article pages twice as
large as two (109 MB against 64-75); sending a chunk costs about a millisecond."""

_PR_SET_PDEATHSIG = 1
_job: Callable[[Any], Any] | None = None
"""What a worker does with one item: set in the parent just before the fork."""


def available_cores() -> int:
    """The cores this process may run on (its affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def worker_count(setting: int) -> int:
    """The number of workers ``build.workers`` asks for: 0 means one per available core."""
    return setting if setting > 0 else available_cores()


def worth_a_pool(workers: int, items: int) -> bool:
    """Whether ``items`` are worth forking ``workers`` processes for (at least two chunks)."""
    return workers > 1 and items > MIN_CHUNK


def pool_map(job: Callable[[Any], Any], items: Sequence, workers: int,
             started: Callable[[], None] | None = None, fresh: bool = False) -> Iterator:
    """``job(item)`` for every item, in order, done by ``workers`` forked processes. An
    exception ``job`` raises in a worker is raised here, as it was (after the chunks under
    way end; the others are dropped).

    ``started()``, if given, runs here while the workers work: once every worker is forked
    and all the work handed out, before the first result is awaited. What it starts (a
    thread, a process) is not forked into a worker, and no worker is forked after it.

    ``fresh``: the workers are new processes (multiprocessing's spawn), not forks of this
    one, whose memory would count all of this process's heap again, 400 MB each at 10,000
    articles. Then ``job`` (sent once to each worker) and the items (per chunk) must pickle,
    and carry all the work needs."""
    # Here, not above: a build that replays the last one (nothing changed) forks no pool, and
    # these two were about 9 ms of its 61 under -X importtime.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _job
    size = max(MIN_CHUNK, -(-len(items) // (workers * CHUNKS_PER_WORKER)))
    if fresh:
        size = min(size, FRESH_CHUNK)
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    context: BaseContext
    if fresh:
        context = multiprocessing.get_context("spawn")
        initargs: tuple = (os.getpid(), job)
        # Not copied into the workers, but resident beside them for as long as they run.
        release_freed_memory()
    else:
        context = multiprocessing.get_context("fork")
        initargs = (os.getpid(), None)
        _job = job
        # The collector writes to every object it looks at, which would copy the whole model
        # into each worker page by page: the objects of now are left out of its rounds.
        gc.freeze()
        # A forked worker starts with every page of this process's heap resident, freed ones
        # too (what earlier stages dropped): given back first, they are not counted per worker.
        release_freed_memory()
    pool = ProcessPoolExecutor(min(workers, len(chunks)), mp_context=context,
                               initializer=_start_worker, initargs=initargs)
    try:
        # map submits every chunk at once, and a fork pool forks all its workers at the
        # first submit (a spawn pool one per submit, up to ``workers``); none is added later:
        # from here on this process starts no worker.
        results = pool.map(_run, chunks)
        if started is not None:
            started()
        for done in results:
            yield from done
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if not fresh:
            _job = None
            gc.unfreeze()


def _malloc_trim():
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to do
        return None


_TRIM = _malloc_trim() if sys.platform.startswith("linux") else None


def release_freed_memory() -> None:
    """Give the C heap's free pages back to the system (glibc's ``malloc_trim``; elsewhere
    nothing): glibc keeps what Python frees, so resident memory stays high after a stage or
    a rebuild freed much (a preview session's crept up 13 MB over 300 rebuilds with a flat
    Python heap). Takes well under a millisecond."""
    if _TRIM is not None:
        _TRIM(0)


def _run(chunk: Sequence) -> list:
    assert _job is not None
    return [_job(item) for item in chunk]


def _start_worker(parent: int, job: Callable[[Any], Any] | None) -> None:
    """Make this worker die with the build: killed by the kernel when its parent dies (even
    by ``kill -9``), and deaf to Ctrl-C, which the parent handles for the whole build.
    A fresh (spawned) worker gets its ``job`` here."""
    global _job
    if job is not None:
        _job = job
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with(parent)


def die_with(parent: int) -> None:
    """Have the kernel kill this process when ``parent`` (its parent) dies, even by
    ``kill -9`` (Linux; elsewhere nothing: the pipes closing end it instead); exit now if
    ``parent`` died already, before that could take effect."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Within: SIGTERM (a service manager's stop, ``kill``) raises KeyboardInterrupt, so the
    command ends as after Ctrl-C. Only the main thread can set a handler: elsewhere, nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
