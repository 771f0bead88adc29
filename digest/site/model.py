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
from typing import Any, Callable, NamedTuple, Sequence

from ..config import Config
from ..content.articles import Article, Problem, slugify, tag_key
from ..content.markup import Block
from ..content.pack import DESCRIPTION, StoredBlocks, remember
from ..frozen import made
from ..text import direction
from ..translate.originals import known_hashes
from ..translate.stage import English, Name
from .images import NO_IMAGES, ArticleImages
from .inline import block_images
from .summary import summary


@dataclass(frozen=True)
class Entry:
    """One article in both languages, as pages and indexes see it."""

    article: Article
    english: English
    images: ArticleImages = NO_IMAGES

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
    english: Name | None = None
    """The tag's English name (from its newest article that has one), None while pending."""

    @property
    def url(self) -> str:
        return f"tags/{self.slug}/"

    def url_in(self, lang: str, source_lang: str) -> str:
        """The tag's page for readers of ``lang``: the same slug, under ``/<lang>/`` but
        in the source language."""
        return self.url if lang == source_lang else f"{lang}/{self.url}"


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
    problems: tuple[Problem, ...] = ()
    """Content the model could not place as asked (two tags made one page); built anyway."""

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


DESCRIPTION_CHARS = 200


def description(blocks: Sequence[Block]) -> str:
    """The page description of ``blocks``: their summary, as the article pack kept it
    for an unchanged file (its blocks are then not loaded)."""
    known = blocks.extras[DESCRIPTION] if type(blocks) is StoredBlocks else None  # checked when unpacked
    if known is not None:
        return known
    found = summary(blocks, DESCRIPTION_CHARS)
    remember(blocks, "description", found)
    return found


def derived(originals: dict, reading: str) -> Callable[[Sequence[Block]], dict[str, object]]:
    """What the article pack keeps with a file's blocks (:data:`~digest.content.pack.EXTRAS`):
    the description, the body images and, for a human translation and its article, what
    :func:`~digest.translate.originals.track_originals` worked out with ``originals`` (its
    memo) under the reading settings ``reading``."""
    hashes = known_hashes(originals, reading)
    return lambda blocks: {"description": description(blocks), "images": block_images(blocks), **hashes(blocks)}


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
            page = _page(url, template, lang, context, alternates)
        self.made[url] = page
        return page


class EntryPages(NamedTuple):
    """One article's entry and its own pages (parallel, one per language), kept by
    :class:`SiteModel` while the article and English objects stay the same."""

    entry: Entry
    pages: tuple[Page, ...]


class SiteModel:
    """Builds the site model again and again (``digest serve``), reusing the entry and the
    pages of every article whose article and English objects are the ones of the last build,
    and every listing page equal to the last one, so unchanged pages cost the renderer an
    identity check."""

    def __init__(self) -> None:
        self._config: Config | None = None
        self._entries: dict[str, EntryPages] = {}
        self._listings: dict[str, Page] = {}

    def build(self, config: Config, articles: Sequence[Article], english: dict[str, English],
              images: dict[str, ArticleImages] | None = None) -> Site:
        """Assemble the complete site model from loaded articles and their English (and
        their images, by slug)."""
        images = images or {}
        src, tgt = config.site.source_language, config.site.target_language
        same_config = config == self._config
        last = self._entries if same_config else {}
        current: dict[str, EntryPages] = {}
        for article in articles:
            cached = last.get(article.slug)
            shown = images.get(article.slug, NO_IMAGES)
            if (cached is not None and cached.entry.article is article and cached.entry.english is english[article.slug]
                    and cached.entry.images == shown):
                current[article.slug] = cached
            else:
                entry = made(Entry, article=article, english=english[article.slug], images=shown)
                current[article.slug] = EntryPages(entry, _entry_pages(entry, src, tgt))
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
    base = entry.url()  # its language pages' URLs are under it (Entry.url), written out once here
    versions = ((src, f"{base}{src}/"), (tgt, f"{base}{tgt}/"))
    english = entry.english
    pending = english.pending
    alternates = (("x-default", base),) + (versions[:1] if pending else versions)
    ours, blocks = description(entry.article.blocks), version(entry, tgt, src)[2]  # the parallel page's is src's
    theirs = ours if blocks is entry.article.blocks else description(blocks)
    pages = [_page(base, "parallel.html", src, {"entry": entry, "description": ours}, alternates),
             _page(versions[0][1], "article.html", src, {"entry": entry, "article_lang": src, "description": ours},
                   alternates)]
    context = {"entry": entry, "article_lang": tgt, "description": theirs}
    if pending:
        context["noindex"] = True
    pages.append(_page(versions[1][1], "article.html", tgt, context, alternates))
    return tuple(pages)


def _page(url: str, template: str, lang: str, context: dict[str, Any], alternates: tuple[tuple[str, str], ...]
          ) -> Page:
    """``Page(...)``, 30,000 per build at 10k: see :mod:`digest.frozen`."""
    return made(Page, url=url, template=template, lang=lang, context=context, alternates=alternates)


