"""The parts of an article's pages shown on every one of them, made in Python: the byline, the
tag links and the translation's provenance note.

Each article has three pages and a card on several listings; as Jinja macros these parts
were a third of an article page's render (a macro call each, a ``label`` macro call per
tag, the import of ``_macros.html`` with context on every page). The theme's templates call
them as globals (``byline(article, lang, english)``), and ``_macros.html`` keeps macros of
the same names that call them, so a theme's templates written against the macros work
unchanged. Their words come from the theme's strings (``t``), their links from the page
(``url``), as the macros' did: the HTML is the macros' byte for byte.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup, escape

from ..content.articles import slugify
from .blocks import lang_attrs

# A site has a few hundred tags, each on many articles' pages.
_tag_slug = lru_cache(maxsize=4096)(slugify)


def _label(name: str, named: Any, in_lang: str, source_lang: str) -> str:
    """A tag or source in the reader's language when its English is known (``named``), else
    as written."""
    if in_lang != source_lang and named:
        return f"<span {lang_attrs(in_lang)}>{escape(named.text)}</span>"
    return f"<span {lang_attrs(source_lang)}>{escape(name)}</span>"


@jinja2.pass_context
def label(context: jinja2.runtime.Context, name: str, named: Any, in_lang: str) -> Markup:
    """A tag or source as :func:`byline` and :func:`tag_links` show it, for a theme's own
    templates (the ``label`` macro of ``_macros.html``)."""
    return Markup(_label(name, named, in_lang, context["source_lang"]))


@jinja2.pass_context
def byline(context: jinja2.runtime.Context, article: Any, in_lang: str, english: Any = None) -> Markup:
    """The article's date, source and author in ``in_lang`` (draft marked), names in English
    where ``english`` knows them and the reader reads English."""
    t, source_lang = context["t"], context["source_lang"]
    parts = [f'<p class="byline" {lang_attrs(in_lang)}>']
    if article.draft:
        parts.append(f'<strong class="draft-marker">{escape(t("draft", in_lang))}</strong> · ')
    parts.append(f'  <time datetime="{escape(article.published.isoformat())}">'
                 f'{escape(context["date"](article.published, in_lang))}</time>')
    if article.source:
        named = english.source if english else None
        parts.append(f" · {escape(t('source', in_lang))}: {_label(article.source, named, in_lang, source_lang)}")
    if article.author:
        parts.append(f" · {escape(t('author', in_lang))}: "
                     f"<span {lang_attrs(source_lang)}>{escape(article.author)}</span>")
    parts.append("</p>")
    return Markup("".join(parts))


@jinja2.pass_context
def tag_links(context: jinja2.runtime.Context, article: Any, in_lang: str, english: Any = None) -> Markup:
    """The article's tags as links to their pages in ``in_lang`` (the source language's pages
    without ``english``), each named in English where known."""
    if not article.tags:
        return Markup("")
    url, source_lang = context["url"], context["source_lang"]
    under = "" if in_lang == source_lang or english is None else in_lang + "/"
    items = []
    for i, name in enumerate(article.tags):
        named = english.tag(i) if english else None
        items.append(f'<li><a href="{escape(url(under + "tags/" + _tag_slug(name) + "/"))}"><bdi>'
                     f"{_label(name, named, in_lang, source_lang)}</bdi></a></li>")
    return Markup(f'<ul class="tags" {lang_attrs(in_lang)}>\n{"".join(items)}</ul>\n')


@jinja2.pass_context
def provenance(context: jinja2.runtime.Context, english: Any, in_lang: str, original: str | None = None,
               pending: str = "pending") -> Markup:
    """Where the English came from (machine, with its model; human; pending: the theme
    string ``pending``), with a link to the ``original`` when there is a translation."""
    t = context["t"]
    prov = english.provenance
    kind = prov.kind
    if kind == "machine":
        text = (f'{escape(t("machine_translation", in_lang))} · '
                f'<bdi dir="ltr">{escape(prov.model)} {escape(prov.version)}</bdi>')
    elif kind == "human":
        text = str(escape(t("human_translation", in_lang)))
    else:
        text = str(escape(t(pending if kind == "pending" else kind, in_lang)))
    if original and kind != "pending":
        text += (f' · <a href="{escape(context["url"](original))}" hreflang="{escape(context["source_lang"])}" '
                 f'rel="alternate">{escape(t("read_original", in_lang))}</a>')
    return Markup(f'<p class="provenance provenance-{escape(kind)}" {lang_attrs(in_lang)} '
                  f"data-pagefind-ignore>{text}</p>")


@jinja2.pass_context
def block_notice(context: jinja2.runtime.Context, prov: Any, in_lang: str, outdated: bool = False) -> Markup:
    """What a paragraph's reader should know of its English: it failed (the original is
    shown), it was post-edited, its original changed since (``outdated``), or an editor's
    correction of it no longer fits its original (``prov.stale``)."""
    t = context["t"]
    note = f'{lang_attrs(in_lang)} data-pagefind-ignore'
    parts = []
    if prov.kind == "failed":
        why = f" ({escape(prov.note)})" if prov.note else ""
        parts.append(f'<p class="block-note block-note-failed" {note}>{escape(t("failed", in_lang))}{why}</p>')
    elif prov.kind == "post-edit":
        parts.append(f'<p class="block-note block-note-edit" {note}>{escape(t("post_edit", in_lang))}</p>')
    if outdated:
        parts.append(outdated_note(context, in_lang))
    if prov.stale:
        parts.append(f'<p class="block-note block-note-stale" {note}>{escape(t("stale_edit", in_lang))} '
                     f'<q {lang_attrs(context["target_lang"])}>{escape(prov.stale)}</q></p>')
    return Markup("".join(parts))


@jinja2.pass_context
def outdated_note(context: jinja2.runtime.Context, in_lang: str) -> Markup:
    """The note on a human translation's paragraph whose original changed since."""
    return Markup(f'<p class="block-note block-note-stale" {lang_attrs(in_lang)} data-outdated data-pagefind-ignore>'
                  f'{escape(context["t"]("outdated_original", in_lang))}</p>')


