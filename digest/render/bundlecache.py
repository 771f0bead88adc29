"""The search shards' bundles across processes: each kept while the pages it indexes are unchanged.

A shard's key is a hash of its name, its search records (what Pagefind is given, see
:mod:`digest.render.shards`) and Pagefind's version; the store keeps the bundle's files' paths,
hashes and sizes. When the output folder still holds every one of them as recorded, the
bundle is taken as it is on disk (each file a :class:`~digest.render.cache.Kept`) and
Pagefind is not run for that shard.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path

from ..content.store import BuildStore, cache_key
from ..site.model import Site
from .cache import Kept
from .pagefindapi import Record
from .search import Indexing, search_shards
from .shards import Shard, around


def bundle_key(records: Sequence[Record], name: str = "") -> str:
    """The key of the bundle Pagefind makes of ``records`` for shard ``name`` (Pagefind's
    version is part of it)."""
    digest = hashlib.sha256(_pagefind_version().encode() + b"\0" + name.encode())
    for record in records:
        digest.update(b"\0" + repr(record).encode("utf-8", "surrogatepass"))
    return cache_key("bundle", digest.hexdigest())


def _pagefind_version() -> str:
    try:
        return metadata.version("pagefind")
    except metadata.PackageNotFoundError:
        return "unknown"


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


def kept_shards(store: BuildStore, shards: Sequence[Shard], on_disk: Mapping[str, str] | None
                ) -> tuple[dict[str, bytes | Kept], list[Shard]]:
    """The bundles of ``shards`` the output folder holds as the store recorded them for the
    same records, and the shards Pagefind must index."""
    kept: dict[str, bytes | Kept] = {}
    missing = []
    for shard in shards:
        found = kept_bundle(store, bundle_key(shard.records, shard.name), on_disk) if on_disk else None
        if found is None:
            missing.append(shard)
        else:
            kept.update(found)
    return kept, missing


def whole_index(store: BuildStore, shards: list[Shard], kept: Mapping[str, bytes | Kept], made: Mapping[str, bytes],
                indexed: Sequence[Shard], on_disk: Mapping[str, str] | None, out_dir: Path | None
                ) -> dict[str, bytes | Kept]:
    """The search files of a build: the kept shards, the ``indexed`` ones (``made``, stored
    under their keys when writing to ``out_dir``), the list of shards and the UI's files."""
    if on_disk is not None:
        for shard in indexed:
            remember_bundle(store, bundle_key(shard.records, shard.name),
                            {p: d for p, d in made.items() if p.startswith(shard.prefix)})
    files: dict[str, bytes | Kept] = {**kept, **made}
    for path, data in around(shards, files).items():
        files[path] = data if out_dir is None else copy_of(data, path, on_disk or {}, out_dir)
    return dict(sorted(files.items()))


class BeginIndex:
    """The search index of ``site`` begun: its shards, those the build store keeps, and
    Pagefind indexing the others in a thread. Called once (more calls do nothing)."""

    def __init__(self, store: BuildStore, site: Site, on_disk: dict[str, str] | None) -> None:
        self._args = (store, site, on_disk)
        self.shards: list[Shard] = []
        self.kept: dict[str, bytes | Kept] = {}
        self.indexing: Indexing | None = None
        self._begun = False

    def __call__(self) -> None:
        if self._begun:
            return
        self._begun = True
        store, site, on_disk = self._args
        self.shards = search_shards(site)
        self.kept, missing = kept_shards(store, self.shards, on_disk)
        self.indexing = Indexing(missing) if missing else None
