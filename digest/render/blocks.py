"""Article blocks as HTML: paragraphs, headings, lists, quotes, code and tables, with the
language and direction attributes bidirectional text needs."""

from __future__ import annotations

from functools import lru_cache
from typing import Mapping, NamedTuple, Sequence

from markupsafe import Markup, escape

from ..content.markup import Block, plain_text, render_inline
from ..text import direction, shorten


# Asked for by nearly every element of every page, for the site's two languages.
@lru_cache(maxsize=64)
def lang_attrs(lang: str) -> Markup:
    """``lang="..." dir="..."`` for an element holding text of ``lang``."""
    return Markup(f'lang="{escape(lang)}" dir="{direction(lang)}"')


def outline(blocks: tuple[Block, ...]) -> tuple[int, ...]:
    """The Markdown heading levels an article uses, shallowest first: ``render_block`` ranks
    a heading among them, so an article that starts at ``##`` or jumps from ``##`` to
    ``####`` still gets h2, h3 under the page's h1, with no level skipped."""
    return tuple(sorted({b.level for b in blocks if b.kind == "heading"}))


def data_attrs(marks: Mapping[str, str] | None) -> str:
    """``marks`` (``{"data-score": "-0.512", "data-review": ""}``) as attributes, each with a
    leading space; an empty value gives a bare attribute."""
    if not marks:
        return ""
    return "".join(f' {name}="{escape(value)}"' if value else f" {name}" for name, value in sorted(marks.items()))


def render_block(block: Block, lang: str, sentences: tuple[str, ...] = (), anchor: str = "",
                 levels: tuple[int, ...] = (), marks: Mapping[str, str] | None = None) -> Markup:
    """One block as HTML, Latin runs isolated inside right-to-left text.

    With ``sentences`` (the block's text split as the translator split it) and an
    ``anchor``, each sentence is wrapped in ``<span class="s" data-s="anchor-N">`` so the
    parallel page can highlight a sentence and its translation together. ``marks``: data
    attributes for the block's element (see :meth:`~digest.translate.english.English.marks`).
    """
    rtl = direction(lang) == "rtl"
    extra = data_attrs(marks)
    if sentences and anchor and len(block.texts) == 1 and len(sentences) > 1:
        inline = ["".join(
            f'<span class="s" data-s="{anchor}-{n}">{render_inline(text, block.plain, rtl)}</span> '
            for n, text in enumerate(sentences)
        ).rstrip()]
    else:
        inline = [render_inline(t, block.plain, rtl) for t in block.texts]
    if block.kind == "heading":
        rank = levels.index(block.level) if block.level in levels else block.level - 1
        level = min(rank + 2, 6)
        return Markup(f"<h{level}{extra}>{inline[0]}</h{level}>")
    if block.kind == "item":
        # One item alone in its list (the parallel page pairs item by item): its number
        # must be given, or every item of an ordered list would show 1.
        li = f'<li class="continued"{extra}>' if block.continued else f"<li{extra}>"
        return Markup(f"{_list_open(block, alone=True)}{li}{inline[0]}</li></{'ol' if block.ordered else 'ul'}>")
    if block.kind == "quote":
        return Markup(f"<blockquote{extra}><p>{inline[0]}</p></blockquote>")
    if block.kind == "code":
        return Markup(f'<pre dir="ltr"{extra}><code>{escape(block.texts[0])}</code></pre>')
    if block.kind == "table":
        cols = max(block.columns, 1)
        rows = [inline[i : i + cols] for i in range(0, len(inline), cols)]
        html = [f"<table{extra}>"]
        for r, row in enumerate(rows):
            cell = "th" if r == 0 else "td"
            html.append("<tr>" + "".join(f"<{cell}>{c}</{cell}>" for c in row) + "</tr>")
        html.append("</table>")
        return Markup("".join(html))
    return Markup(f"<p{extra}>{inline[0]}</p>")


