"""The site model: every page of both languages, decided before anything is rendered.

URLs are built from slugs (never from translations) so they stay stable:

- ``index.html`` (+ ``page/N/``): the bilingual digest, newest first
- ``ar/``, ``en/`` (+ ``page/N/``): one index per language
- ``articles/<slug>/``: the parallel page; ``articles/<slug>/ar/`` and ``.../en/`` per language
- ``tags/<tag>/``: tag pages; ``404.html``; ``sitemap.xml``
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Sequence

from ..config import Config
from ..content.articles import Article, slugify, tag_key
from ..content.markup import Block
from ..text import direction
from ..translate.stage import English
from .summary import summary


@dataclass(frozen=True)
class Entry:
    """One article in both languages, as pages and indexes see it."""

    article: Article
    english: English

    @property
    def slug(self) -> str:
        return self.article.slug

    def url(self, lang: str | None = None) -> str:
        """Path of the parallel page (``lang=None``) or of one language's page."""
        return f"articles/{self.slug}/" + (f"{lang}/" if lang else "")

    def title(self, lang: str, source_lang: str) -> str | None:
        return self.article.title if lang == source_lang else self.english.title


@dataclass(frozen=True)
class Tag:
    """A tag and its articles. Two tags are equal when name, slug and count are: a tag page
    shows its own chunk of ``entries`` (in its context), so another article of the tag
    changing does not make every page of the tag render again."""

    name: str
    slug: str
    entries: tuple[Entry, ...] = field(compare=False)
    count: int = 0

    @property
    def url(self) -> str:
        return f"tags/{self.slug}/"


@dataclass(frozen=True)
class Page:
    """One HTML page to render: where it goes, with which template, in which language."""

    url: str
    template: str
    lang: str
    context: dict[str, Any] = field(default_factory=dict, compare=False)
    alternates: tuple[tuple[str, str], ...] = ()
    """``(language, url)`` of every version of this page, itself included."""

    @cached_property
    def path(self) -> str:
        """The output file for this page's URL."""
        return self.url + "index.html" if self.url == "" or self.url.endswith("/") else self.url

    @property
    def dir(self) -> str:
        return direction(self.lang)


@dataclass(frozen=True)
class Site:
    """Everything the renderer needs, complete and immutable."""

    config: Config
    entries: tuple[Entry, ...]
    tags: tuple[Tag, ...]
    pages: tuple[Page, ...]

    @property
    def source_lang(self) -> str:
        return self.config.site.source_language

    @property
    def target_lang(self) -> str:
        return self.config.site.target_language

    @property
    def languages(self) -> tuple[str, str]:
        return (self.source_lang, self.target_lang)


def _paginate(base: str, items: Sequence[Entry], size: int) -> list[tuple[str, tuple[Entry, ...], dict]]:
    """Split ``items`` into pages at ``base``, ``base + page/2/``...; always at least one."""
    count = max(1, math.ceil(len(items) / size))
    urls = [base if n == 1 else f"{base}page/{n}/" for n in range(1, count + 1)]
    pages = []
    for n in range(1, count + 1):
        chunk = tuple(items[(n - 1) * size : n * size])
        nav = {
            "number": n,
            "count": count,
            "previous": urls[n - 2] if n > 1 else None,
            "next": urls[n] if n < count else None,
        }
        pages.append((urls[n - 1], chunk, nav))
    return pages


def _lang_versions(bases: dict[str | None, str], size: int, items: Sequence[Entry]):
    """Paginate the same ``items`` at one base per language; page N of each lists the others.

    ``bases`` maps a language (``None`` for the bilingual version, the ``x-default``) to its
    base URL. Yields ``(lang, url, chunk, nav, alternates)``.
    """
    paged = {lang: _paginate(base, items, size) for lang, base in bases.items()}
    for n in range(len(next(iter(paged.values())))):
        alternates = tuple(("x-default" if lang is None else lang, paged[lang][n][0]) for lang in bases)
        for lang, pages in paged.items():
            url, chunk, nav = pages[n]
            yield lang, url, chunk, nav, alternates


def _description(entry: Entry, lang: str, src: str) -> str:
    return summary(version(entry, lang, src)[2], 200)


def version(entry: Entry, lang: str, source_lang: str) -> tuple[str, str, tuple[Block, ...]]:
    """``(text_lang, title, blocks)`` a reader of ``lang`` gets for ``entry``.

    A pending translation falls back to the original, labelled with its own language.
    """
    english = entry.english
    if lang == source_lang or english.pending or not english.title:
        return source_lang, entry.article.title, entry.article.blocks
    return lang, english.title, english.blocks


class _Pages:
    """Makes listing pages (indexes, tags, archives), handing back the last build's page
    where an equal one is asked for: same URL, template, language, alternates and context
    (its entries compared by identity first). The renderer then sees an unchanged listing
    page as the same object, an identity check, instead of comparing a new one."""

    def __init__(self, last: dict[str, Page]) -> None:
        self.last = last
        self.made: dict[str, Page] = {}

    def __call__(self, url: str, template: str, lang: str, context: dict[str, Any],
                 alternates: tuple[tuple[str, str], ...] = ()) -> Page:
        old = self.last.get(url)
        if (old is not None and old.template == template and old.lang == lang
                and old.alternates == alternates and old.context == context):
            page = old
        else:
            page = Page(url, template, lang, context, alternates)
        self.made[url] = page
        return page


