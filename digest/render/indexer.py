"""Pagefind beside the build, driven by processes of their own: records in a file, bundle out in a file.

The build forks its render workers whenever it has many pages to render, and a fork copies
only the forking thread: a thread feeding Pagefind, with its pipes and locks, must not be
running then. So no thread of the build feeds Pagefind. Each job's records are written
to a file in a folder of the build's work area, and a Python process of its own (started
with ``exec``: it copies nothing of the build's memory) feeds them to Pagefind
(:func:`~digest.render.pagefindapi.build_bundle`) and writes the bundle beside them, under a
temporary name renamed once it is whole. The build may start it at any time (an edit's
shard as soon as the site model is made, before anything renders) and read the bundles
when it needs them; meanwhile its own thread renders.

Each job is one language of one shard (Pagefind indexes each language in a process of its
own, so a shard's bundle is its languages' bundles put together; see
:func:`~digest.render.pagefindapi.merged_entry`): an edit of an article's Arabic text
re-indexes the Arabic half of its shard only. The jobs are handed over one at a time, as
the build makes their records, so the build never holds every shard's records at once:
each is written to the folder (under a temporary name, renamed once whole) and dropped,
and the first helper starts before the first job is made (it boots while the records are
made). The jobs wait in the folder as a queue,
in the order given (largest first: :func:`queue_order`); each helper takes the next one (a
rename: only one helper gets it) until none is left and the build has said there are no
more. One helper is started with the run (the render's workers hold the other cores);
:meth:`Run.widen` adds helpers once the pages are rendered, so the last jobs are indexed
side by side and none runs alone on one core at the end.

What is trusted: a bundle file only once its process exited 0; a failed, stopped or timed
out run leaves nothing remembered. A helper dies with the thread that started it (Linux's
parent-death signal) and Pagefind with it (its input closes); the folder is removed when
the bundles are read or the run is stopped, and a folder a killed build left in the work
area is cleared by the next build (:func:`digest.output.workarea.clear`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import NamedTuple, TypeVar

from ..errors import SearchCancelled, SearchUnavailable
from ..workers import available_cores, die_with, release_freed_memory
from .pagefindapi import Record, build_bundle, from_rows, ready, rows

T = TypeVar("T")

_END = "end"
"""The file the build writes in the folder once every job is in the queue."""
FAILED = 3
"""The exit status of a helper whose Pagefind run failed (its reason on stderr)."""
POLL = 0.05
"""How often a wait looks at the cancel event (seconds)."""
WAIT = 0.01
"""How often a helper looks for the next job while the build makes it (seconds): an edit's
job is taken as soon as it is written."""


class Job(NamedTuple):
    """What one helper indexes at a time: one language's records of one shard."""

    name: str
    """Unique in the run: the key of the bundle in :meth:`Run.result`."""
    rows: bytes
    """The records as JSON rows (:func:`~digest.render.pagefindapi.rows`), UTF-8."""


def queue_order(items: Iterable[T], size: Callable[[T], int], name: Callable[[T], str]) -> list[T]:
    """The order helpers take ``items`` in: largest first (ties by name), so the jobs left
    for the end, when helpers finish at different times, are the small ones."""
    return sorted(items, key=lambda item: (-size(item), name(item)))


