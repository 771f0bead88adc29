"""The search shards' bundles across processes: each kept while the pages it indexes are unchanged.

A shard's key is a hash of its name, what its search records are made of (every entry's
value, see :func:`digest.render.search.plan`) and Pagefind's version, so a shard is found
without making its records; the store keeps the bundle's files' paths, hashes and sizes.
When the output folder still holds every one of them as recorded, the bundle is taken as it
is on disk (each file a :class:`~digest.render.kept.Kept`) and Pagefind is not run for
that shard.

A shard's bundle is its languages' bundles put together (Pagefind indexes each language in
a process of its own: :func:`~digest.render.pagefindapi.merged_entry`), and the store keeps
each language's part too, under a hash of that language's records themselves (a
:class:`Part`). A changed shard's records are made; a language whose records are the same
(an edit of the Arabic text leaves the human English as it was) keeps its part as it is on
disk, and Pagefind indexes the other language only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple, Protocol, TypeVar

from ..content.store import BuildStore
from .kept import Kept
from .shards import Placed, Shard, around


class Keyed(Placed, Protocol):
    """A shard as far as the store is concerned (:class:`~digest.render.shards.Shard` or
    :class:`~digest.render.search.Planned`)."""

    @property
    def key(self) -> str: ...


class Part(NamedTuple):
    """One language's bundle of a shard: what :func:`whole_index` stores and a later build keeps."""

    key: str
    """A hash of the shard's name, Pagefind's version and the language's records."""
    language: str
    entry: bytes
    """This language's own ``pagefind-entry.json`` (the shard's lists every language)."""
    files: Mapping[str, bytes | Kept]
    """The part's other files at their place in the site (``pagefind/<shard>/...``)."""


class Indexed(NamedTuple):
    """A shard whose bundle a build put together from its parts, some made by Pagefind."""

    name: str
    key: str
    parts: tuple[Part, ...]

    @property
    def prefix(self) -> str:
        """Where the shard's bundle lives in the site, with a trailing ``/``."""
        return Shard(self.name, ()).prefix


S = TypeVar("S", bound=Keyed)


def _files(value: object, on_disk: Mapping[str, str]) -> dict[str, Kept] | None:
    """The files a stored ``{path: [sha, size]}`` lists, if the output folder holds all of them."""
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


def _listing(files: Mapping[str, bytes | Kept]) -> dict[str, list]:
    return {rel: [data.sha, data.size] if isinstance(data, Kept) else [hashlib.sha256(data).hexdigest(), len(data)]
            for rel, data in files.items()}


def kept_bundle(store: BuildStore, key: str, on_disk: Mapping[str, str]) -> dict[str, Kept] | None:
    """The bundle stored under ``key`` if the output folder holds all of it, else None."""
    return _kept(store, store.get_many("bundles", [key]).get(key), on_disk)


def _kept(store: BuildStore, value: object, on_disk: Mapping[str, str]) -> dict[str, Kept] | None:
    if not isinstance(value, dict) or not isinstance(value.get("parts"), list):
        return None
    kept = _files(value.get("files"), on_disk)
    if kept is not None:
        # Its parts are not read, but an edit of the shard will want them.
        store.keep("bundles", (k for k in value["parts"] if isinstance(k, str)))
    return kept


def remember_bundle(store: BuildStore, key: str, bundle: Mapping[str, bytes | Kept], parts: Iterable[str] = ()
                    ) -> None:
    """Store the bundle made for ``key``, and the keys of the ``parts`` it was put together from."""
    value = _listing(bundle)
    if value:
        store.put_many("bundles", [(key, {"files": value, "parts": list(parts)})])


def kept_part(store: BuildStore, key: str, language: str, on_disk: Mapping[str, str]) -> Part | None:
    """The part stored under ``key`` if the output folder holds all of its files, else None."""
    value = store.get_many("bundles", [key]).get(key)
    if not isinstance(value, dict) or not isinstance(value.get("entry"), str):
        return None
    files = _files(value.get("files"), on_disk)
    try:
        entry = json.loads(value["entry"])
    except ValueError:
        return None
    if files is None or not isinstance(entry, dict) or set(entry.get("languages") or ()) != {language}:
        return None
    return Part(key, language, value["entry"].encode(), files)


def remember_parts(store: BuildStore, parts: Iterable[Part]) -> None:
    """Store ``parts`` (those made by Pagefind in this build)."""
    store.put_many("bundles", [(part.key, {"entry": part.entry.decode(), "files": _listing(part.files)})
                               for part in parts])


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
    the same keys (read in one query), and the shards Pagefind must index."""
    # The store first: a shard it has no bundle for (an edit's) does not ask the folder.
    stored = store.get_many("bundles", [s.key for s in shards if s.key]) if on_disk is not None else {}
    kept: dict[str, bytes | Kept] = {}
    missing = []
    for shard in shards:
        found = _kept(store, stored.get(shard.key), on_disk) if on_disk is not None and shard.key else None
        if found is None:
            missing.append(shard)
        else:
            kept.update(found)
    return kept, missing


def whole_index(store: BuildStore, shards: Sequence[Keyed], kept: Mapping[str, bytes | Kept],
                made: Mapping[str, bytes | Kept],
                indexed: Sequence[Indexed], on_disk: Mapping[str, str] | None, out_dir: Path | None
                ) -> dict[str, bytes | Kept]:
    """The search files of a build: the kept shards, the ``indexed`` ones (``made``, stored
    under their keys with their new parts when writing to ``out_dir``), the list of shards
    and the UI's files."""
    if on_disk is not None:
        for shard in indexed:
            remember_parts(store, (part for part in shard.parts if any(type(d) is bytes for d in part.files.values())))
            remember_bundle(store, shard.key, {p: d for p, d in made.items() if p.startswith(shard.prefix)},
                            (part.key for part in shard.parts))
    files: dict[str, bytes | Kept] = {**kept, **made}
    for path, data in around(shards, files).items():
        files[path] = data if out_dir is None else copy_of(data, path, on_disk or {}, out_dir)
    return dict(sorted(files.items()))