class SiteModel:
    """Builds the site model again and again (``digest serve``), reusing the entry and the
    pages of every article whose article and English objects are the ones of the last build,
    and every listing page equal to the last one, so unchanged pages cost the renderer an
    identity check."""

    def __init__(self) -> None:
        self._config: Config | None = None
        self._entries: dict[str, tuple[Entry, tuple[Page, ...]]] = {}
        self._listings: dict[str, Page] = {}

    def build(self, config: Config, articles: Sequence[Article], english: dict[str, English]) -> Site:
        """Assemble the complete site model from loaded articles and their English."""
        src, tgt = config.site.source_language, config.site.target_language
        same_config = config == self._config
        last = self._entries if same_config else {}
        current: dict[str, tuple[Entry, tuple[Page, ...]]] = {}
        for article in articles:
            cached = last.get(article.slug)
            if cached is not None and cached[0].article is article and cached[0].english is english[article.slug]:
                current[article.slug] = cached
            else:
                entry = Entry(article, english[article.slug])
                current[article.slug] = (entry, _entry_pages(entry, src, tgt))
        pages = _Pages(self._listings if same_config else {})
        site = _assemble(config, current, pages)
        self._config, self._entries, self._listings = config, current, pages.made
        return site


def build_site(config: Config, articles: Sequence[Article], english: dict[str, English]) -> Site:
    """Assemble the complete site model from loaded articles and their English (once)."""
    return SiteModel().build(config, articles, english)


def _entry_pages(entry: Entry, src: str, tgt: str) -> tuple[Page, ...]:
    """The parallel page of one article and its page in each language.

    While the English is pending its page only holds the original and a notice: it is kept
    out of search engines (``noindex``, no sitemap entry) and no page names it as the
    article's English version.
    """
    versions = ((src, entry.url(src)), (tgt, entry.url(tgt)))
    pending = entry.english.pending
    alternates = (("x-default", entry.url()),) + (versions[:1] if pending else versions)
    pages = [Page(entry.url(), "parallel.html", src,
                  {"entry": entry, "description": _description(entry, src, src)}, alternates)]
    for lang, url in versions:
        context = {"entry": entry, "article_lang": lang, "description": _description(entry, lang, src)}
        if pending and lang == tgt:
            context["noindex"] = True
        pages.append(Page(url, "article.html", lang, context, alternates))
    return tuple(pages)


def _assemble(config: Config, entry_pages: dict[str, tuple[Entry, tuple[Page, ...]]], page=Page) -> Site:
    """The site of ``entry_pages`` (each entry with its own pages); ``page`` makes the
    listing pages."""
    src, tgt = config.site.source_language, config.site.target_language
    size = config.site.page_size
    entries = tuple(entry for entry, _ in entry_pages.values())
    # One tag per slug, named as first seen (newest article first): "News" and "news",
    # or two spellings that make one slug, share a page that lists each article once.
    tag_map: dict[str, list] = {}
    slugs: dict[str, str] = {}
    for entry in entries:
        for name in entry.article.tags:
            key = tag_key(name)
            slug = slugs.get(key) or slugs.setdefault(key, slugify(key))
            items = tag_map.setdefault(slug, [name, []])[1]
            if not items or items[-1] is not entry:
                items.append(entry)
    tags = tuple(
        Tag(name, slug, tuple(items), len(items)) for slug, (name, items) in sorted(tag_map.items())
    )
    pages: list[Page] = []
    indexes = {None: "", src: f"{src}/", tgt: f"{tgt}/"}
    for lang, url, chunk, nav, alternates in _lang_versions(indexes, size, entries):
        if lang is None:
            pages.append(page(url, "home.html", src, {"entries": chunk, "pagination": nav}, alternates))
        else:
            pages.append(page(url, "index.html", lang, {"entries": chunk, "pagination": nav, "index_lang": lang},
                              alternates))
    search = (("x-default", f"{src}/search/"), (src, f"{src}/search/"), (tgt, f"{tgt}/search/"))
    for lang, url in search[1:] if config.site.search else ():
        pages.append(page(url, "search.html", lang, {}, search))
    for _, own in entry_pages.values():
        pages.extend(own)
    for tag in tags:
        for url, chunk, nav in _paginate(tag.url, tag.entries, size):
            pages.append(page(url, "tag.html", src, {"tag": tag, "entries": chunk, "pagination": nav}))
    pages.append(page("tags/", "tags.html", src, {"tags": tags}))
    pages.extend(_archive_pages(entries, src, tgt, size, page))
    pages.append(page("404.html", "404.html", src, {"noindex": True}))
    return Site(config=config, entries=entries, tags=tags, pages=tuple(pages))


def _archive_pages(entries: Sequence[Entry], src: str, tgt: str, size: int, page=Page) -> list[Page]:
    """``archive/`` listing every month, and ``archive/YYYY/MM/`` (paginated) per month."""
    from ..content.dates import month_label

    months: dict[tuple[int, int], list[Entry]] = {}
    for entry in entries:
        day = entry.article.date
        months.setdefault((day.year, day.month), []).append(entry)
    listing = []
    pages: list[Page] = []
    for (year, month), items in sorted(months.items(), reverse=True):
        base = f"archive/{year:04d}/{month:02d}/"
        labels = tuple((lang, month_label(year, month, lang)) for lang in (src, tgt))
        listing.append({"url": base, "labels": labels, "count": len(items)})
        for url, chunk, nav in _paginate(base, items, size):
            pages.append(page(url, "archive.html", src, {"labels": labels, "entries": chunk, "pagination": nav}))
    pages.insert(0, page("archive/", "archives.html", src, {"months": tuple(
        (m["url"], m["labels"], m["count"]) for m in listing)}))
    return pages
