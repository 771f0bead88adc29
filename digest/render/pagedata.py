"""What a page shows that has to be worked out: computed here, so templates only present it.

- :func:`alternate_links`: the ``hreflang`` links of a page's versions, for its head.
- :func:`language_links`: the other language versions of a page a reader can switch to, and
  :func:`switch_links` their links.
- :func:`feed_links`: the Atom feeds a page announces, its own language's first.
- :func:`article_json_ld`: the schema.org ``NewsArticle`` of an article page.
- :func:`paired_blocks`: the rows of an article's parallel page, each side's HTML made.

:func:`page_data` gathers them for :func:`digest.render.pages.page_context`.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest
from typing import Any, Callable, NamedTuple

from markupsafe import Markup, escape

from ..site.model import Entry, Page, Site
from ..translate.provenance import Provenance
from .blocks import lang_attrs, outline, render_block

_ARTICLE_TEMPLATES = ("article.html", "parallel.html")


@dataclass(frozen=True)
class LanguageLink:
    """One other version of a page: its site path, its language (None for the bilingual or
    parallel version, the ``x-default``) and the theme string that labels it."""

    url: str
    lang: str | None
    label: str


def language_links(page: Page) -> tuple[LanguageLink, ...]:
    """The versions of ``page`` other than itself, in ``page.alternates`` order.

    The ``x-default`` version is left out when it is also listed under a language (a
    pending article's parallel page is the only version there is of its English).
    """
    urls = [url for _, url in page.alternates]
    links = []
    for lang, url in page.alternates:
        if url == page.url:
            continue
        if lang != "x-default":
            links.append(LanguageLink(url, lang, f"read_{lang}"))
        elif urls.count(url) == 1:
            links.append(LanguageLink(url, None, "parallel" if page.template in _ARTICLE_TEMPLATES else "bilingual"))
    return tuple(links)


def alternate_links(page: Page, absolute_url: Callable[[str], str]) -> Markup:
    """The ``<link rel="alternate" hreflang=...>`` lines of ``page``'s versions (itself
    included), one a line: on every page, made here rather than by a loop in the template."""
    return Markup("".join(f'<link rel="alternate" hreflang="{escape(lang)}" href="{escape(absolute_url(url))}">\n'
                          for lang, url in page.alternates))


def switch_links(links: tuple[LanguageLink, ...], url: Callable[[str], str], label: Callable[[str], str]) -> Markup:
    """The links of the page's language switch, one an (indented) line: ``url`` the page's
    ``url()``, ``label`` its theme strings (``t``)."""
    lines = []
    for link in links:
        if link.lang is None:
            lines.append(f'        <a href="{escape(url(link.url))}" rel="alternate">{escape(label(link.label))}</a>\n')
        else:
            lines.append(f'        <a href="{escape(url(link.url))}" rel="alternate" hreflang="{escape(link.lang)}" '
                         f'{lang_attrs(link.lang)}>{escape(label(link.label))}</a>\n')
    return Markup("".join(lines))


def locale_alternates(page: Page) -> tuple[str, ...]:
    """The languages of ``page``'s other versions (for ``og:locale:alternate``)."""
    return tuple(lang for lang, _ in page.alternates if lang not in ("x-default", page.lang))


@dataclass(frozen=True)
class FeedLink:
    """An Atom feed a page announces: its language (None: the bilingual feed) and path."""

    lang: str | None
    path: str


def feed_links(site: Site, lang: str) -> tuple[FeedLink, ...]:
    """The feed of ``lang``, the bilingual feed, and the other language's feed."""
    other = site.target_lang if lang == site.source_lang else site.source_lang
    return (FeedLink(lang, f"{lang}/feed.xml"), FeedLink(None, "feed.xml"), FeedLink(other, f"{other}/feed.xml"))