def _assemble(config: Config, entry_pages: dict[str, EntryPages], page=Page) -> Site:
    """The site of ``entry_pages`` (each entry with its own pages); ``page`` makes the
    listing pages."""
    src, tgt = config.site.source_language, config.site.target_language
    size = config.site.page_size
    entries = tuple(item.entry for item in entry_pages.values())
    tag_map, problems = _tags(entries)
    tags = tuple(
        Tag(name, slug, tuple(items), len(items), english) for slug, (name, items, english) in sorted(tag_map.items())
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
    for item in entry_pages.values():
        pages.extend(item.pages)
    pages.extend(_tag_pages(tags, src, tgt, size, page))
    pages.extend(_archive_pages(entries, src, tgt, size, page))
    pages.append(page("404.html", "404.html", src, {"noindex": True}))
    return Site(config=config, entries=entries, tags=tags, pages=tuple(pages), problems=problems)


def _tags(entries: Sequence[Entry]) -> tuple[dict[str, list], tuple[Problem, ...]]:
    """``{slug: [name, entries, english]}`` (``english``: the name's English from the newest
    article that has one, None while pending), and a problem for each tag whose page another
    tag already makes.

    Names that differ only in case or Unicode form (``News``, ``news``, ``NEWS``) are one tag,
    named as first seen (newest article first), listing each article once. Two different tags
    whose slugs meet (``a b`` and ``a-b`` are both ``tags/a-b/``) share the page under the
    first name, and the problem names both files."""
    tag_map: dict[str, list] = {}
    slugs: dict[str, str] = {}
    owner: dict[str, str] = {}
    problems: list[Problem] = []
    told: set[str] = set()
    for entry in entries:
        english = entry.english.tags  # English.tag(i), without a call for each of 20,000 tags at 10k
        for i, name in enumerate(entry.article.tags):
            key = tag_key(name)
            slug = slugs.get(key) or slugs.setdefault(key, slugify(key))
            tag = tag_map.get(slug) or tag_map.setdefault(slug, [name, [], None])
            items = tag[1]
            if tag[2] is None and i < len(english):
                tag[2] = english[i]
            first = owner.setdefault(slug, key)
            if first != key and key not in told:
                told.add(key)
                path = items[0].article.path
                paths = (path,) if path == entry.article.path else (path, entry.article.path)
                problems.append(Problem(paths, f"the tags {tag[0]!r} and {name!r} both make the page "
                                        f"tags/{slug}/: it lists the articles of both under {tag[0]!r}"))
            if not items or items[-1] is not entry:  # one article, two spellings: listed once
                items.append(entry)
    return tag_map, tuple(problems)


def _tag_pages(tags: Sequence[Tag], src: str, tgt: str, size: int, page=Page) -> list[Page]:
    """Every tag's pages and the list of tags, once per language: ``tags/<slug>/`` (both
    headlines, the ``x-default``) and ``<tgt>/tags/<slug>/`` (English), the same slug."""
    pages: list[Page] = []
    for tag in tags:
        versions = [_paginate(tag.url_in(lang, src), tag.entries, size) for lang in (src, tgt)]
        for (url, chunk, nav), (en_url, _, en_nav) in zip(*versions):
            alternates = (("x-default", url), (src, url), (tgt, en_url))
            pages.append(page(url, "tag.html", src, {"tag": tag, "entries": chunk, "pagination": nav}, alternates))
            pages.append(page(en_url, "tag.html", tgt, {"tag": tag, "entries": chunk, "pagination": en_nav},
                              alternates))
    alternates = (("x-default", "tags/"), (src, "tags/"), (tgt, f"{tgt}/tags/"))
    pages.append(page("tags/", "tags.html", src, {"tags": tags}, alternates))
    pages.append(page(f"{tgt}/tags/", "tags.html", tgt, {"tags": tags}, alternates))
    return pages


def _archive_pages(entries: Sequence[Entry], src: str, tgt: str, size: int, page=Page) -> list[Page]:
    """``archive/`` listing every month, and ``archive/YYYY/MM/`` (paginated) per month; the
    same under ``<tgt>/archive/`` for readers of the target language.

    Each month is named in one calendar, the Gregorian, with the Hijri months it spans as
    a second line on Arabic pages (see :func:`~digest.content.dates.month_labels`).
    """
    from ..content.dates import month_labels

    months: dict[tuple[int, int], list[Entry]] = {}
    for entry in entries:
        day = entry.article.date
        months.setdefault((day.year, day.month), []).append(entry)
    bases = {src: "archive/", tgt: f"{tgt}/archive/"}
    listing: dict[str, list[tuple]] = {lang: [] for lang in bases}
    pages: list[Page] = []
    for (year, month), items in sorted(months.items(), reverse=True):
        versions = {}
        for lang, base in bases.items():
            labels = month_labels(year, month, lang)
            url = f"{base}{year:04d}/{month:02d}/"
            listing[lang].append((url, labels[0], labels[1], len(items)))
            versions[lang] = (labels, _paginate(url, items, size))
        for n in range(len(versions[src][1])):
            alternates = (("x-default", versions[src][1][n][0]),) + tuple(
                (lang, versions[lang][1][n][0]) for lang in bases)
            for lang, (labels, paged) in versions.items():
                url, chunk, nav = paged[n]
                pages.append(page(url, "archive.html", lang, {"labels": labels, "entries": chunk, "pagination": nav},
                                  alternates))
    alternates = (("x-default", bases[src]),) + tuple(bases.items())
    return [page(base, "archives.html", lang, {"months": tuple(listing[lang])}, alternates)
            for lang, base in bases.items()] + pages
