"""One Ray actor's work: an Argos package loaded once, batches decoded like the local engine.

This module imports nothing from Ray: :mod:`digest.translate.cluster` wraps :class:`BatchWorker`
with ``ray.remote`` on the driver, and Ray imports this module by name on each worker, so
digest must be installed there (``pip install digest[ray]``). The decoding is the local
engine's own :class:`~digest.translate.decode.Decoder`: the same options, the same output
guards and retries, so a sentence gets the same English on a worker as on the driver.
"""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
import time
from pathlib import Path

from ..config import TranslationConfig
from ..errors import TranslationError
from .decode import Decoder, DecodeRun


def pack(package_path: Path) -> bytes:
    """The package folder as an uncompressed tar (the model is int8 weights: gzip saves little)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.add(package_path, arcname=Path(package_path).name)
    return buffer.getvalue()


def unpack(blob: bytes, name: str) -> Path:
    """``blob`` (from :func:`pack`) extracted into a new temporary folder; the package folder in it."""
    folder = Path(tempfile.mkdtemp(prefix="digest-package-"))
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r") as tar:
        tar.extractall(folder, filter="data")
    return folder / name


class BatchWorker:
    """Loads the package once (from a path it can read, or from bytes sent by the driver)
    and translates the batches sent to it."""

    def __init__(self, package_path: str, blob: bytes | None, fingerprint: str, options: TranslationConfig) -> None:
        from argostranslate.package import Package

        from .fingerprint import package_fingerprint

        path = unpack(blob, Path(package_path).name) if blob is not None else Path(package_path)
        if not path.is_dir():
            raise TranslationError(f"{path}: no such package folder on this Ray worker (a cluster of several "
                                   "machines gets the package through Ray's object store: give its address)")
        found = package_fingerprint(path)
        if found != fingerprint:
            # Another model under the same path would fill the driver's cache with its output.
            raise TranslationError(f"{path} on this Ray worker is not the driver's package "
                                   f"(fingerprint {found} against {fingerprint})")
        self.decoder = Decoder(Package(path), options)
        self.decoder.model()  # loaded once, now: the first batch is not slower than the rest

    def pid(self) -> int:
        """The worker process's id (a test kills it to see the batch go elsewhere)."""
        return os.getpid()

    def translate(self, segments: list[str]) -> tuple[dict[str, str | None], dict[str, str], int, int, int, float,
                                                      dict[str, float | None]]:
        """(outputs, why each None, model calls, retried, cut, seconds, scores) for one batch of segments."""
        started = time.perf_counter()
        run = DecodeRun()
        outputs: dict[str, str | None] = {}
        for done in self.decoder.translate(segments, None, run):
            outputs.update(done)
        return outputs, run.failures, run.calls, run.retried, run.cut, time.perf_counter() - started, run.scores
