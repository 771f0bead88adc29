"""Rendering: the site model through a Jinja theme into a map of ``path -> bytes``.

Nothing here touches the output folder; :mod:`digest.output` writes the map.
"""

from __future__ import annotations

import datetime as dt
import operator
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from typing import NamedTuple
from urllib.parse import quote

from ..content.dates import format_date
from ..site.model import Page, Site
from ..workers import pool_map, release_freed_memory, worth_a_pool
from . import sitemap
from .cache import PageCache
from .kept import Kept
from .memo import MEMO_VARIABLE, FragmentMemo
from .pagedata import page_data
from .pagejob import PageJob, alone_page, names_site, render_template
from .sitemap import SitemapURL, sitemap_index
from .spool import Spool
from .theme import Theme

PROGRESS_EVERY = 0.1
"""Seconds between two progress reports while pages render."""
FRESH_POOL_PAGES = 300
"""From this many article pages to render on, they go to new worker processes, which do not
count the site model again (:mod:`digest.render.pagejob`); each costs about half a second
to start, some hundred pages' work, against a fork's few milliseconds."""


def url_for(target: str, page_url: str) -> str:
    """The relative URL from the page at ``page_url`` to the site path ``target``.

    Relative links keep working wherever the site is hosted, a sub-path included.
    """
    depth = page_url.count("/")
    # "../" is left as it is by the quoting: only the target needs it.
    return "./" if not depth and not target else "../" * depth + quoted(target)


_URL_SAFE = "/#?=&.-_~:%"


# The same targets (the stylesheet, the indexes, each article) are linked from many pages:
# 2,000 articles' 7,000 pages quoted 233,000 links.
@lru_cache(maxsize=1 << 16)
def quoted(target: str) -> str:
    """``target`` as a link quotes it."""
    return quote(target, safe=_URL_SAFE)


def link_maker(page_url: str, base_path: str, memo: FragmentMemo | None = None) -> Callable[[str], str]:
    """The ``url()`` of the page at ``page_url``: :func:`url_for`, or rooted links on the
    404 page (served at any depth); placeholders while ``memo`` records a fragment."""

    def url(target: str) -> str:
        if memo is not None and memo.recording:  # a fragment shown on many pages
            return memo.url(quoted(target))
        if page_url == "404.html":
            return base_path + quoted(target)
        return url_for(target, page_url)

    return url


# Each article's date is shown on its three pages and its cards; an Arabic one converts to
# the Hijri calendar each time. A few hundred days cover years of news.
@lru_cache(maxsize=4096)
def day_text(day: dt.date, lang: str) -> str:
    """``day`` as readers of ``lang`` expect it (:func:`~digest.content.dates.format_date`)."""
    return format_date(day, lang)


def page_context(site: Site, page: Page, theme: Theme, memo: FragmentMemo | None = None) -> dict:
    """The variables every template sees; ``memo``: the fragments this render already
    made (:mod:`digest.render.memo`)."""
    config = site.config
    strings = theme.strings.get(page.lang, {})

    def t(key: str, lang: str | None = None) -> str:
        table = theme.strings.get(lang, {}) if lang else strings
        return table.get(key, key)

    url = link_maker(page.url, config.base_path, memo)

    def absolute_url(target: str) -> str:
        return config.site.base_url.rstrip("/") + "/" + quoted(target)

    return {
        "site": site,
        "config": config,
        "page": page,
        "lang": page.lang,
        "dir": page.dir,
        "source_lang": site.source_lang,
        "target_lang": site.target_lang,
        "t": t,
        "url": url,
        "absolute_url": absolute_url,
        "date": lambda value, lang=None: day_text(value.date() if isinstance(value, dt.datetime) else value,
                                                  lang or page.lang),
        MEMO_VARIABLE: memo,
        **page_data(site, page, absolute_url, url, t),
        **page.context,
    }


