"""The search index's bundles, shard by shard: remembered, kept from the output folder, or
made by Pagefind beside the build (:mod:`digest.render.indexer`).

A shard's bundle is put together from one bundle per language (:class:`~digest.render.bundlecache.Part`),
each made by a Pagefind process of its own from that language's records only; a language
whose records did not change keeps its part as the output folder holds it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence, Sized
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from ..content.store import BuildStore, cache_key
from ..errors import SearchCancelled, SearchUnavailable
from ..workers import available_cores
from .bundlecache import Indexed, Keyed, Part, kept_part
from .indexer import Job, Run, Standby, encoded, queue_order
from .kept import Kept
from .pagefindapi import ENTRY, merged_entry, pagefind_version
from .shards import ROOT, Shard, shard_files


class ToIndex(Keyed, Protocol):
    """A shard before its records are made (:class:`digest.render.search.Planned`)."""

    @property
    def entries(self) -> Sized: ...


P = TypeVar("P", bound=ToIndex)

_memo: dict[str, tuple[str, dict[str, bytes | Kept]]] = {}
"""Shard name -> the key and bundle of the last index built of it."""
runs: list[str] = []
"""The shards Pagefind indexed in this process, in order (what a test counts)."""
parts_run: list[str] = []
"""The languages of shards Pagefind indexed in this process (``2026-01/ar``), in the order given."""



def executable() -> Path | None:
    """The Pagefind binary from the ``pagefind[extended]`` package or ``PATH``, if any."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    found = get_executable()
    return found if found and Path(found).exists() else None


