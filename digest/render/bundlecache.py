"""The search shards' bundles across processes: each kept while the pages it indexes are unchanged.

A shard's key is a hash of its name, what its search records are made of (every entry's
value, see :func:`digest.render.search.plan`) and Pagefind's version, so a shard is found
without making its records; the store keeps the bundle's files' paths, hashes and sizes.
When the output folder still holds every one of them as recorded, the bundle is taken as it
is on disk (each file a :class:`~digest.render.cache.Kept`) and Pagefind is not run for
that shard.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

from ..content.store import BuildStore
from .cache import Kept
from .shards import Placed, Shard, around


class Keyed(Placed, Protocol):
    """A shard as far as the store is concerned (:class:`~digest.render.shards.Shard` or
    :class:`~digest.render.search.Planned`)."""

    @property
    def key(self) -> str: ...


S = TypeVar("S", bound=Keyed)


def kept_bundle(store: BuildStore, key: str, on_disk: Mapping[str, str]) -> dict[str, Kept] | None:
    """The bundle stored under ``key`` if the output folder holds all of it, else None."""
    value = store.get_many("bundles", [key]).get(key)
    if not isinstance(value, dict) or not value:
        return None
    kept = {}
    for rel, item in value.items():
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], int)):
            return None
        if on_disk.get(rel) != item[0]:
            return None
        kept[rel] = Kept(rel, item[0], item[1])
    return kept


def remember_bundle(store: BuildStore, key: str, bundle: Mapping[str, bytes | Kept]) -> None:
    """Store the bundle made for ``key``."""
    value = {rel: [data.sha, data.size] if isinstance(data, Kept) else [hashlib.sha256(data).hexdigest(), len(data)]
             for rel, data in bundle.items()}
    if value:
        store.put_many("bundles", [(key, value)])


def copy_of(data: bytes | Kept, path: str, on_disk: Mapping[str, str], out_dir: Path) -> bytes | Kept:
    """``data`` (a file of a shard's bundle) to be written at ``path`` too: kept if the output
    folder holds it there already, else its bytes (read from the shard's copy if kept)."""
    if not isinstance(data, Kept):
        return data
    if on_disk.get(path) == data.sha:
        return Kept(path, data.sha, data.size)
    return (out_dir / data.path).read_bytes()


def kept_shards(store: BuildStore, shards: Sequence[S], on_disk: Mapping[str, str] | None
                ) -> tuple[dict[str, bytes | Kept], list[S]]:
    """The bundles of ``shards`` the output folder holds as the store recorded them under
    the same keys, and the shards Pagefind must index."""
    kept: dict[str, bytes | Kept] = {}
    missing = []
    for shard in shards:
        found = kept_bundle(store, shard.key, on_disk) if on_disk and shard.key else None
        if found is None:
            missing.append(shard)
        else:
            kept.update(found)
    return kept, missing


def whole_index(store: BuildStore, shards: Sequence[Keyed], kept: Mapping[str, bytes | Kept], made: Mapping[str, bytes],
                indexed: Sequence[Shard], on_disk: Mapping[str, str] | None, out_dir: Path | None
                ) -> dict[str, bytes | Kept]:
    """The search files of a build: the kept shards, the ``indexed`` ones (``made``, stored
    under their keys when writing to ``out_dir``), the list of shards and the UI's files."""
    if on_disk is not None:
        for shard in indexed:
            remember_bundle(store, shard.key,
                            {p: d for p, d in made.items() if p.startswith(shard.prefix)})
    files: dict[str, bytes | Kept] = {**kept, **made}
    for path, data in around(shards, files).items():
        files[path] = data if out_dir is None else copy_of(data, path, on_disk or {}, out_dir)
    return dict(sorted(files.items()))
