"""Client-side search: a Pagefind index built from the site model, not from rendered pages.

Each article is one record per language, the text its single-language page shows there
(title, lead-photo caption, byline names, body, tags); the parallel page repeats both and
is left out, as are listings and an English page whose translation is pending (it shows the
Arabic, which the Arabic page already holds). Pagefind keeps one index per record language,
so a reader on an Arabic page searches the Arabic text and a reader on an English page the
English. The record text has Arabic folded (diacritics and tatweel dropped, أ/إ/آ/ٱ -> ا,
ة -> ه, ى -> ي); ``static/search.js`` folds the reader's query the same way, so the two match
whatever spelling either side used. Titles and summaries (the ``meta`` a result shows) keep
the original spelling.

A missing Pagefind binary or a failing run is a warning: the site is built without search.
"""

from __future__ import annotations

import threading
from pathlib import Path

from ..content.markup import plain_text
from ..errors import SearchCancelled, SearchUnavailable
from ..site.model import Entry, Site, version
from ..site.summary import summary
from ..text import fold_arabic
from .pagefindapi import Record, build_bundle

SEARCH_PREFIX = "search-"
"""``search-<pid>``: the work-area folder the output's lock keeps for this process
(:func:`digest.output.workarea.clear`); the search stage itself writes no folder now."""

BUNDLE = "pagefind"
SUMMARY_CHARS = 240
"""As long as the summary the article template gives Pagefind (``summary[content]``)."""

_memo: list = []
"""``[records, bundle]`` of the last index built."""
_by_entry: dict[str, tuple[Entry, str, tuple[Record, ...]]] = {}
"""Slug -> the entry object, source language and the records made of it (``digest serve``
makes records again only for the entries that changed)."""


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
    src, tgt = site.source_lang, site.target_lang
    records: list[Record] = []
    kept: dict[str, tuple[Entry, str, tuple[Record, ...]]] = {}
    for entry in site.entries:
        last = _by_entry.get(entry.slug)
        if last is not None and last[0] is entry and last[1] == src:
            made = last[2]
        else:
            made = entry_records(entry, src, tgt)
        kept[entry.slug] = (entry, src, made)
        records.extend(made)
    _by_entry.clear()
    _by_entry.update(kept)
    return records


def search_bundle(site: Site, *, timeout: float = 600, cancel: threading.Event | None = None) -> dict[str, bytes]:
    """The Pagefind bundle (``pagefind/...``) for ``site``.

    Raises :class:`SearchUnavailable` when the binary is missing or fails, and
    :class:`SearchCancelled` (Pagefind stopped) as soon as ``cancel`` is set. The result is
    remembered for identical records, so a rebuild that changed no article skips Pagefind.
    """
    return _bundle(search_records(site), timeout, cancel)


def _bundle(records: list[Record], timeout: float, cancel: threading.Event | None) -> dict[str, bytes]:
    if not records:  # no article yet: nothing to index
        return {}
    if _memo and _memo[0] == records:  # the unchanged entries' records are the same objects: cheap
        return dict(_memo[1])
    if executable() is None:
        raise SearchUnavailable("Pagefind is not installed (pip install 'pagefind[extended]')")
    if cancel is not None and cancel.is_set():
        raise SearchCancelled()
    files = build_bundle(records, cancel=cancel, timeout=timeout)
    out = {f"{BUNDLE}/{path}": data for path, data in files.items()}
    _memo[:] = [records, out]
    return dict(out)


class Indexing:
    """:func:`search_bundle` with Pagefind working in a thread: the records are made here
    (Python, beside the renderer, would only take turns with it), Pagefind, a process of its
    own, indexes them on another core while the pages render."""

    def __init__(self, site: Site, cancel: threading.Event | None = None,
                 records: list[Record] | None = None) -> None:
        self.cancel = cancel or threading.Event()
        """Set it to stop Pagefind (the build failed, or newer pages are on their way)."""
        self._outcome: dict[str, bytes] | BaseException = {}
        self._thread = threading.Thread(target=self._run, args=(search_records(site) if records is None else records,),
                                        name="search", daemon=True)
        self._thread.start()

    def _run(self, records: list[Record]) -> None:
        try:
            self._outcome = _bundle(records, 600, self.cancel)
        except BaseException as exc:  # handed to whoever waits, in their thread
            self._outcome = exc

    def result(self) -> dict[str, bytes]:
        """The bundle, once made; raises what :func:`search_bundle` raised."""
        self._thread.join()
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        return self._outcome