class Run:
    """Pagefind indexing ``jobs`` in helper processes, with up to ``lanes`` helpers at once
    (at most one per job beyond the first), the first begun before the first job.

    The jobs are taken from the iterable one at a time and written to the queue, so the
    records of only one are in memory at once; the helpers index the first while the next
    are made. :meth:`widen` adds helpers, :meth:`result` waits for the bundles (``{path in
    the bundle: bytes}`` per job name), :meth:`stop` ends the helpers and their Pagefind
    processes. ``folder``: where the records and bundles go (a fresh folder is made in it;
    the system's temporary folder without one)."""

    def __init__(self, jobs: Iterable[Job], folder: Path | None = None, lanes: int = 1,
                 standby: Standby | None = None) -> None:
        self.names: list[str] = []
        adopted = standby.adopt() if standby is not None else None
        self._dir, self._procs = adopted or (_queue(folder), [])
        self._files: dict[str, str] = {}
        try:
            if not self._procs:
                # The first helper boots (Python, its imports) while the first job's records are made.
                self._start()
            for job in jobs:
                number = f"{len(self.names):04d}"
                part = self._dir / (number + ".part")
                part.write_bytes(job.rows)
                os.replace(part, self._dir / (number + ".records"))  # whole before a helper sees it
                self.names.append(job.name)
                self._files[job.name] = number
                self.widen(min(lanes, len(self.names)))
            (self._dir / _END).touch()
        except OSError as exc:  # a full disk, a file size limit: a failed run, the build goes on
            self.stop()
            raise SearchUnavailable(f"cannot hand the records to Pagefind: {exc.strerror or exc}") from None
        except BaseException:
            self.stop()
            raise

    def widen(self, lanes: int | None = None) -> None:
        """Have ``lanes`` helpers (default: one per core) take jobs from the queue, as
        long as some are left in it."""
        wanted = min(lanes or available_cores(), len(self.names))
        while len(self._procs) < wanted and next(self._dir.glob("*.records"), None) is not None:
            self._start()

    def _start(self) -> None:
        """Start one more helper."""
        self._procs.append(_helper(self._dir, len(self._procs)))

    def result(self, timeout: float = 600, cancel: threading.Event | None = None) -> dict[str, dict[str, bytes]]:
        """Each job's bundle, by job name, once every helper exited. Raises
        :class:`SearchCancelled` (the helpers stopped) as soon as ``cancel`` is set, and
        :class:`SearchUnavailable` when a helper failed or ``timeout`` seconds a job passed."""
        deadline = time.monotonic() + timeout * max(1, len(self.names))  # a helper runs even without a job
        try:
            for number, proc in enumerate(self._procs):
                while True:
                    if cancel is not None and cancel.is_set():
                        raise SearchCancelled()
                    try:
                        status = proc.wait(POLL)
                        break
                    except subprocess.TimeoutExpired:
                        if time.monotonic() > deadline:
                            raise SearchUnavailable(f"Pagefind did not finish within {timeout:.0f} s a shard") from None
                if status != 0:
                    raise SearchUnavailable(self._reason(number, status))
            return {name: _read_bundle(self._dir / (self._files[name] + ".bundle")) for name in self.names}
        finally:
            self.stop()

    def stop(self) -> None:
        """End the helpers and their Pagefind processes, if running; remove the folder."""
        _end(self._procs, self._dir)

    def _reason(self, number: int, status: int) -> str:
        try:
            said = (self._dir / f"lane-{number}.err").read_text("utf-8", "replace").strip().splitlines()
        except OSError:
            said = []
        if status == FAILED and said:
            return said[-1]
        return f"Pagefind's helper failed (status {status}){': ' + said[-1] if said else ''}"


class Standby:
    """A helper started before the build knows its jobs, in a queue folder of its own (in
    ``folder``): a :class:`Run` given it adopts both, and its first job is taken at once,
    not once a helper has booted (Python, digest's and Pagefind's modules: ~0.1 s, on an
    edit's way). :meth:`stop` ends it if no run adopted it."""

    def __init__(self, folder: Path | None = None) -> None:
        self._dir = _queue(folder)
        self._proc: subprocess.Popen | None = None
        try:
            self._proc = _helper(self._dir, 0)
        except OSError:  # no helper now: a run starts its own, and says why if it cannot
            shutil.rmtree(self._dir, ignore_errors=True)

    def adopt(self) -> tuple[Path, list[subprocess.Popen]] | None:
        """The queue folder and its helper, for a run, if the helper still waits."""
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        if proc.poll() is not None:
            _end([proc], self._dir)
            return None
        return self._dir, [proc]

    def stop(self) -> None:
        """End the helper unless a run adopted it; remove its folder."""
        if self._proc is not None:
            _end([self._proc], self._dir)
            self._proc = None