def article_json_ld(site: Site, entry: Entry, article_lang: str, page_url: str,
                    absolute_url: Callable[[str], str]) -> dict[str, Any]:
    """The schema.org ``NewsArticle`` of ``entry``'s page in ``article_lang``.

    A page showing a translation names the original (``translationOfWork``) and, for a
    machine translation, the model that made it; a pending translation's page is the
    original, in the source language.
    """
    article, english = entry.article, entry.english
    src = site.source_lang
    translated = article_lang != src and not english.pending
    ld: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": english.title if translated else article.title,
        "inLanguage": src if english.pending else article_lang,
        "datePublished": article.published.isoformat(),
        "url": absolute_url(page_url),
        "isAccessibleForFree": True,
    }
    if article.author:
        ld["author"] = {"@type": "Person", "name": article.author}
    elif article.source:
        # On a page in the target language the agency goes by its English name when known.
        name = english.source.text if article_lang != src and english.source else article.source
        ld["author"] = {"@type": "Organization", "name": name}
    if entry.images.lead:
        ld["image"] = absolute_url(entry.images.lead.largest.path)
    if translated:
        ld["translationOfWork"] = {"@type": "NewsArticle", "@id": absolute_url(entry.url(src)),
                                   "inLanguage": src, "headline": article.title}
        if english.provenance.kind == "machine":
            ld["translator"] = {"@type": "SoftwareApplication", "name": english.provenance.model,
                                "softwareVersion": english.provenance.version}
            ld["creativeWorkStatus"] = "machine translation"
    return ld


class Pair(NamedTuple):
    """One row of a parallel page: an original block beside its English."""

    anchor: str
    """The row's ``id`` (``p1``, ``p2``...), which its sentences' ``data-s`` start with."""
    provenance: Provenance
    source: Markup | None
    """The original block's HTML; None where the English has more blocks."""
    target: Markup | None
    """The English block's HTML (the original's when its translation failed); None where
    the original has more blocks."""
    outdated: bool
    """The English is a human translation of an original that changed since."""
    notice: bool
    """The theme's ``block_notice`` has something to say about this row: it failed, was
    post-edited, is out of date, or has an out-of-date correction."""


def paired_blocks(site: Site, entry: Entry) -> tuple[Pair, ...]:
    """The rows of ``entry``'s parallel page, in order: each original block beside the
    English in the same position, sentences marked for highlighting where the machine
    translation aligned them. Made here, once per article, rather than by the template,
    which called eight functions per row (a third of the parallel page's render)."""
    article, english = entry.article, entry.english
    src, tgt = site.source_lang, site.target_lang
    levels = outline(article.blocks)
    aligned = english.provenance.kind == "machine"
    rows = []
    for i, (source, target) in enumerate(zip_longest(article.blocks, english.blocks)):
        prov = english.provenance_of(i) if aligned else english.provenance
        here = english.sentences[i] if aligned and i < len(english.sentences) else ()
        anchor = f"p{i + 1}"
        failed = prov.kind == "failed"
        outdated = not failed and english.is_outdated(i)
        source_html = target_html = None
        if source:
            source_html = render_block(source, src, tuple(pair[0] for pair in here), anchor, levels)
        if target and failed:  # the original stands in for the rejected English
            target_html = render_block(target, src, levels=levels, marks=english.marks(i))
        elif target:
            target_html = render_block(target, tgt, tuple(pair[-1] for pair in here), anchor, levels, english.marks(i))
        notice = failed or prov.kind == "post-edit" or outdated or bool(prov.stale)
        rows.append(Pair(anchor, prov, source_html, target_html, outdated, notice))
    return tuple(rows)


def page_data(site: Site, page: Page, absolute_url: Callable[[str], str], url: Callable[[str], str] | None = None,
              t: Callable[[str], str] | None = None) -> dict[str, Any]:
    """The computed variables of ``page``'s template: ``alternate_links``, ``language_links``
    (and, given the page's ``url()`` and ``t()``, the ``switch_links`` made of them),
    ``locale_alternates``, ``feeds``; on an article's page in one language, the
    ``headline`` and ``shown_blocks`` it shows and its ``json_ld``; on its parallel page
    (unless the English is pending) the ``paired_blocks``."""
    data: dict[str, Any] = {
        "alternate_links": alternate_links(page, absolute_url),
        "language_links": language_links(page),
        "locale_alternates": locale_alternates(page),
        "feeds": feed_links(site, page.lang),
    }
    if url is not None and t is not None:
        data["switch_links"] = switch_links(data["language_links"], url, t)
    entry, lang = page.context.get("entry"), page.context.get("article_lang")
    if entry is not None and lang is not None:
        # What the page shows: the English, unless it is the original's page or the
        # English is pending (then the original stands in).
        translated = lang != site.source_lang and not entry.english.pending
        data["headline"] = entry.english.title if translated else entry.article.title
        data["shown_blocks"] = entry.english.blocks if translated else entry.article.blocks
        data["json_ld"] = article_json_ld(site, entry, lang, page.url, absolute_url)
    elif entry is not None and page.template == "parallel.html" and not entry.english.pending:
        data["paired_blocks"] = paired_blocks(site, entry)
    return data
