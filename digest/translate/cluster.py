"""The unique cache misses of a build, translated by a pool of Ray actors.

:class:`ClusterDecoder` stands in for the local :class:`~digest.translate.decode.Decoder`
behind :class:`~digest.translate.engine.ArgosTranslator`: it yields {segment: English or
None} as batches come back, and the translator writes each into the one SQLite cache on
this machine (the driver), so an interrupted run keeps every finished batch. Workers run
:class:`~digest.translate.worker.BatchWorker`: the same decoding and output guards as a
local run, and the cache keys are the driver's, so a cache filled on a cluster serves a
laptop. Ray is imported here only, and only once a cluster is asked for.

The package reaches the actors as a path for ``local`` (one machine, one file system) and
as bytes through Ray's object store for an address (other machines may not have it).
A batch whose actor dies is sent to another actor, at most ``cluster_retries`` times;
then its segments come back as None, with a reason, like local rejects, and are not
cached (another run may well translate them).
"""

from __future__ import annotations

import dataclasses
import time
from collections import deque
from pathlib import Path
from typing import Iterator, Sequence

from ..config import TranslationConfig
from ..errors import TranslationError
from .decode import DecodeRun
from .device import resolve

IN_FLIGHT = 2
"""Batches queued on each actor: the next one is there when the last finishes."""


