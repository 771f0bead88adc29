"""Atom feeds: one per language (``ar/feed.xml``, ``en/feed.xml``) and one bilingual (``feed.xml``).

Feeds are built with ElementTree rather than a template so they are well-formed whatever
the content holds. Every URL in them is absolute (from ``site.base_url``), and each entry
carries ``xml:base`` so relative links inside article bodies resolve for feed readers.
Output is deterministic: ``updated`` comes from article dates, never from the clock.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from html import escape
from itertools import islice
from typing import TYPE_CHECKING
from urllib.parse import quote

from ..content.markup import Block
from ..site.model import version
from ..site.summary import summary
from ..text import direction
from .blocks import render_blocks
from .images import absolute_images

if TYPE_CHECKING:
    from ..site.model import Entry, Site

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
FEED_SIZE = 50
"""Newest articles per feed; older ones stay reachable through the archives."""
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)

ET.register_namespace("", ATOM)


def absolute(site: "Site", path: str) -> str:
    """The absolute URL of a site path, honouring a base URL with a sub-path."""
    return site.config.site.base_url.rstrip("/") + "/" + quote(path, safe="/#?=&.-_~:%")


def _iso(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.isoformat()


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def _body_html(blocks: tuple[Block, ...], lang: str) -> str:
    return f'<div lang="{lang}" dir="{direction(lang)}">{render_blocks(blocks, lang)}</div>'


def _add_entry(feed: ET.Element, site: "Site", entry: "Entry", lang: str | None,
               strings: dict[str, dict[str, str]]) -> None:
    """Append one article; ``lang=None`` makes the bilingual entry (original + translation)."""
    src, tgt = site.source_lang, site.target_lang
    article = entry.article
    el = _sub(feed, "entry")
    page = entry.url(lang)
    el.set(XML_BASE, absolute(site, page))
    if lang is None:
        versions = [version(entry, src, src)]
        if not entry.english.pending and entry.english.title:
            versions.append(version(entry, tgt, src))
        title = " · ".join(v[1] for v in versions)
        el.set(XML_LANG, src)
    else:
        versions = [version(entry, lang, src)]
        title = versions[0][1]
        el.set(XML_LANG, versions[0][0])
    _sub(el, "title", title)
    _sub(el, "id", absolute(site, entry.url()) if lang is None else absolute(site, page))
    _sub(el, "link", rel="alternate", type="text/html", href=absolute(site, page),
         **({"hreflang": lang} if lang else {}))
    # The other language versions are "related", not "alternate": feed readers (feedparser
    # among them) take the last alternate as the entry's link.
    for other in (None, src, tgt):
        if other != lang:
            _sub(el, "link", rel="related", type="text/html", href=absolute(site, entry.url(other)),
                 **({"hreflang": other} if other else {}))
    stamp = _iso(article.published)
    _sub(el, "published", stamp)
    _sub(el, "updated", stamp)
    # The English feed names sources and tags in English where their English is known.
    english = entry.english if lang == tgt else None
    source = english.source.text if english and english.source else article.source
    author = _sub(el, "author")
    _sub(author, "name", article.author or source or site.config.language_title(src))
    if article.author and source:
        _sub(_sub(el, "contributor"), "name", source)
    for i, name in enumerate(article.tags):
        named = english.tag(i) if english else None
        _sub(el, "category", term=named.text if named else name)
    _sub(el, "summary", "\n".join(summary(v[2]) for v in versions))
    content = absolute_images("".join(_body_html(v[2], v[0]) for v in versions), entry.images,
                              lambda path: absolute(site, path))
    lead = entry.images.lead
    if lead is not None:
        # The lead photo travels with the entry as an enclosure, as feed readers expect one.
        _sub(el, "link", rel="enclosure", type=lead.largest.mime, href=absolute(site, lead.largest.path))
    if any(v[0] == tgt for v in versions) and entry.english.provenance.kind == "machine":
        content = _machine_note(site, entry, strings.get(tgt, {})) + content
    _sub(el, "content", content, type="html")


def _machine_note(site: "Site", entry: "Entry", strings: dict[str, str]) -> str:
    """The notice a machine-translated entry carries, in the translation's language."""
    label = escape(entry.english.provenance.label)
    original = escape(absolute(site, entry.url(site.source_lang)))
    said = escape(strings.get("machine_translation", "Machine translation"))
    link = escape(strings.get("read_original", "Read the original"))
    return f'<p><em>{said} ({label}) · <a href="{original}" hreflang="{site.source_lang}">{link}</a></em></p>'



def atom_feed(site: "Site", lang: str | None, strings: dict[str, dict[str, str]] | None = None) -> bytes:
    """The Atom feed for ``lang``, or the bilingual feed for ``lang=None``.

    ``strings`` are the theme's interface strings per language (for the translation notice).
    """
    src = site.source_lang
    entries = feed_entries(site, lang)
    path = f"{lang}/feed.xml" if lang else "feed.xml"
    home = f"{lang}/" if lang else ""
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: lang or src})
    if lang:
        title = site.config.language_title(lang)
    else:
        title = f"{site.config.site.title_ar} · {site.config.site.title_en}"
    _sub(feed, "title", title)
    _sub(feed, "id", absolute(site, path))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=absolute(site, path))
    _sub(feed, "link", rel="alternate", type="text/html", href=absolute(site, home))
    newest = max((e.article.published for e in entries), default=EPOCH)
    _sub(feed, "updated", _iso(newest))
    _sub(_sub(feed, "author"), "name", title)
    _sub(feed, "generator", "digest")
    for entry in entries:
        _add_entry(feed, site, entry, lang, strings or {})
    ET.indent(feed)
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body + b"\n"


def feed_entries(site: "Site", lang: str | None) -> tuple:
    """The newest entries of the feed for ``lang``: the English feed holds only translated
    ones, so an article enters it (as a new entry) when its English is there."""
    if lang is None or lang == site.source_lang:
        return site.entries[:FEED_SIZE]
    return tuple(islice((e for e in site.entries if not e.english.pending), FEED_SIZE))


def feed_files(site: "Site", strings: dict[str, dict[str, str]] | None = None) -> dict[str, bytes]:
    """``{path: bytes}`` of every feed of ``site``."""
    files = {"feed.xml": atom_feed(site, None, strings)}
    for lang in site.languages:
        files[f"{lang}/feed.xml"] = atom_feed(site, lang, strings)
    return files
