"""Pagefind beside the build, driven by processes of their own: records in a file, bundle out in a file.

The build forks its render workers whenever it has many pages to render, and a fork copies
only the forking thread: a thread feeding Pagefind, with its pipes and locks, must not be
running then. So no thread of the build feeds Pagefind. Each shard's records are written
to a file in a folder of the build's work area, and a Python process of its own (started
with ``exec``: it copies nothing of the build's memory) feeds them to Pagefind
(:func:`~digest.render.pagefindapi.build_bundle`) and writes the bundle beside them, under a
temporary name renamed once it is whole. The build may start it at any time (an edit's
shard as soon as the site model is made, before anything renders) and read the bundles
when it needs them; meanwhile its own thread renders.

The shards wait in the folder as a queue, largest first; each helper takes the next one (a
rename: only one helper gets it) until none is left. One helper is started with the run
(the render's workers hold the other cores); :meth:`Run.widen` adds helpers once the pages
are rendered, so the last shards are indexed side by side and none runs alone on one core
at the end: what is left then is at most one small shard. With fewer shards than cores, a
shard's languages are indexed at the same time (two Pagefind processes).

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
from collections.abc import Sequence
from pathlib import Path

from ..errors import SearchCancelled, SearchUnavailable
from ..workers import available_cores, die_with
from .pagefindapi import Record, build_bundle, from_rows, rows
from .shards import Shard

FAILED = 3
"""The exit status of a helper whose Pagefind run failed (its reason on stderr)."""
POLL = 0.05
"""How often a wait looks at the cancel event (seconds)."""


def queue_order(shards: Sequence[Shard]) -> list[Shard]:
    """The order helpers take ``shards`` in: largest first (ties by name), so the shards
    left for the end, when helpers finish at different times, are the small ones."""
    return sorted(shards, key=lambda s: (-len(s.records), s.name))


class Run:
    """Pagefind indexing ``shards`` in helper processes, begun at once with ``lanes`` helpers
    (at most one per shard).

    :meth:`widen` adds helpers, :meth:`result` waits for the bundles (``{path in the
    shard's bundle: bytes}`` per shard name), :meth:`stop` ends the helpers and their
    Pagefind processes. ``folder``: where the records and bundles go (a fresh folder is made
    in it; the system's temporary folder without one)."""

    def __init__(self, shards: Sequence[Shard], folder: Path | None = None, lanes: int = 1) -> None:
        self.shards = list(shards)
        self._together = len(self.shards) < available_cores()
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        self._dir = Path(tempfile.mkdtemp(prefix="index-", dir=folder))
        self._procs: list[subprocess.Popen] = []
        self._files = {s.name: f"{rank:04d}" for rank, s in enumerate(queue_order(self.shards))}
        try:
            for shard in self.shards:
                _write_records(self._dir / (self._files[shard.name] + ".records"), shard.records)
            self.widen(lanes)
        except OSError as exc:  # a full disk, a file size limit: a failed run, the build goes on
            self.stop()
            raise SearchUnavailable(f"cannot hand the records to Pagefind: {exc.strerror or exc}") from None
        except BaseException:
            self.stop()
            raise

    def widen(self, lanes: int | None = None) -> None:
        """Have ``lanes`` helpers (default: one per core) take shards from the queue, as
        long as some are left in it."""
        wanted = min(lanes or available_cores(), len(self.shards))
        while len(self._procs) < wanted and next(self._dir.glob("*.records"), None) is not None:
            number = len(self._procs)
            with open(self._dir / f"lane-{number}.err", "wb") as err:
                # A session of its own: stopping it stops its Pagefind processes too.
                self._procs.append(subprocess.Popen(
                    [sys.executable, "-c", _BOOT, str(Path(__file__).resolve().parents[2]), str(self._dir),
                     "1" if self._together else "0", str(os.getpid())],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True))

    def result(self, timeout: float = 600, cancel: threading.Event | None = None) -> dict[str, dict[str, bytes]]:
        """Each shard's bundle, by shard name, once every helper exited. Raises
        :class:`SearchCancelled` (the helpers stopped) as soon as ``cancel`` is set, and
        :class:`SearchUnavailable` when a helper failed or ``timeout`` seconds a shard passed."""
        deadline = time.monotonic() + timeout * len(self.shards)
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
            return {shard.name: _read_bundle(self._dir / (self._files[shard.name] + ".bundle"))
                    for shard in self.shards}
        finally:
            self.stop()

    def stop(self) -> None:
        """End the helpers and their Pagefind processes, if running; remove the folder."""
        for proc in self._procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
                proc.wait()
        shutil.rmtree(self._dir, ignore_errors=True)

    def _reason(self, number: int, status: int) -> str:
        try:
            said = (self._dir / f"lane-{number}.err").read_text("utf-8", "replace").strip().splitlines()
        except OSError:
            said = []
        if status == FAILED and said:
            return said[-1]
        return f"Pagefind's helper failed (status {status}){': ' + said[-1] if said else ''}"


_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from digest.render.indexer import main; main(sys.argv[2:])"
"""The helper's program: the digest that started it, whatever the current folder holds."""


def _write_records(path: Path, records: Sequence[Record]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(rows(records), fh, ensure_ascii=False, separators=(",", ":"))


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
    """The helper: ``FOLDER TOGETHER BUILD_PID``: take the next ``*.records`` of ``FOLDER``
    (in name order) and index it into ``*.bundle`` until none is left; exit :data:`FAILED`
    with the reason on stderr when Pagefind fails."""
    die_with(int(argv[2]))  # even by kill -9: nobody would wait for the bundles
    folder, together = Path(argv[0]), argv[1] == "1"
    while True:
        for waiting in sorted(folder.glob("*.records")):
            taken = waiting.with_suffix(".taken")
            try:
                os.rename(waiting, taken)  # only one helper gets it
            except FileNotFoundError:
                continue
            break
        else:
            return
        records = _read_records(taken)
        try:
            files = build_bundle(records, timeout=3600, together=together)
        except SearchUnavailable as exc:
            print(exc, file=sys.stderr)
            sys.exit(FAILED)
        _write_bundle(taken.with_suffix(".bundle"), files)
        taken.unlink()
