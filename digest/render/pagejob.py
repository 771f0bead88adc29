"""One template rendered to bytes, and article pages rendered by workers that hold none of
the site model.

A worker forked from the build counts the build's whole heap again in its memory (400 MB
each at 10,000 articles). An article page needs only its own entry, so :class:`PageJob`
renders it in a worker started anew (:func:`digest.workers.pool_map`, ``fresh``): the
page travels pickled with its entry, about 15 KB, and the theme is loaded once per worker.
Listing pages, which show many entries, render in the build's process meanwhile.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from multiprocessing.reduction import ForkingPickler

import jinja2
from jinja2 import meta

from ..config import Config
from ..content.markup import Block
from ..errors import ThemeError
from ..site import summary as site_summary
from ..site.model import Page, Site
from . import blocks
from .images import place_images
from .kept import Kept
from .memo import FragmentMemo
from .spool import Spool
from .theme import Theme, load_theme


def render_template(theme: Theme, template_name: str, context: dict) -> bytes:
    """``template_name`` of ``theme`` rendered with ``context``, its images placed, as UTF-8."""
    try:
        text = theme.template(template_name).render(context)
        entry = context.get("entry")
        if entry is not None:  # the article body's images, as published
            text = place_images(text, entry.images, context["url"])
        data = text.encode("utf-8")
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or template_name
        line = getattr(exc, "lineno", None)
        raise ThemeError(f"{where}{f', line {line}' if line else ''}: {exc}") from exc
    return data


Context = Callable[[Site, Page, Theme, FragmentMemo], dict]

ENTRY_CACHES = (blocks.summary, site_summary.summary)
"""Memos keyed by an entry's blocks. In the build's process they hold what the site model
holds anyway; in a worker, where each chunk brings its entries anew, they would keep every
entry the worker ever rendered alive: 74 MB of blocks in each of two workers at 10,000
articles, half their memory. A worker empties them when the next page is another entry's
(an article's pages come one after the other, so none is asked for again)."""


class PageJob:
    """Renders an article page where the site model is not: ``context`` is
    :func:`~digest.render.pages.page_context` (pickled by name). The template variable
    ``site`` has no entries, tags or pages there, so only themes that do not name ``site``
    are rendered this way (:func:`names_site`)."""

    def __init__(self, config: Config, fingerprint: str, spool: Spool | None, context: Context) -> None:
        self.config, self.fingerprint, self.spool, self.context = config, fingerprint, spool, context
        self._state: tuple[Theme, Site, FragmentMemo] | None = None
        self._entry: object = None

    def __getstate__(self) -> dict:
        return self.__dict__ | {"_state": None, "_entry": None}

    def __call__(self, page: Page) -> bytes | Kept:
        """The page's bytes, or its record once in the spool."""
        if self._state is None:
            theme = load_theme(self.config)
            if theme.fingerprint != self.fingerprint:  # its files changed since the build loaded it
                raise ThemeError("the theme changed during the build: build again")
            self._state = (theme, Site(self.config, (), (), ()), FragmentMemo())
        theme, site, memo = self._state
        entry = page.context.get("entry")
        if entry is not self._entry:
            for cache in ENTRY_CACHES:
                cache.cache_clear()
            self._entry = entry
        data = render_template(theme, page.template, self.context(site, page, theme, memo))
        return data if self.spool is None else self.spool.put(page.path, data)


def alone_page(page: Page) -> bool:
    """Whether ``page`` shows one entry of the site only (an article page)."""
    return "entry" in page.context and "entries" not in page.context


def names_site(theme: Theme) -> bool:
    """Whether a template of ``theme`` uses the variable ``site`` (the whole model)."""
    found = theme.__dict__.get("_names_site")
    if found is None:
        found = theme.__dict__["_names_site"] = any(map(lambda name: _names_site(theme.env, name),
                                                        theme.env.list_templates()))
    return found


def _names_site(env: jinja2.Environment, name: str) -> bool:
    try:
        source = env.loader.get_source(env, name)[0] if env.loader is not None else ""
        return "site" in meta.find_undeclared_variables(env.parse(source))
    except jinja2.TemplateError:  # reported when rendered, as ever
        return True


def _block(obj: Block) -> tuple:
    """A block pickled with its texts as UTF-8. Pickling a ``str`` keeps a UTF-8 copy of a
    non-ASCII text inside it for good: sending the article pages kept one of every Arabic
    paragraph in the build's process (7 MB at 1,000 articles)."""
    return _unpickled_block, (obj.kind, tuple(t.encode("utf-8", "surrogatepass") for t in obj.texts),
                              *(getattr(obj, name) for name in _BLOCK_FIELDS[2:]))


def _unpickled_block(kind: str, texts: tuple[bytes, ...], *rest: object) -> Block:
    return Block(kind, tuple(t.decode("utf-8", "surrogatepass") for t in texts), *rest)  # type: ignore[arg-type]


_BLOCK_FIELDS = tuple(f.name for f in dataclasses.fields(Block))
# Made again from its fields (they are the whole constructor), kind and texts first.
assert _BLOCK_FIELDS[:2] == ("kind", "texts") and all(f.init for f in dataclasses.fields(Block))
ForkingPickler.register(Block, _block)
