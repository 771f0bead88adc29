"""Processed images, content-addressed in ``.digest-cache/images/``, like translations.

A key hashes the source bytes, the processing options and :data:`IMAGE_CODE_VERSION` (and
:data:`ANIMATION_VERSION` for a source that may be animated):
an entry can never go stale, so an unchanged image is processed once, by whichever build
first sees it. Each entry is a folder written beside its final place and renamed in whole;
one that is incomplete or unreadable is made again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from .photos import ANIMATION_VERSION, IMAGE_CODE_VERSION, OPTIONS, Encoded, may_move, process

FOLDER = "images"


def image_key(data: bytes) -> str:
    """The cache key of source bytes ``data`` under the current options and code."""
    versions = [IMAGE_CODE_VERSION, ANIMATION_VERSION] if may_move(data) else [IMAGE_CODE_VERSION]
    digest = hashlib.sha256(json.dumps([*versions, OPTIONS], sort_keys=True).encode())
    digest.update(b"\0" + data)
    return digest.hexdigest()


class ImageCache:
    """Looks a processed image up by key, processing and storing it when missing.

    ``processed`` counts the images decoded and encoded (not found in the cache)."""

    def __init__(self, cache_dir: Path) -> None:
        self.root = Path(cache_dir) / FOLDER
        self.processed = 0

    def get(self, key: str, data: bytes) -> list[Encoded]:
        """The variants of ``data`` (whose key is ``key``); raises
        :class:`~digest.site.photos.ImageRefused` for an image that cannot be published."""
        found = self._read(key)
        if found is not None:
            return found
        variants = process(data)
        self.processed += 1
        self._write(key, variants)
        return variants

    def _folder(self, key: str) -> Path:
        return self.root / key[:2] / key

    def _read(self, key: str) -> list[Encoded] | None:
        folder = self._folder(key)
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            return [Encoded(v["name"], (folder / v["name"]).read_bytes(), v["width"], v["height"], v["mime"])
                    for v in meta["variants"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _write(self, key: str, variants: list[Encoded]) -> None:
        """Store ``variants``; a cache that cannot be written only costs the work next time."""
        final = self._folder(key)
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            temp = Path(tempfile.mkdtemp(prefix=f".{key[:12]}-", dir=final.parent))
        except OSError:
            return
        try:
            for v in variants:
                (temp / v.name).write_bytes(v.data)
            meta = {"variants": [{"name": v.name, "width": v.width, "height": v.height, "mime": v.mime}
                                 for v in variants]}
            (temp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
            if final.exists():
                shutil.rmtree(final, ignore_errors=True)  # incomplete: _read refused it
            os.replace(temp, final)
        except OSError:
            shutil.rmtree(temp, ignore_errors=True)  # another build got there first, or the disk is full