def _queue(folder: Path | None) -> Path:
    """A fresh queue folder in ``folder`` (the system's temporary folder without one)."""
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="index-", dir=folder))


def _helper(queue: Path, number: int) -> subprocess.Popen:
    """Start helper ``number`` on the jobs of ``queue`` (its stderr in ``lane-N.err`` there)."""
    with open(queue / f"lane-{number}.err", "wb") as err:
        # A session of its own: stopping it stops its Pagefind processes too.
        return subprocess.Popen(
            [sys.executable, "-c", _BOOT, str(Path(__file__).resolve().parents[2]), str(queue), str(os.getpid())],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)


def _end(procs: Sequence[subprocess.Popen], queue: Path) -> None:
    """Kill the helpers ``procs`` still running, with their Pagefind processes; remove ``queue``."""
    for proc in procs:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            proc.wait()
    shutil.rmtree(queue, ignore_errors=True)


_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from digest.render.indexer import main; main(sys.argv[2:])"
"""The helper's program: the digest that started it, whatever the current folder holds."""


def encoded(records: Sequence[Record]) -> bytes:
    """``records`` as a :class:`Job`'s rows."""
    return json.dumps(rows(records), ensure_ascii=False, separators=(",", ":")).encode()


def _read_records(path: Path) -> tuple[Record, ...]:
    with open(path, encoding="utf-8") as fh:
        found = from_rows(json.load(fh))
    if found is None:
        raise SearchUnavailable(f"{path.name}: not records")
    return found


def _write_bundle(path: Path, files: dict[str, bytes]) -> None:
    """The bundle as one file: a JSON line of ``[path, size]`` pairs, then the files' bytes;
    under a temporary name until it is whole."""
    part = path.with_name(path.name + ".part")
    with open(part, "wb") as fh:
        fh.write(json.dumps([[p, len(d)] for p, d in files.items()]).encode() + b"\n")
        for data in files.values():
            fh.write(data)
    os.replace(part, path)


def _read_bundle(path: Path) -> dict[str, bytes]:
    try:
        with open(path, "rb") as fh:
            listing = json.loads(fh.readline())
            files = {p: fh.read(size) for p, size in listing}
    except (OSError, ValueError) as exc:
        raise SearchUnavailable(f"Pagefind's bundle was not read: {exc}") from None
    if any(len(data) != size for (_, size), data in zip(listing, files.values())):
        raise SearchUnavailable("Pagefind's bundle was cut short")
    return files


def main(argv: Sequence[str]) -> None:
    """The helper: ``FOLDER BUILD_PID``: take the next ``*.records`` of ``FOLDER`` (in name
    order) and index it into ``*.bundle`` until none is left and the build has written all
    it will (:data:`_END`); exit :data:`FAILED` with the reason on stderr when Pagefind fails."""
    die_with(int(argv[1]))  # even by kill -9: nobody would wait for the bundles
    folder = Path(argv[0])
    ready()  # while the build makes the first job
    while True:
        taken = _take(folder)
        if taken is None:
            if not (folder / _END).exists():
                time.sleep(WAIT)  # the build is making the next job's records
                continue
            taken = _take(folder)  # written before the end was: seen now
            if taken is None:
                return
        records = _read_records(taken)
        try:
            files = build_bundle(records, timeout=3600)
        except SearchUnavailable as exc:
            print(exc, file=sys.stderr)
            sys.exit(FAILED)
        _write_bundle(taken.with_suffix(".bundle"), files)
        taken.unlink()
        # A job's records and bundle (tens of MB for a shard) are freed before the next is read,
        # and given back: the helper lives beside the build's peak.
        del records, files
        release_freed_memory()


def _take(folder: Path) -> Path | None:
    """The next job of the queue, taken (renamed, so only one helper gets it); None if none waits."""
    for waiting in sorted(folder.glob("*.records")):
        taken = waiting.with_suffix(".taken")
        try:
            os.rename(waiting, taken)
        except FileNotFoundError:
            continue
        return taken
    return None