def _list_open(item: Block, alone: bool = False) -> str:
    """The tag that opens a list whose first item is ``item``; ``alone``: the list is not
    inside the item it belongs to, so it says how deep it is nested."""
    depth = f' class="depth-{item.level}"' if alone and item.level > 1 else ""
    if not item.ordered:
        return f"<ul{depth}>"
    return f'<ol{depth} start="{item.number}">' if item.number > 1 else f"<ol{depth}>"


class Run(NamedTuple):
    """Consecutive English blocks rendered together, with each block's data attributes."""

    provenance: object
    """None: blocks that need no notice; else the provenance of the one block here."""
    blocks: tuple[Block, ...]
    marks: tuple[Mapping[str, str], ...]
    outdated: bool = False
    """The one block here is a human translation whose original changed since."""


def marked_runs(english) -> list[Run]:
    """The English blocks as runs to render: one run of consecutive blocks that need no
    notice (so a list stays one list), one run per block that does (post-edited, failed,
    with an out-of-date correction, or translated from an original that changed since)."""
    out: list[Run] = []
    plain: list[Block] = []
    marks: list[Mapping[str, str]] = []
    for i, block in enumerate(english.blocks):
        prov = english.provenance_of(i)
        outdated = i < len(english.outdated) and english.outdated[i]
        if prov.kind in ("machine", "human") and not prov.stale and not outdated:
            plain.append(block)
            marks.append(english.marks(i))
            continue
        if plain:
            out.append(Run(None, tuple(plain), tuple(marks)))
            plain, marks = [], []
        out.append(Run(prov, (block,), (english.marks(i),), outdated))
    if plain:
        out.append(Run(None, tuple(plain), tuple(marks)))
    return out


# Asked again for every page an article's card or description is on (110,000 times at
# 10,000 articles); a key holds blocks the site holds anyway, a value a short text.
@lru_cache(maxsize=1 << 16)
def summary(blocks: tuple[Block, ...], limit: int) -> str:
    """The visible text of the first blocks, cut at a word near ``limit`` characters."""
    parts: list[str] = []
    length = -1  # of the parts joined by spaces
    for block in blocks:
        if block.kind == "code":
            continue
        for text in block.texts:
            parts.append(plain_text(text, block.plain))
            length += len(parts[-1]) + 1
        if length > limit:  # the rest would be cut off: shorten keeps the first limit characters
            break
    return shorten(" ".join(parts), limit)


def render_blocks(blocks: tuple[Block, ...], lang: str, levels: tuple[int, ...] | None = None,
                  marks: Sequence[Mapping[str, str]] = ()) -> Markup:
    """A run of blocks as one flowing text: consecutive items of a list make one list, and
    a nested list sits inside the item before it. ``levels``: the whole article's
    :func:`outline` when ``blocks`` is only part of it; ``marks``: each block's data attributes."""
    levels = outline(blocks) if levels is None else levels
    rtl = direction(lang) == "rtl"
    out: list[str] = []
    lists: list[list] = []  # the open lists, outermost first: [group, tag, level]

    def close(deeper_than: int) -> None:
        while lists and lists[-1][2] > deeper_than:
            out.append(f"</li></{lists.pop()[1]}>")

    for n, block in enumerate(blocks):
        extra = data_attrs(marks[n] if n < len(marks) else None)
        if block.kind != "item":
            close(0)
            out.append(render_block(block, lang, levels=levels, marks=marks[n] if n < len(marks) else None))
            continue
        tag = "ol" if block.ordered else "ul"
        close(block.level)
        if lists and lists[-1][2] == block.level and lists[-1][:2] != [block.group, tag]:
            close(block.level - 1)  # another list at the same depth
        text = render_inline(block.texts[0], block.plain, rtl)
        if lists and lists[-1][2] == block.level:
            if block.continued:  # another paragraph of the same item
                out.append(f"<p{extra}>{text}</p>")
                continue
            out.append("</li>")
        else:
            # Not inside the item it belongs to (a run starting mid-list): it says its depth.
            out.append(_list_open(block, alone=not lists or lists[-1][2] < block.level - 1))
            lists.append([block.group, tag, block.level])
        out.append(f"<li{extra}>{text}")
    close(0)
    return Markup("".join(out))
