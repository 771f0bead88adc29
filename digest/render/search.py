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
bundle each (:mod:`digest.render.shards`).

A missing Pagefind binary or a failing run is a warning: the site is built without search.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from ..content.markup import plain_text
from ..errors import SearchCancelled, SearchUnavailable
from ..site.model import Entry, Site, version
from ..site.summary import summary
from ..text import fold_arabic
from .pagefindapi import Record, build_bundle
from .shards import Shard, around, group, shard_files

SUMMARY_CHARS = 240
"""As long as the summary the article template gives Pagefind (``summary[content]``)."""

_memo: dict[str, tuple[tuple[Record, ...], dict[str, bytes]]] = {}
"""Shard name -> the records and bundle of the last index built of it."""
_by_entry: dict[str, tuple[Entry, str, tuple[Record, ...]]] = {}
"""Slug -> the entry object, source language and the records made of it (``digest serve``
makes records again only for the entries that changed)."""
runs: list[str] = []
"""The shards Pagefind indexed in this process, in order (what a test counts)."""


def release() -> None:
    """Forget the last index; the next one is made afresh."""
    _memo.clear()
    _by_entry.clear()


def executable() -> Path | None:
    """The Pagefind binary from the ``pagefind[extended]`` package or ``PATH``, if any."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    found = get_executable()
    return found if found and Path(found).exists() else None


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
    return [record for _, made in _dated_records(site) for record in made]


def search_shards(site: Site) -> list[Shard]:
    """The records of ``site`` in shards of consecutive months (:mod:`digest.render.shards`)."""
    shards = group(_dated_records(site), site.config.site.search_shard_articles)
    for gone in set(_memo) - {s.name for s in shards}:  # a shard no longer made: its bundle is not needed
        del _memo[gone]
    return shards


def _dated_records(site: Site) -> list[tuple[dt.date, tuple[Record, ...]]]:
    src, tgt = site.source_lang, site.target_lang
    out = []
    kept: dict[str, tuple[Entry, str, tuple[Record, ...]]] = {}
    for entry in site.entries:
        last = _by_entry.get(entry.slug)
        if last is not None and last[0] is entry and last[1] == src:
            made = last[2]
        else:
            made = entry_records(entry, src, tgt)
        kept[entry.slug] = (entry, src, made)
        out.append((entry.article.date, made))
    _by_entry.clear()
    _by_entry.update(kept)
    return out


def search_bundle(site: Site, *, timeout: float = 600, cancel: threading.Event | None = None) -> dict[str, bytes]:
    """The Pagefind bundles of every shard of ``site`` (``pagefind/<shard>/...``), the UI's
    files and the list of shards.

    Raises :class:`SearchUnavailable` when the binary is missing or fails, and
    :class:`SearchCancelled` (Pagefind stopped) as soon as ``cancel`` is set. Each shard's
    bundle is remembered for identical records, so a rebuild that changed no article of a
    shard skips Pagefind for it.
    """
    shards = search_shards(site)
    files: dict[str, bytes] = {}
    for shard in shards:
        files.update(shard_bundle(shard, timeout, cancel))
    return files | around(shards, files)


def shard_bundle(shard: Shard, timeout: float = 600, cancel: threading.Event | None = None) -> dict[str, bytes]:
    """The Pagefind bundle of one shard, its paths under ``pagefind/<shard>/``."""
    last = _memo.get(shard.name)
    if last is not None and last[0] == shard.records:  # unchanged entries' records are the same objects: cheap
        return dict(last[1])
    if executable() is None:
        raise SearchUnavailable("Pagefind is not installed (pip install 'pagefind[extended]')")
    if cancel is not None and cancel.is_set():
        raise SearchCancelled()
    runs.append(shard.name)
    files = build_bundle(shard.records, cancel=cancel, timeout=timeout)
    out = shard_files(shard, files)
    _memo[shard.name] = (shard.records, out)
    return dict(out)


class Indexing:
    """:func:`shard_bundle` of some shards with Pagefind working in a thread: the records are
    made by the caller (Python, beside the renderer, would only take turns with it), Pagefind,
    a process of its own per shard and language, one at a time, indexes them on another core
    while the pages render."""

    def __init__(self, shards: list[Shard], cancel: threading.Event | None = None) -> None:
        self.cancel = cancel or threading.Event()
        """Set it to stop Pagefind (the build failed, or newer pages are on their way)."""
        self.shards = shards
        self._outcome: dict[str, bytes] | BaseException = {}
        self._thread = threading.Thread(target=self._run, name="search", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            files: dict[str, bytes] = {}
            for shard in self.shards:
                files.update(shard_bundle(shard, 600, self.cancel))
            self._outcome = files
        except BaseException as exc:  # handed to whoever waits, in their thread
            self._outcome = exc

    def result(self) -> dict[str, bytes]:
        """The shards' bundles, once made; raises what :func:`shard_bundle` raised."""
        self._thread.join()
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        return self._outcome
