"""Client-side search: a Pagefind index built from the site model, not from rendered pages.

Each article is one record per language, the text its single-language page shows there
(title, lead-photo caption, byline names, body, tags); the parallel page repeats both and
is left out, as are listings and an English page whose translation is pending (it shows the
Arabic, which the Arabic page already holds). Pagefind keeps one index per record language,
so a reader on an Arabic page searches the Arabic text and a reader on an English page the
English. The record text has Arabic folded (diacritics and tatweel dropped, أ/إ/آ/ٱ -> ا,
ة -> ه, ى -> ي); ``static/search.js`` folds the reader's query the same way, so the two match
whatever spelling either side used. Titles and summaries (the ``meta`` a result shows) keep
the original spelling. The records are indexed in shards of consecutive months, one Pagefind
bundle each (:mod:`digest.render.shards`), by helper processes beside the build
(:mod:`digest.render.indexer`), each language of a shard apart (:mod:`digest.render.searchindex`).

A missing Pagefind binary or a failing run is a warning: the site is built without search.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from ..content.cache import reading_key
from ..content.markup import plain_text
from ..content.store import BuildStore, cache_key
from ..site.model import Entry, Site, version
from ..site.summary import summary
from ..text import fold_arabic
from .bundlecache import kept_shards
from .kept import Kept
from .pagefindapi import Record, from_rows, pagefind_version, rows
from .pagekeys import Fingerprints, Unhashable
from .searchindex import Indexing, _memo
from .searchindex import executable as executable  # where the tests and the build's callers look
from .searchindex import runs as runs
from .shards import ROOT, Shard, around, by_months

SUMMARY_CHARS = 240
"""As long as the summary the article template gives Pagefind (``summary[content]``)."""
_by_entry: dict[str, tuple[Entry, str, tuple[Record, ...]]] = {}
"""Slug -> the entry object, source language and the records made of it (:func:`search_bundle`
makes records again only for the entries that changed; a build with a store reads them there)."""
_printed: dict[str, tuple[Entry, str]] = {}
"""Slug -> the entry object and its :func:`made_of` text, for the next plan of this process."""


def release() -> None:
    """Forget the last index; the next one is made afresh."""
    _memo.clear()
    _by_entry.clear()
    _printed.clear()


def forget_entries() -> None:
    """Forget the entries kept for a next plan and index (every entry of the last site)."""
    _by_entry.clear()
    _printed.clear()


def entry_records(entry: Entry, source_lang: str, target_lang: str) -> tuple[Record, ...]:
    """The search records of one article: its text in each language it has."""
    english, article = entry.english, entry.article
    out = []
    for lang in (source_lang, target_lang):
        if lang != source_lang and english.pending:
            continue
        _, title, blocks = version(entry, lang, source_lang)
        parts = [title]
        photo = entry.images.lead
        if photo is not None:
            parts += [photo.caption or "", photo.credit or ""]
        source = english.source.text if lang != source_lang and english.source else article.source
        parts += [source or "", article.author or ""]
        parts += [plain_text(text, block.plain) for block in blocks for text in block.texts]
        tags = tuple(_tag(entry, i, name, lang, source_lang) for i, name in enumerate(article.tags))
        parts += tags
        meta = [("title", title), ("summary", summary(blocks, SUMMARY_CHARS))]
        if photo is not None:
            meta += [("image", "/" + photo.main.path), ("image_alt", photo.alt or "")]
        content = fold_arabic(" ".join(" ".join(p.split()) for p in parts if p))
        # Tags are searched words, not Pagefind filters: Pagefind writes filters in hash-map
        # order (the bundle would change on every build) and its UI would grow a filter panel.
        out.append(Record("/" + entry.url(lang), lang, content, tuple(meta)))
    return tuple(out)


def _tag(entry: Entry, index: int, name: str, lang: str, source_lang: str) -> str:
    if lang == source_lang:
        return name
    named = entry.english.tag(index)
    return named.text if named else name


def search_records(site: Site) -> list[Record]:
    """Every search record of ``site``, in the order of its entries."""
    src, tgt = site.source_lang, site.target_lang
    return [record for entry in site.entries for record in _records(entry, src, tgt)]


class Planned:
    """A shard before its records are made: its name, entries and the key of its bundle
    (``key``: a hash of what the shard's records are made of, see :func:`plan`; empty when
    an entry's value cannot be hashed: the key is then the records' own)."""

    __slots__ = ("name", "key", "entries", "_texts", "_base", "_keys")

    def __init__(self, name: str, key: str, entries: tuple[Entry, ...], texts: tuple[str, ...] = (),
                 base: str = "") -> None:
        self.name, self.key, self.entries = name, key, entries
        self._texts, self._base = texts, base
        self._keys: tuple[str, ...] | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        """The key of each entry's records in the build store (what they are made of), when
        :attr:`key` is not empty; hashed on first use: only a shard to index, or the
        build's end, needs them."""
        if self._keys is None:
            base = self._base
            self._keys = tuple(cache_key(base, text) for text in self._texts)
        return self._keys

    @property
    def prefix(self) -> str:
        """Where the shard's bundle lives in the site, with a trailing ``/``."""
        return f"{ROOT}/{self.name}/"