class Indexing(Generic[P]):
    """The bundles of some shards (paths under ``pagefind/<shard>/``), begun at once: Pagefind
    indexes those not remembered from the last index in helper processes (:mod:`digest.render.indexer`) on
    the other cores while the caller goes on (renders the pages); :meth:`result` reads the
    bundles.

    ``make`` gives a planned shard's records; they are made one shard at a time and handed
    to the helpers, each language apart (:class:`~digest.render.indexer.Job`), so every
    shard's records are never in memory at once. With a ``store`` and the output folder's
    files (``on_disk``), a language whose records are those of a part the folder holds is
    kept (:func:`~digest.render.bundlecache.kept_part`) and not indexed again. ``folder``:
    where the helpers' files go (the build's work area); ``lanes``: how many jobs are
    indexed at once to begin with (None: one per core; see :meth:`widen`). One while the
    render's workers run: each Pagefind process of a shard's language holds 130-200 MB, and
    two of them beside the workers were the tree's peak of a cold build of 1,000 articles.
    ``more``: asked once the jobs of ``shards`` are handed over, the shards to index after
    them (those whose keys the caller had yet to work out). ``standby``: a helper started
    earlier, which takes the first job (:class:`~digest.render.indexer.Standby`)."""

    def __init__(self, shards: Sequence[P], make: Callable[[P], Shard],
                 cancel: threading.Event | None = None, folder: Path | None = None, lanes: int | None = 1,
                 store: BuildStore | None = None, on_disk: Mapping[str, str] | None = None,
                 more: Callable[[], Sequence[P]] | None = None, standby: Standby | None = None) -> None:
        self.cancel = cancel or threading.Event()
        """Set it to stop Pagefind (newer pages are on their way); see also :meth:`stop`."""
        self.indexed: list[Indexed] = []
        """The shards put together from parts (made now or kept), once :meth:`result` returned."""
        self._files: dict[str, bytes | Kept] = {}
        self._run: Run | None = None
        self._error: Exception | None = None
        self._store, self._on_disk = store, on_disk
        self._pending: list[tuple[str, str, list[Part | tuple[str, str]]]] = []
        todo = [planned for planned in shards if not self._remembered(planned.name, planned.key)]
        if not todo and more is not None:
            todo, more = [planned for planned in more() if not self._remembered(planned.name, planned.key)], None
        if not todo:
            return
        if self.cancel.is_set():
            self._error = SearchCancelled()
        else:
            try:
                self._run = Run(_installed(self._jobs(todo, make, more)), folder, lanes or available_cores(), standby)
                parts_run.extend(self._run.names)
            except SearchUnavailable as exc:
                self._error = exc
            indexed = {name for name, _, parts in self._pending if any(type(p) is tuple for p in parts)}
            runs.extend(planned.name for planned in todo if planned.name in indexed)

    def _remembered(self, name: str, key: str) -> bool:
        """Take the bundle of the last index made in this process of the shard ``name`` if its key is ``key``."""
        last = _memo.get(name)
        if key and last is not None and last[0] == key:
            self._files.update(last[1])
            return True
        return False

    def _jobs(self, todo: list[P], make: Callable[[P], Shard], more: Callable[[], Sequence[P]] | None
              ) -> Iterator[Job]:
        """Each shard's records, one shard at a time, as jobs for the helpers: one per
        language not kept from the output folder; then those of ``more()`` (added to ``todo``)."""
        yield from self._shard_jobs(todo, make)
        if more is not None:
            rest = [planned for planned in more() if not self._remembered(planned.name, planned.key)]
            todo.extend(rest)
            yield from self._shard_jobs(rest, make)

    def _shard_jobs(self, todo: Sequence[P], make: Callable[[P], Shard]) -> Iterator[Job]:
        for planned in queue_order(todo, lambda p: len(p.entries), lambda p: p.name):
            shard = make(planned)
            if not planned.key and self._remembered(shard.name, shard.key):
                continue
            parts: list[Part | tuple[str, str]] = []
            for language in sorted({r.language for r in shard.records}):
                data = encoded([r for r in shard.records if r.language == language])
                key = cache_key("search-part", shard.name, language, pagefind_version(),
                                hashlib.sha256(data).hexdigest())
                found = (kept_part(self._store, key, language, self._on_disk)
                         if self._store is not None and self._on_disk is not None else None)
                if found is None:
                    parts.append((key, language))
                    yield Job(f"{shard.name}/{language}", data)  # Pagefind begins before the next language is encoded
                else:
                    parts.append(found)
                del data
            self._pending.append((shard.name, shard.key, parts))
            del shard  # the next shard's records are made without these

    def widen(self) -> None:
        """Index shards at once on every core from now on (the pages are rendered)."""
        if self._run is not None:
            self._run.widen()

    def result(self, timeout: float = 600) -> dict[str, bytes | Kept]:
        """The shards' bundles, once made; raises :class:`SearchUnavailable` when Pagefind
        is missing or failed, :class:`SearchCancelled` once :attr:`cancel` is set. Only a
        bundle Pagefind made whole is remembered."""
        if self._error is not None:
            raise self._error
        files = dict(self._files)
        bundles = self._run.result(timeout, self.cancel) if self._run is not None else {}
        for name, key, waiting in self._pending:
            parts = tuple(p if isinstance(p, Part) else _part(name, *p, bundles[f"{name}/{p[1]}"]) for p in waiting)
            out: dict[str, bytes | Kept] = {}
            for part in parts:
                out.update(part.files)
            out[f"{ROOT}/{name}/{ENTRY}"] = merged_entry(json.loads(part.entry) for part in parts)
            if all(type(data) is bytes for data in out.values()):  # a kept file may go: the store has it
                _memo[name] = (key, out)
            files.update(out)
            self.indexed.append(Indexed(name, key, parts))
        return files

    def stop(self) -> None:
        """Stop Pagefind now (the build failed): nothing it made is kept."""
        self.cancel.set()
        if self._run is not None:
            self._run.stop()


def _installed(jobs: Iterator[Job]) -> Iterator[Job]:
    """``jobs``, Pagefind looked for once the first is handed to its helper (or when there
    are none): finding it imports Pagefind's package (asyncio, logging: ~0.05 s), not on an
    edit's way. Raises :class:`SearchUnavailable` when it is not installed."""
    for job in jobs:
        yield job
        break
    if executable() is None:
        raise SearchUnavailable(NOT_INSTALLED)
    yield from jobs


NOT_INSTALLED = "Pagefind is not installed (pip install 'pagefind[extended]')"


def _part(name: str, key: str, language: str, bundle: dict[str, bytes]) -> Part:
    """The part Pagefind made of one language's records of the shard ``name``."""
    entry = bundle.pop(ENTRY)
    return Part(key, language, entry, shard_files(Shard(name, ()), bundle))
