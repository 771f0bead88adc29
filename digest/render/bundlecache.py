"""The search bundle across processes: kept when the pages it indexes are unchanged.

The key is a hash of the indexed pages' paths and SHA-256s (what Pagefind is given, however
the records are made from them); the store keeps the bundle's files' paths, hashes and
sizes. When the output folder still holds every one of them as recorded, the bundle is
taken as it is on disk (each file a :class:`~digest.render.cache.Kept`) and Pagefind is not run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping

from ..content.store import BuildStore, cache_key
from .cache import MARKER, Kept


def indexed(pages: Mapping[str, bytes | Kept]) -> list[str]:
    """The paths of the pages the search index is made from."""
    return [rel for rel, data in pages.items() if rel.endswith(".html")
            and (data.marked if isinstance(data, Kept) else MARKER in data)]


def bundle_key(pages: Mapping[str, bytes | Kept]) -> str:
    """The key of the bundle for ``pages`` (all of the site's pages)."""
    rows = []
    for rel in sorted(indexed(pages)):
        data = pages[rel]
        rows.append(f"{rel}\0{data.sha if isinstance(data, Kept) else hashlib.sha256(data).hexdigest()}")
    return cache_key("bundle", "\n".join(rows))


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


def search_bundle(pages: Mapping[str, bytes | Kept], make: Callable[[dict[str, bytes]], dict[str, bytes]],
                  page: Callable[[str, Kept], bytes], store: BuildStore | None,
                  on_disk: dict[str, str]) -> dict[str, bytes | Kept]:
    """The search bundle for ``pages``: the one on disk if ``store`` shows it was made from
    these very pages, else ``make(texts)`` of the indexed pages (a kept one's bytes from
    ``page(path, kept)``), recorded in ``store``."""
    key = bundle_key(pages) if store is not None else None
    if store is not None and key is not None and on_disk:
        kept = kept_bundle(store, key, on_disk)
        if kept is not None:
            return dict(kept)
    texts = {}
    for rel in indexed(pages):
        data = pages[rel]
        texts[rel] = page(rel, data) if isinstance(data, Kept) else data
    bundle: dict[str, bytes | Kept] = dict(make(texts))
    if store is not None and key is not None:
        remember_bundle(store, key, bundle)
    return bundle