def plan(site: Site, prints: Fingerprints | None = None) -> list[Planned]:
    """The shards of ``site`` (:mod:`digest.render.shards`), each keyed by what its records
    are made of, no record made: every entry's value (:func:`made_of`), the languages, how
    the content was read, the code that makes records and Pagefind's version. An unchanged
    shard's bundle is then found without making its records, and the hashes an edit's shard
    needs first are one per shard (each entry's own key, for the build store's records, is
    hashed when asked: :attr:`Planned.keys`).

    ``prints``: the page keys' (:class:`~digest.render.pagekeys.Fingerprints`), so each entry
    is printed once for both; an entry this process printed in an earlier build (the same
    object, ``digest serve``) is not printed again."""
    return planned_all(site, months_of(site), prints)


def months_of(site: Site) -> list[tuple[str, list[Entry]]]:
    """The shards' names and entries (:func:`~digest.render.shards.by_months`), no key made."""
    return by_months(((e.article.date, e) for e in site.entries), site.config.site.search_shard_articles)


def planned_all(site: Site, months: Sequence[tuple[str, Sequence[Entry]]], prints: Fingerprints | None,
                done: Mapping[str, Planned] | None = None) -> list[Planned]:
    """:func:`plan` of the shards ``months`` (all of ``site``'s), those of ``done`` (by name)
    as planned already."""
    base = records_base(site)
    prints = prints or Fingerprints()
    done = done or {}
    out = [done.get(name) or planned_shard(name, entries, base, prints) for name, entries in months]
    names, slugs = {p.name for p in out}, {e.slug for e in site.entries}
    for gone in set(_memo) - names:  # a shard no longer made: its bundle is not needed
        del _memo[gone]
    for memo in (_by_entry, _printed):  # so a long session's memory stays flat
        for slug in memo.keys() - slugs:
            del memo[slug]
    return out


def records_base(site: Site) -> str:
    return cache_key("search-records", _code(), _pagefind_version(), site.source_lang, site.target_lang,
                     reading_key(site.config))


def planned_shard(name: str, entries: Sequence[Entry], base: str, prints: Fingerprints) -> Planned:
    """One shard of :func:`plan`."""
    texts = _texts(entries, prints)
    if texts is None:
        return Planned(name, "", tuple(entries))
    whole = hashlib.sha256("\n".join(texts).encode("utf-8", "surrogatepass")).hexdigest()
    return Planned(name, cache_key("search-shard", name, base, whole), tuple(entries), texts, base)


def made_of(entry: Entry, prints: Fingerprints | None = None) -> str | None:
    """A text standing for everything :func:`entry_records` reads of ``entry`` (equal texts,
    equal records): its print by value (:meth:`~digest.render.pagekeys.Fingerprints.of`), which
    the page keys make anyway; None if its value cannot be hashed.

    The print stands for more than the records read (the English's scores, the photo's other
    sizes): a change to one of those indexes the entry's shard again, needlessly but rarely."""
    try:
        return "print " + (prints or Fingerprints()).of(entry)
    except (Unhashable, RecursionError):
        return None


def _texts(entries: Sequence[Entry], prints: Fingerprints) -> tuple[str, ...] | None:
    """Each entry's :func:`made_of` (kept for the next build of this process, by slug);
    None when an entry's value cannot be hashed."""
    out = []
    for entry in entries:
        last = _printed.get(entry.slug)
        if last is not None and last[0] is entry:
            out.append(last[1])
            continue
        text = made_of(entry, prints)
        if text is None:
            return None
        _printed[entry.slug] = (entry, text)
        out.append(text)
    return tuple(out)


def made(site: Site, planned: Planned, store: BuildStore | None = None, stored: Mapping[str, object] | None = None
         ) -> Shard:
    """The shard ``planned`` with its records: each entry's taken from ``store`` when it
    holds them under the entry's key (``stored``: what it holds, if read already), made
    (and put there) otherwise."""
    src, tgt = site.source_lang, site.target_lang
    if stored is None:
        stored = store.get_many("records", planned.keys) if store is not None and planned.keys else {}
    new: list[tuple[str, object]] = []
    records: list[Record] = []
    for i, entry in enumerate(planned.entries):
        last = _in_memory(entry, src)
        if last is not None:
            records.extend(last)
            continue
        found = from_rows(stored.get(planned.keys[i])) if stored else None
        if found is None:
            found = entry_records(entry, src, tgt)
            if planned.keys:
                new.append((planned.keys[i], rows(found)))
        if store is None:  # else the store keeps them: not a second copy of every article's text here
            _by_entry[entry.slug] = (entry, src, found)
        records.extend(found)
    if store is not None and new:
        store.put_many("records", new)
    shard_records = tuple(records)
    return Shard(planned.name, shard_records, planned.key or records_key(shard_records, planned.name))