class Rendered(NamedTuple):
    """One page of the last build as rendered: the page object, its output path and bytes,
    the key of the template it was rendered with, and its sitemap row (None if unlisted).

    The same page object and the same template key mean the same bytes. (A named tuple:
    one is made for each of a build's pages, a third of the time of a frozen dataclass.)
    """

    page: Page
    path: str
    data: bytes | Kept
    template_key: str
    row: SitemapURL | None


@dataclass(frozen=True)
class SitemapPart:
    """One sitemap file of the last build: its rows, bytes and the sitemap template's key."""

    rows: list
    data: bytes | Kept
    template_key: str


@dataclass(frozen=True)
class SharedInputs:
    """What every page depends on beyond its own inputs; when it changes, all render."""

    strings_key: str
    config: object
    nav: tuple


class Renderer:
    """Renders pages, remembering each page's output with the inputs it was rendered from.

    Kept alive between rebuilds (``digest serve``) so unchanged pages are not rendered again.
    The site model hands back the same page object for a page whose inputs did not change,
    mostly at the same position: those are found by comparing the two page tuples by
    identity (in C, without touching the pages: at 10,000 articles a loop in Python over
    the 33,000 pages was a fifth of a rebuild). The others are looked up by path; a new
    page object is compared by value with the last page at its path.
    """

    def __init__(self) -> None:
        self._forget()
        self.rendered = 0

    def forget(self) -> None:
        """Drop every page of the last render (the next renders them all)."""
        self._forget()

    def _forget(self) -> None:
        self._shared: SharedInputs | None = None
        self._pages: tuple[Page, ...] = ()
        self._done: list[Rendered] = []
        """Per position of the last build's pages (``_pages``), what rendering it gave."""
        self._index: dict[str, int] = {}
        """Output path -> position in ``_done``."""
        self._templates: dict[str, str] = {}
        """Template name -> key, of the templates the last build's pages used."""
        self._sitemaps: dict[str, SitemapPart] = {}

    def render(self, site: Site, theme: Theme, cache: PageCache | None = None, workers: int = 1,
               progress: Callable[[int, int], None] | None = None,
               spool: Spool | None = None, meanwhile: Callable[[], None] | None = None) -> dict[str, bytes | Kept]:
        """Render every page of ``site`` plus sitemap and static files to ``{path: bytes}``.

        With a ``cache``, a page the output folder already holds as its inputs say is not
        rendered: its value is a :class:`~digest.render.kept.Kept`. With ``workers`` above 1,
        many pages to render are shared out to that many forked processes
        (:mod:`digest.workers`); the bytes are the same. ``progress(done, total)`` hears of the
        pages rendered, about ten times a second and once at the end. With a ``spool``, each
        page rendered is written there by the process that rendered it and its value is a
        :class:`~digest.render.cache.Spooled` record (:mod:`digest.render.spool`).

        ``meanwhile()``: other work of the build (the search index), run once, as soon as the
        render's workers are forked (then it goes on beside them), else before the pages
        render in this process."""
        self.rendered = 0
        beside = _Once(meanwhile)
        if cache is not None:
            cache.load_template_keys(theme)
        shared = SharedInputs(theme.strings_key, site.config, _site_key(site))
        if shared != self._shared:
            self._forget()
        keys: dict[str, str] = {}

        def key_of(name: str) -> str:
            key = keys.get(name)
            if key is None:
                key = keys[name] = theme.template_key(name)
            return key

        pages, last, before = site.pages, self._pages, self._done
        n = len(pages)
        if len(last) == n and all(key_of(name) == key for name, key in self._templates.items()):
            # Same count, same templates: only the positions holding another object need work.
            done = list(before)
            todo: Sequence[int] = list(compress(range(n), map(operator.is_not, pages, last)))
        else:
            done = [None] * n  # type: ignore[list-item]
            todo = range(n)
        moved = len(last) != n  # then the positions of the path index are not these
        misses: list[int] = []
        if not before:  # nothing rendered yet in this process (a new one): every page is asked for
            misses, todo = list(todo), ()
        for i in todo:
            page = pages[i]
            path, key = page.path, key_of(page.template)
            j = self._index.get(path)
            old = before[j] if j is not None else None
            if old is not None and old.page is page and old.template_key == key:
                done[i] = old  # moved, unchanged
            elif old is not None and old.template_key == key and _same_inputs(old.page, page):
                done[i] = Rendered(page, path, old.data, key, SitemapURL.of(page))
            else:
                misses.append(i)
            moved = moved or i >= len(before) or before[i].path != path
        self._fill(site, theme, cache, pages, misses, done, key_of, workers, progress, spool, beside)
        beside()  # nothing rendered in a pool: not run yet
        index = {r.path: i for i, r in enumerate(done)} if moved or not self._index else self._index
        self._pages, self._done, self._index = pages, done, index
        self._templates, self._shared = dict(keys), shared
        files = dict(map(_PATH_AND_DATA, done))
        files.update(self._sitemap(site, theme, [row for row in map(_ROW, done) if row is not None], cache))
        if cache is not None:
            cache.save_template_keys(theme)
            cache.flush([*map(_PATH, done), *self._sitemaps])
        for rel, static in theme.static.items():
            files[rel] = static.read_bytes()
        return files

    def _fill(self, site: Site, theme: Theme, cache: PageCache | None, pages: Sequence[Page], misses: list[int],
              done: list, key_of, workers: int, progress: Callable[[int, int], None] | None,
              spool: Spool | None = None, beside: Callable[[], None] | None = None) -> None:
        """Render the pages at positions ``misses`` into ``done``, but those ``cache`` shows
        the output folder already holds."""
        keys: dict[int, str] = {}
        fresh: list[int] = []  # positions to render
        if cache is None:
            fresh = misses
        elif misses:
            fresh = self._kept(site, theme, cache, pages, misses, done, key_of, keys)

        memo = FragmentMemo()  # filled in each worker of a pool on its own
        tick = time.monotonic() + PROGRESS_EVERY
        count = 0

        def render_page(i: int) -> bytes | Kept:
            page = pages[i]
            data = render_template(theme, page.template, page_context(site, page, theme, memo))
            return data if spool is None else spool.put(page.path, data)

        def note(i: int, data: bytes | Kept) -> None:
            nonlocal tick, count
            page = pages[i]
            key = keys.get(i)
            if cache is not None and key is not None:
                cache.remember(key, data, page.path)
            done[i] = Rendered(page, page.path, data, key_of(page.template), SitemapURL.of(page))
            count += 1
            if progress is not None and time.monotonic() >= tick:
                progress(count, len(fresh))
                tick = time.monotonic() + PROGRESS_EVERY

        if worth_a_pool(workers, len(fresh)):
            alone = [i for i in fresh if alone_page(pages[i])] if not names_site(theme) else []
            if len(alone) < FRESH_POOL_PAGES:  # not worth starting new processes for
                alone = []
            here = [i for i in fresh if not alone_page(pages[i])] if alone else []

            def meanwhile() -> None:
                if beside is not None:
                    beside()
                    # The search records it made went to Pagefind's queue and were dropped.
                    release_freed_memory()
                for i in here:  # listings: their entries are many, and in this process already
                    note(i, render_page(i))

            if alone:
                # An article page needs its entry only: sent to workers that do not hold the
                # whole site model (each would count it again in its memory).
                job = PageJob(site.config, theme.fingerprint, spool, page_context)
                made = pool_map(job, [pages[i] for i in alone], workers, started=meanwhile, fresh=True)
                for i, data in zip(alone, made):
                    note(i, data)
            else:
                # Compiled here, once, rather than again in every forked worker.
                theme.compile({pages[i].template for i in fresh})
                for i, data in zip(fresh, pool_map(render_page, fresh, workers, started=beside)):
                    note(i, data)
        else:
            if beside is not None:
                beside()
            for i in fresh:
                note(i, render_page(i))
        self.rendered += len(fresh)
        if progress is not None:
            progress(len(fresh), len(fresh))

    @staticmethod
    def _kept(site: Site, theme: Theme, cache: PageCache, pages: Sequence[Page], misses: list[int], done: list,
              key_of: Callable[[str], str], keys: dict[int, str]) -> list[int]:
        """Fill ``done`` at the positions ``misses`` whose pages the output folder holds as
        their keys say (:class:`~digest.render.kept.Kept`); return the others, to render, and
        put the key of each that has one in ``keys``."""
        # A few templates for all the pages: their keys looked up without a call per page.
        template_keys = {name: key_of(name) for name in {pages[i].template for i in misses}}
        chosen = [pages[i] for i in misses]
        made = cache.keys(theme.strings_key, site.config, _site_key(site)).many(chosen, template_keys)
        held = cache.held_many(list(map(_PATH_OF, chosen)), made)
        fresh: list[int] = []
        row_of = SitemapURL.of
        for i, page, key, kept in zip(misses, chosen, made, held):
            if kept is not None:
                done[i] = Rendered(page, kept.path, kept, template_keys[page.template], row_of(page))
            else:
                fresh.append(i)
                if key is not None:
                    keys[i] = key
        return fresh

    def _sitemap(self, site: Site, theme: Theme, listed: list, cache: PageCache | None) -> dict[str, bytes | Kept]:
        """The sitemap files for the rows ``listed``: parts of :data:`SITEMAP_URLS` URLs under an
        index on a big site, each rendered again only when its rows changed."""
        chunks = [listed[i:i + sitemap.SITEMAP_URLS] for i in range(0, len(listed), sitemap.SITEMAP_URLS)] or [[]]
        names = ["sitemap.xml"] if len(chunks) == 1 else [f"sitemap-{n}.xml" for n in range(1, len(chunks) + 1)]
        template = theme.template_key("sitemap.xml")
        files: dict[str, bytes | Kept] = {}
        memo = {}
        for name, chunk in zip(names, chunks):
            cached = self._sitemaps.get(name)
            data: bytes | Kept | None = None
            key = (cache.sitemap_key(name, template, chunk, theme.strings_key, site.config, _site_key(site))
                   if cache is not None else None)
            if cached is not None and cached.template_key == template and cached.rows == chunk:  # identity first
                data = cached.data
            elif cache is not None and key is not None:
                data = cache.held(name, key)
            if data is None:
                context = page_context(site, site.pages[0], theme) | {"urls": chunk}
                data = self._render(theme, "sitemap.xml", context)
                self.rendered += 1
                if cache is not None and key is not None:
                    cache.remember(key, data, name)
            memo[name] = SitemapPart(chunk, data, template)
            files[name] = data
        if len(names) > 1:
            files["sitemap.xml"] = sitemap_index(site, names)
        self._sitemaps = memo
        return files

    def _render(self, theme: Theme, template_name: str, context: dict) -> bytes:
        return render_template(theme, template_name, context)


class _Once:
    """Calls ``func`` (if any) the first time it is called, never again."""

    def __init__(self, func: Callable[[], None] | None) -> None:
        self._func = func

    def __call__(self) -> None:
        func, self._func = self._func, None
        if func is not None:
            func()


_PATH_OF = Page.path.func  # type: ignore[attr-defined]
"""A page's output path, worked out without caching it on the page: a cached property takes
a lock on first use, as much as the rest of keeping a page (a new process asks each once)."""
_PATH_AND_DATA = operator.attrgetter("path", "data")
_PATH = operator.attrgetter("path")
_ROW = operator.attrgetter("row")


def _same_inputs(old: Page, new: Page) -> bool:
    return (old.url == new.url and old.template == new.template and old.lang == new.lang
            and old.alternates == new.alternates and old.context == new.context)


def _site_key(site: Site) -> tuple:
    """What every page depends on beyond its own context: the language switcher and nav."""
    return (len(site.entries), tuple(t.slug for t in site.tags))