@jinja2.pass_context
def original_changes(context: jinja2.runtime.Context, english: Any, in_lang: str) -> Markup:
    """The paragraphs added to or removed from the original since its human translation was made."""
    if not (english.added or english.removed):
        return Markup("")
    t = context["t"]
    parts = [f'<aside class="block-note block-note-stale" {lang_attrs(in_lang)} data-outdated data-pagefind-ignore>\n']
    for key, numbers in (("original_added", english.added), ("original_removed", english.removed)):
        if numbers:
            parts.append(f"<p>{escape(t(key, in_lang))} {', '.join(str(j + 1) for j in numbers)}</p>")
    parts.append("</aside>")
    return Markup("".join(parts))


@jinja2.pass_context
def unplaced_edits(context: jinja2.runtime.Context, english: Any, in_lang: str) -> Markup:
    """An editor's corrections that no longer fit any paragraph of the changed original."""
    if not english.unplaced:
        return Markup("")
    quote = lang_attrs(context["target_lang"])
    items = "".join(f"<li><q {quote}>{escape(text)}</q></li>" for text in english.unplaced)
    return Markup(f'<aside class="block-note block-note-stale" {lang_attrs(in_lang)} data-pagefind-ignore>\n'
                  f'  <p>{escape(context["t"]("stale_unplaced", in_lang))}</p>\n  <ul>{items}</ul>\n</aside>')


GLOBALS = {"label": label, "byline": byline, "tag_links": tag_links, "provenance": provenance,
           "block_notice": block_notice, "outdated_note": outdated_note, "original_changes": original_changes,
           "unplaced_edits": unplaced_edits}
"""The template globals of this module, by name: also under ``fragments`` (``fragments.byline``), for
``_macros.html``'s macros of the same names, which a macro's own name would hide."""