def to_index(store: BuildStore, site: Site, shards: Sequence[Planned], on_disk: Mapping[str, str] | None
             ) -> tuple[dict[str, bytes | Kept], list[Shard]]:
    """The bundles of ``shards`` the output folder holds (:func:`~digest.render.bundlecache.kept_shards`),
    and the shards Pagefind must index, with their records: only those shards' records are made."""
    kept, missing = planned_index(store, shards, on_disk)
    return kept, [made(site, planned, store) for planned in missing]


def index_again(store: BuildStore, site: Site, shards: Sequence[Planned], on_disk: Mapping[str, str] | None,
                cancel: threading.Event | None, folder: Path) -> tuple[dict[str, bytes | Kept], Indexing | None]:
    """The bundles of ``shards`` the output folder holds, and the others begun on every core
    (``digest serve`` bringing the index of its last build up to date)."""
    kept, missing = planned_index(store, shards, on_disk)
    indexing = (Indexing(missing, lambda planned: made(site, planned, store), cancel, folder, None, store, on_disk)
                if missing else None)
    return kept, indexing


def planned_index(store: BuildStore, shards: Sequence[Planned], on_disk: Mapping[str, str] | None
                  ) -> tuple[dict[str, bytes | Kept], list[Planned]]:
    """:func:`to_index` without making records: the bundles kept and the shards to index."""
    kept, missing = kept_shards(store, shards, on_disk)
    keep_records(store, shards)
    return kept, missing


def keep_records(store: BuildStore, shards: Sequence[Planned]) -> None:
    """Note the stored records of every entry of ``shards`` as in use: those of kept shards
    are not read, but an edit there will want them."""
    store.keep("records", (key for planned in shards for key in planned.keys))


def _in_memory(entry: Entry, src: str) -> tuple[Record, ...] | None:
    """The records made for this very ``entry`` (with ``src`` its original's language) by
    an earlier index in this process, if any."""
    last = _by_entry.get(entry.slug)
    return last[2] if last is not None and last[0] is entry and last[1] == src else None


def unmade(site: Site, planned: Planned, stored: Mapping[str, object]) -> int:
    """How many entries of ``planned`` have records neither ``stored`` nor in memory."""
    src = site.source_lang
    return sum(1 for i, entry in enumerate(planned.entries)
               if _in_memory(entry, src) is None and (not planned.keys or planned.keys[i] not in stored))


def search_shards(site: Site) -> list[Shard]:
    """The records of ``site`` in shards of consecutive months (:mod:`digest.render.shards`)."""
    return [made(site, planned) for planned in plan(site)]


def _records(entry: Entry, src: str, tgt: str) -> tuple[Record, ...]:
    """:func:`entry_records`, made again only for an entry object not seen last time."""
    last = _by_entry.get(entry.slug)
    if last is not None and last[0] is entry and last[1] == src:
        return last[2]
    out = entry_records(entry, src, tgt)
    _by_entry[entry.slug] = (entry, src, out)
    return out


def records_key(records: tuple[Record, ...], name: str) -> str:
    """A shard's key from its records themselves (when its entries cannot be hashed)."""
    digest = hashlib.sha256(_pagefind_version().encode() + b"\0" + name.encode())
    for record in records:
        digest.update(b"\0" + repr(record).encode("utf-8", "surrogatepass"))
    return cache_key("bundle", digest.hexdigest())


_SHAPING = ("render/search.py", "render/pagefindapi.py", "content/markup.py", "site/summary.py", "site/model.py",
            "text.py")
"""The modules whose code decides what records an entry gives (and how Pagefind is fed)."""


@lru_cache(maxsize=1)
def _code() -> str:
    """A hash of the code of :data:`_SHAPING`: a change to how records are made re-indexes
    every shard, whether or not digest's version changed."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for name in _SHAPING:
        digest.update(name.encode() + b"\0" + (root / name).read_bytes() + b"\0")
    return digest.hexdigest()


_pagefind_version = pagefind_version


def search_bundle(site: Site, *, timeout: float = 600, cancel: threading.Event | None = None
                  ) -> dict[str, bytes | Kept]:
    """The Pagefind bundles of every shard of ``site`` (``pagefind/<shard>/...``), the UI's
    files and the list of shards.

    Raises :class:`SearchUnavailable` when the binary is missing or fails, and
    :class:`SearchCancelled` (Pagefind stopped) as soon as ``cancel`` is set. Each shard's
    bundle is remembered for identical records, so a rebuild that changed no article of a
    shard skips Pagefind for it.
    """
    shards = plan(site)
    files = Indexing(shards, lambda planned: made(site, planned), cancel, lanes=None).result(timeout)
    files.update(around(shards, files))
    return files
