"""The search index begun early: an edit's shard handed to Pagefind before the pages render.

:class:`BeginIndex` plans the shards of a site (:func:`~digest.render.search.plan`), takes the
bundles the build store keeps, and begins Pagefind (:class:`~digest.render.searchindex.Indexing`)
on the others, as soon as the site model is made when few records are to be made (an
edit), else beside the render's workers. The shards of the files a build read afresh are
planned and handed over first; the others' keys (every entry printed) are worked out while
Pagefind indexes.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

from ..content.store import BuildStore
from ..site.model import Entry, Site
from .bundlecache import kept_shards
from .indexer import Standby
from .kept import Kept
from .pagekeys import Fingerprints
from .search import (
    Planned,
    forget_entries,
    keep_records,
    made,
    months_of,
    plan,
    planned_all,
    planned_shard,
    records_base,
    unmade,
)
from .searchindex import Indexing
from .shards import Shard

EARLY_RECORDS = 200
"""An index whose shards to index lack the records of at most this many entries (an edit,
today's articles) begins before the pages render: making so few costs the render little."""


class BeginIndex:
    """The search index of ``site`` begun: its shards planned, the bundles the build store
    keeps, and Pagefind indexing the others beside the build (:class:`Indexing`).

    :meth:`early`, as soon as the site model is made, plans the shards and begins at once
    when the records to make are few (:data:`EARLY_RECORDS`; the others come from the build
    store): an edit's shard is indexed while the pages render. Otherwise (a cold build) the
    renderer calls it once its workers are forked (or before it renders alone), where the
    records are made beside the workers. More calls do nothing.

    ``fresh``: the content files this build read afresh (not served by the build store): the
    shards holding their entries are planned, checked and handed to Pagefind first, and the
    other shards (every entry printed) planned while Pagefind indexes; each shard's key is
    checked all the same, so another shard that changed (an article deleted or moved to
    another month) is indexed too. ``standby``: a helper the build started as it began,
    which takes the first job (:class:`~digest.render.indexer.Standby`)."""

    def __init__(self, store: BuildStore, site: Site, prints: Fingerprints | None,
                 on_disk: Mapping[str, str] | None, folder: Path | None = None, fresh: Collection[str] = (),
                 standby: Standby | None = None) -> None:
        self._store, self._site, self._prints, self._on_disk, self._folder = store, site, prints, on_disk, folder
        self._fresh, self._standby = fresh, standby
        self.shards: list[Planned] = []
        self.kept: dict[str, bytes | Kept] = {}
        self.indexing: Indexing | None = None
        self._missing: list[Planned] | None = None
        self._first: tuple[list[tuple[str, list[Entry]]], dict[str, Planned], dict[str, bytes | Kept],
                           list[Planned]] | None = None
        self._stored: dict[str, dict[str, object]] = {}
        self._begun = False

    def early(self) -> bool:
        """Plan the shards; begin now if few records are to be made. True if begun."""
        if self._begun or self._missing is not None:
            return self._begun
        if self._early_first():
            return True
        if self._to_make(self._plan()) <= EARLY_RECORDS:
            self(lanes=None)  # before the render: both languages of an edit's shard at once
        else:
            self._stored.clear()  # read again when begun: not held through the render's fork
        return self._begun

    def _early_first(self) -> bool:
        """Begin with the shards of the fresh files' entries, planned alone, when some of
        them are to be indexed, with few records to make, and other shards are left to plan."""
        if not self._fresh or len(self._fresh) > EARLY_RECORDS:  # a cold build's: not worth the look (~26 ms)
            return False
        months = months_of(self._site)
        fresh = self._fresh
        names = {name for name, entries in months for e in entries if _read_from(e, fresh)}
        if not names or len(names) == len(months):
            self._stored.clear()
            return False
        self._prints = self._prints or Fingerprints()
        base = records_base(self._site)
        first = [planned_shard(name, entries, base, self._prints) for name, entries in months if name in names]
        kept, missing = kept_shards(self._store, first, self._on_disk)
        if not missing or self._to_make(missing) > EARLY_RECORDS:
            self._stored.clear()
            return False
        self._first = (months, {p.name: p for p in first}, kept, missing)
        self(lanes=None)
        return True

    def _to_make(self, shards: list[Planned]) -> int:
        """How many entries of ``shards`` lack stored records; the stored ones are read and
        kept for :meth:`_made`."""
        count = 0
        for planned in shards:
            self._stored[planned.name] = self._store.get_many("records", planned.keys) if planned.keys else {}
            count += unmade(self._site, planned, self._stored[planned.name])
        return count

    def _rest(self) -> list[Planned]:
        """The whole plan once the first shards are handed over: every shard's key, the
        bundles kept, and the shards to index besides the first (returned)."""
        assert self._first is not None
        months, done, kept, missing = self._first
        self._first = None
        self.shards = planned_all(self._site, months, self._prints, done)
        kept_rest, rest = kept_shards(self._store, [p for p in self.shards if p.name not in done], self._on_disk)
        self.kept, self._missing = {**kept, **kept_rest}, missing + rest
        return rest

    def __call__(self, lanes: int | None = 1) -> None:
        """Begin with ``lanes`` Pagefind processes (None: one per core); the renderer calls
        it beside its workers, with one."""
        if self._begun:
            return
        self._begun = True
        if self._first is not None:
            missing = self._first[3]
            self.indexing = Indexing(missing, self._made, folder=self._folder, store=self._store,
                                     on_disk=self._on_disk, lanes=lanes, more=self._rest, standby=self._standby)
            if self._first is not None:  # Pagefind failed before the rest was asked for
                self._rest()
        else:
            missing = self._plan()
            self.indexing = Indexing(missing, self._made, folder=self._folder, store=self._store,
                                     on_disk=self._on_disk, lanes=lanes, standby=self._standby) if missing else None
        self._stored.clear()
        keep_records(self._store, self.shards)  # once Pagefind has begun: not on its way

    def _made(self, planned: Planned) -> Shard:
        """``planned``'s records, with those read from the store by :meth:`early` if it did."""
        return made(self._site, planned, self._store, self._stored.pop(planned.name, None))

    def _plan(self) -> list[Planned]:
        """The shards Pagefind must index (planned once: the shards and kept bundles too)."""
        if self._missing is None:
            self.shards = plan(self._site, self._prints)
            self.kept, self._missing = kept_shards(self._store, self.shards, self._on_disk)
        return self._missing

    @property
    def to_index(self) -> int:
        """How many shards Pagefind indexes (none before it begins)."""
        return len(self._missing or ()) if self._begun else 0

    def forget_entries(self) -> None:
        """Drop the site model and entries once begun (every shard's records are made then)."""
        if self._begun:
            self._site, self._prints = Site(self._site.config, (), (), ()), None
            for planned in self.shards:
                planned.entries = ()
            forget_entries()  # memos for a next plan in this process: they hold every entry

    def widen(self) -> None:
        """The pages are rendered: Pagefind may have every core (:meth:`Indexing.widen`)."""
        if self.indexing is not None:
            self.indexing.widen()


def _read_from(entry: Entry, fresh: Collection[str]) -> bool:
    """Whether ``entry``'s article or human translation is one of the ``fresh`` files."""
    article = entry.article
    return str(article.path) in fresh or (article.human is not None and str(article.human.path) in fresh)