def batches(segments: Sequence[str], actors: int, largest: int = 64) -> list[list[str]]:
    """``segments`` sorted by length and cut into batches: at least four per actor (the
    last ones to finish are short), at most ``largest`` segments (what an interrupt loses)."""
    order = sorted(segments, key=len)
    size = max(1, min(largest, -(-len(order) // (4 * max(1, actors)))))
    return [order[i:i + size] for i in range(0, len(order), size)]


def connect(address: str):
    """Ray, connected to ``address`` (``local``: a Ray instance started here), or the session
    this process already has (a test's, a notebook's)."""
    import ray

    if not ray.is_initialized():
        try:
            if address == "local":
                ray.init(include_dashboard=False, log_to_driver=False)
            else:
                ray.init(address=address, log_to_driver=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise TranslationError(f"translation.cluster {address!r}: cannot connect to Ray: {exc}") from None
    return ray


def disconnect() -> None:
    """Leave Ray (a ``local`` instance stops with it), if this process joined it."""
    import sys

    if "ray" in sys.modules:
        sys.modules["ray"].shutdown()


class ClusterDecoder:
    """The :class:`~digest.translate.decode.Decoder` interface, on Ray actors."""

    def __init__(self, package_path: Path, options: TranslationConfig, fingerprint: str) -> None:
        self.package_path = Path(package_path)
        self.options = options
        self.fingerprint = fingerprint
        self.calls = 0
        self.last = DecodeRun()
        self.actors: list = []
        self.blob = None
        self.resent = 0
        """Batches sent again because their actor died."""
        self.timings: list[tuple[float, float]] = []
        """Per batch: (seconds from sending it to having its result, the actor's decoding seconds)."""

    def start(self) -> list:
        """Connect and create the actors (once); every actor has loaded the package when it returns."""
        if self.actors:
            return self.actors
        ray = connect(self.options.cluster)
        device, compute = resolve(self.options, local=False)
        options = dataclasses.replace(self.options, device=device, compute_type=compute)
        threads = options.inter_threads * max(1, options.intra_threads)
        resources = ray.cluster_resources()
        if device == "cuda":
            room = int(resources.get("GPU", 0))
            if room == 0:
                raise TranslationError("translation.device is 'cuda', but the Ray cluster has no GPU")
        else:
            room = max(1, int(resources.get("CPU", 1)) // threads)
        count = self.options.cluster_actors or room
        blob = None
        if self.options.cluster != "local":
            from .worker import pack

            # Kept while the actors live: Ray restarts a dead actor with the same arguments.
            blob = self.blob = ray.put(pack(self.package_path))
        from .worker import BatchWorker

        remote = ray.remote(BatchWorker).options(
            num_cpus=0 if device == "cuda" else threads, num_gpus=1 if device == "cuda" else 0,
            max_restarts=self.options.cluster_retries, max_task_retries=0)
        actors = [remote.remote(str(self.package_path), blob, self.fingerprint, options) for _ in range(count)]
        try:
            ray.get([a.pid.remote() for a in actors])
        except ray.exceptions.RayError as exc:
            raise TranslationError(f"the Ray actors could not load the package: {_cause(exc)}") from None
        self.actors = actors
        return actors

    def translate(self, segments: Sequence[str], reporter=None,
                  run: DecodeRun | None = None) -> Iterator[dict[str, str | None]]:
        """Yield {segment: translation or None} batch by batch, as actors finish them."""
        self.last = run if run is not None else DecodeRun()
        if not segments:
            return
        import ray
        from ray.exceptions import RayActorError, RayTaskError, WorkerCrashedError

        actors = self.start()
        todo = deque((batch, 0, -1) for batch in batches(segments, len(actors)))
        pending: dict = {}  # ref: (batch, attempts, actor, sent at)
        load = [0] * len(actors)
        lost = [0] * len(actors)
        done = 0
        started = time.perf_counter()
        while todo or pending:
            alive = [i for i in range(len(actors)) if lost[i] <= self.options.cluster_retries]
            while todo and alive and min(load[i] for i in alive) < IN_FLIGHT:
                batch, attempts, avoid = todo.popleft()
                # Least busy first; a retried batch goes to another actor than the one that died.
                pick = min(alive, key=lambda i: (load[i], i == avoid, i))
                load[pick] += 1
                pending[actors[pick].translate.remote(batch)] = (batch, attempts, pick, time.perf_counter())
            if not pending:  # every actor has died more often than Ray restarts it
                yield self._lost([seg for batch, _, _ in todo for seg in batch], "no Ray worker is left")
                return
            (ref,), _ = ray.wait(list(pending), num_returns=1)
            batch, attempts, actor, sent = pending.pop(ref)
            load[actor] -= 1
            try:
                outputs, failures, calls, retried, cut, seconds, scores = ray.get(ref)
            except RayTaskError as exc:  # the worker's code raised: as a local model error would, it stops the run
                raise TranslationError(f"a Ray worker failed: {_cause(exc)}") from None
            except (RayActorError, WorkerCrashedError) as exc:
                lost[actor] += 1
                if attempts < self.options.cluster_retries:
                    self.resent += 1
                    todo.appendleft((batch, attempts + 1, actor))
                    continue
                outputs = self._lost(batch, f"the Ray worker translating it was lost {attempts + 1} times "
                                            f"({_cause(exc)})")
            else:
                self.timings.append((time.perf_counter() - sent, seconds))
                self.calls += calls
                self.last.calls += calls
                self.last.retried += retried
                self.last.cut += cut
                self.last.failures.update(failures)
                self.last.scores.update(scores)
                self.last.log.append(("batch", len(batch)))
            done += len(batch)
            if reporter is not None:
                reporter.progress(done, len(segments), time.perf_counter() - started)
            yield outputs

    def _lost(self, segments: list[str], why: str) -> dict[str, str | None]:
        """``segments`` failed for ``why``: reported like rejected output, but not cached."""
        self.last.failures.update(dict.fromkeys(segments, why))
        self.last.unstored.update(segments)
        return dict.fromkeys(segments)


def _cause(exc: Exception) -> str:
    """The first line of what went wrong on the worker, without Ray's trace around it."""
    text = str(getattr(exc, "cause", None) or exc).strip().splitlines()
    lines = [line for line in text if line.strip() and not line.startswith(("Traceback", "  "))]
    return (lines[-1] if lines else type(exc).__name__)[:300]
