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

The shards are shared out to ``lanes`` such processes, largest first, each to the lane with
the fewest records so far: the lanes end at about the same time, so no shard is left to run
alone on one core at the end. With fewer shards than cores, a shard's languages are indexed
at the same time (two Pagefind processes) instead of one after the other.

What is trusted: a bundle file only once its process exited 0; a failed, stopped or timed
out run leaves nothing remembered. A helper dies with the thread that started it (Linux's
parent-death signal) and Pagefind with it (its input closes); the folder is removed when
the bundles are read or the run is stopped, and a folder a killed build left in the work
area is cleared by the next build (:func:`digest.output.workarea.clear`).
"""

from __future__ import annotations

import ctypes
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
from ..workers import available_cores
from .pagefindapi import Record, build_bundle
from .shards import Shard

FAILED = 3
"""The exit status of a helper whose Pagefind run failed (its reason on stderr)."""
POLL = 0.05
"""How often a wait looks at the cancel event (seconds)."""
_PR_SET_PDEATHSIG = 1


def lanes_of(shards: Sequence[Shard], lanes: int) -> list[list[Shard]]:
    """``shards`` shared out to at most ``lanes`` lanes: largest first, each to the lane with
    the fewest records so far (ties: the first lane), so the lanes end together. Each
    lane's shards keep that order; empty lanes are left out."""
    out: list[list[Shard]] = [[] for _ in range(max(1, lanes))]
    load = [0] * len(out)
    for shard in sorted(shards, key=lambda s: (-len(s.records), s.name)):
        lane = load.index(min(load))
        out[lane].append(shard)
        load[lane] += len(shard.records)
    return [lane for lane in out if lane]


class Run:
    """Pagefind indexing ``shards`` in helper processes, started at once.

    :meth:`result` waits for the bundles (``{path in the shard's bundle: bytes}`` per shard
    name); :meth:`stop` ends the helpers and their Pagefind processes. ``folder``: where the
    records and bundles go (a fresh folder is made in it; the system's temporary folder
    without one)."""

    def __init__(self, shards: Sequence[Shard], folder: Path | None = None, lanes: int | None = None) -> None:
        cores = available_cores()
        self.shards = list(shards)
        self.lanes = lanes_of(self.shards, min(lanes or cores, len(self.shards)))
        together = len(self.lanes) < cores
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        self._dir = Path(tempfile.mkdtemp(prefix="index-", dir=folder))
        self._procs: list[tuple[subprocess.Popen, list[Shard]]] = []
        try:
            for number, lane in enumerate(self.lanes):
                for shard in lane:
                    _write_records(self._dir / _name(shard, ".records"), shard.records)
                with open(self._dir / f"lane-{number}.err", "wb") as err:
                    # A session of its own: stopping it stops its Pagefind processes too.
                    proc = subprocess.Popen(
                        [sys.executable, "-c", _BOOT, str(Path(__file__).resolve().parents[2]), str(self._dir),
                         "1" if together else "0", *(_name(s, "") for s in lane)],
                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
                self._procs.append((proc, lane))
        except BaseException:
            self.stop()
            raise

    def result(self, timeout: float = 600, cancel: threading.Event | None = None) -> dict[str, dict[str, bytes]]:
        """Each shard's bundle, by shard name, once every helper exited. Raises
        :class:`SearchCancelled` (the helpers stopped) as soon as ``cancel`` is set, and
        :class:`SearchUnavailable` when a helper failed or ``timeout`` seconds passed."""
        deadline = time.monotonic() + timeout
        try:
            out: dict[str, dict[str, bytes]] = {}
            for number, (proc, lane) in enumerate(self._procs):
                while True:
                    if cancel is not None and cancel.is_set():
                        raise SearchCancelled()
                    try:
                        status = proc.wait(POLL)
                        break
                    except subprocess.TimeoutExpired:
                        if time.monotonic() > deadline:
                            raise SearchUnavailable(f"Pagefind did not finish within {timeout:.0f} s") from None
                if status != 0:
                    raise SearchUnavailable(self._reason(number, status))
                for shard in lane:
                    out[shard.name] = _read_bundle(self._dir / _name(shard, ".bundle"))
            return out
        finally:
            self.stop()

    def stop(self) -> None:
        """End the helpers and their Pagefind processes, if running; remove the folder."""
        for proc, _ in self._procs:
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


def _name(shard: Shard, suffix: str) -> str:
    return shard.name.replace("/", "_") + suffix


def _write_records(path: Path, records: Sequence[Record]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump([[r.url, r.language, r.content, [list(m) for m in r.meta]] for r in records], fh,
                  ensure_ascii=False, separators=(",", ":"))


def _read_records(path: Path) -> list[Record]:
    with open(path, encoding="utf-8") as fh:
        rows = json.load(fh)
    return [Record(url, lang, content, tuple((k, v) for k, v in meta)) for url, lang, content, meta in rows]


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
    """The helper: ``FOLDER TOGETHER NAME...``: index each ``NAME.records`` of ``FOLDER``
    into ``NAME.bundle``, in order; exit :data:`FAILED` with the reason on stderr when
    Pagefind fails."""
    try:  # die with the build, even by kill -9 (Linux)
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    folder, together, names = Path(argv[0]), argv[1] == "1", argv[2:]
    for name in names:
        records = _read_records(folder / f"{name}.records")
        try:
            files = build_bundle(records, timeout=3600, together=together)
        except SearchUnavailable as exc:
            print(exc, file=sys.stderr)
            sys.exit(FAILED)
        _write_bundle(folder / f"{name}.bundle", files)
