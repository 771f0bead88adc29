"""The search bundle across processes: kept when the pages it indexes are unchanged.

The key is a hash of the search records (:func:`~digest.render.search.search_records`: what
Pagefind is given) and Pagefind's version; the store keeps the bundle's files' paths, hashes and
sizes. When the output folder still holds every one of them as recorded, the bundle is
taken as it is on disk (each file a :class:`~digest.render.cache.Kept`) and Pagefind is not run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from importlib import metadata

from ..content.store import BuildStore, cache_key
from .cache import Kept
from .pagefindapi import Record


def bundle_key(records: Sequence[Record]) -> str:
    """The key of the bundle Pagefind makes of ``records`` (its version is part of it)."""
    digest = hashlib.sha256(_pagefind_version().encode())
    for record in records:
        digest.update(b"\0" + repr(record).encode("utf-8", "surrogatepass"))
    return cache_key("bundle", digest.hexdigest())


def _pagefind_version() -> str:
    try:
        return metadata.version("pagefind")
    except metadata.PackageNotFoundError:
        return "unknown"


def kept_bundle(store: BuildStore, key: str, on_disk: dict[str, str]) -> dict[str, Kept] | None:
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
