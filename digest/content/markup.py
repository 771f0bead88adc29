"""Markdown in, safe blocks and HTML out.

One markdown-it parser, configured once: raw HTML is never passed through, and only
http(s), mailto and relative link targets survive. Articles are kept as a flat list of
blocks (heading, paragraph, list item, quote, table, code) whose inline Markdown source is
what gets translated; each block is rendered inline by inline, so the Arabic and English
of one block can sit side by side.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, mdTrim

from .cleantext import clean_text

BLOCK_KINDS = ("heading", "paragraph", "item", "quote", "table", "code")


@dataclass(frozen=True, slots=True, weakref_slot=True)
class Block:
    """One unit of an article that is translated and paired as a whole.

    ``texts`` holds inline Markdown (or plain text when ``plain``): one text for most
    kinds, every cell in reading order for a table. Slotted: a build holds every article's
    blocks (200,000 at 10,000 articles), and an instance dict cost 300 bytes each.
    """

    kind: str
    texts: tuple[str, ...]
    level: int = 0
    ordered: bool = False
    group: int = 0
    columns: int = 0
    plain: bool = False
    number: int = 0
    """An item's number in its list (an ordered list's start counted in); the paragraphs
    of one item share it."""
    continued: bool = False
    """An item's second (third...) paragraph: part of the item before it, with no marker."""

    @property
    def translatable(self) -> bool:
        return self.kind != "code"

    def with_texts(self, texts: tuple[str, ...] | list[str]) -> "Block":
        """The same block with other texts (its translation)."""
        return Block(self.kind, tuple(texts), self.level, self.ordered, self.group, self.columns, self.plain,
                     self.number, self.continued)


_SAFE_SCHEMES = {"http", "https", "mailto"}


def safe_link(url: str) -> bool:
    """True for http(s), mailto and relative URLs; false for javascript:, data: and the like."""
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(url)).lower()
    if cleaned.startswith("//"):
        return True
    scheme = urlsplit(cleaned).scheme
    return scheme == "" or scheme in _SAFE_SCHEMES


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """The shared parser: CommonMark plus tables and strikethrough, no raw HTML."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # markdown-it-py's documented hook is this instance attribute; its annotations see a method.
    md.validateLink = safe_link  # type: ignore[method-assign]
    return md


@lru_cache(maxsize=1)
def block_parser() -> MarkdownIt:
    """:func:`parser` that leaves inline text unparsed: blocks keep their inline source (it
    is parsed when rendered), so parsing it while splitting an article was wasted work."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.disable(["inline", "text_join"])
    return md


_CONTAINERS = ("blockquote_open", "bullet_list_open", "ordered_list_open", "list_item_open")
# Each quote level takes one character before a line's text, each list level two: a body
# without a line that starts with this many of them (or a tab, worth up to four spaces)
# cannot reach the limit.
_DEEP_PREFIX = re.compile(r"^[ \t>*+\-\d.)]{16}", re.M)


def nesting_lost(source: str, first_line: int = 1) -> str | None:
    """Why part of ``source`` cannot be shown, or None.

    markdown-it stops reading a container nested ``maxNesting`` (20) deep (about 20 quote
    or 10 list levels) and drops what is inside it without a word; a container opened one
    level short of that limit is the sign. ``first_line``: the file line ``source`` starts on.
    """
    if "\t" not in source and not _DEEP_PREFIX.search(source):
        return None
    limit = block_parser().options["maxNesting"]
    for token in block_parser().parse(source):
        if token.nesting == 1 and token.type in _CONTAINERS and token.level >= limit - 1:
            line = f"line {token.map[0] + first_line}: " if token.map else ""
            return (f"{line}quotes or lists nested too deep (more than about {limit} quote or "
                    f"{limit // 2} list levels): the text inside the deepest is not shown")
    return None


# What can make a line anything but text of a paragraph, at its start: indentation (a code
# block, or the indent before a marker), a marker of a heading, quote, list, rule, fence,
# reference or raw HTML, a setext underline ("=" or "-"). ASCII digits only: list numbers
# are. Anywhere: a table's pipes, and what markdown-it's normalising changes (CR, NUL).
_LINE_STARTS = " \t#>*+-_=`~[<0123456789"
_FIRST_SYNTAX = frozenset(_LINE_STARTS)
_LINE_SYNTAX = re.compile("\n[" + re.escape(_LINE_STARTS) + "]")


def plain_paragraphs(source: str) -> list[str] | None:
    """The paragraphs of ``source`` as markdown-it's block parser would give them, when no
    line of it holds block syntax (see ``_LINE_STARTS``); else None. Most news bodies are
    such, and splitting them at blank lines is a small part of markdown-it's cost."""
    if (source[:1] in _FIRST_SYNTAX or "|" in source or "\r" in source or "\x00" in source
            or _LINE_SYNTAX.search(source)):
        return None
    # No line starts with a space or tab: a blank line is an empty one, and each paragraph
    # is its lines joined, trimmed as markdown-it trims it (the line breaks of a third or
    # further blank line with them).
    return [mdTrim(part) for part in source.split("\n\n") if part]


def parse_blocks(source: str) -> tuple[Block, ...]:
    """Split a Markdown body into blocks, keeping each block's inline source."""
    paragraphs = plain_paragraphs(source)
    if paragraphs is not None:
        return tuple(Block("paragraph", (text,)) for text in paragraphs if text.strip())
    tokens = block_parser().parse(source)
    blocks: list[Block] = []
    stack: list[str] = []
    ordered: list[bool] = []
    numbers: list[int] = []  # per open list: the number of its current item
    groups: list[int] = []  # per open list: its id (items after a nested list keep it)
    lists = 0
    item_open = False  # a list item has begun and has no block yet
    cells: list[str] = []
    columns = 0
    row_cells = 0
    heading_level = 0
    in_table = False
    for token in tokens:
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists += 1
            groups.append(lists)
            stack.append("list")
            ordered.append(kind == "ordered_list_open")
            numbers.append(int(token.attrs.get("start", 1)) - 1)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            stack.pop()
            ordered.pop()
            numbers.pop()
            groups.pop()
        elif kind == "list_item_open":
            numbers[-1] += 1
            item_open = True
        elif kind == "blockquote_open":
            stack.append("quote")
        elif kind == "blockquote_close":
            stack.pop()
        elif kind == "heading_open":
            heading_level = int(token.tag[1])
        elif kind == "table_open":
            cells, columns, in_table = [], 0, True
        elif kind == "tr_open":
            row_cells = 0
        elif kind in ("th_open", "td_open"):
            row_cells += 1
            columns = max(columns, row_cells)
        elif kind == "table_close":
            in_table = False
            blocks.append(Block("table", tuple(cells), columns=columns))
        elif kind in ("fence", "code_block"):
            blocks.append(Block("code", (token.content,)))
        elif kind == "inline":
            text = token.content
            if in_table:
                cells.append(text)
            elif heading_level:
                blocks.append(Block("heading", (text,), level=heading_level))
                heading_level = 0
            elif "list" in stack:
                depth = stack.count("list")
                blocks.append(Block("item", (text,), level=depth, ordered=ordered[-1], group=groups[-1],
                                    number=numbers[-1], continued=not item_open))
                item_open = False
            elif "quote" in stack:
                blocks.append(Block("quote", (text,)))
            else:
                blocks.append(Block("paragraph", (text,)))
    return tuple(b for b in blocks if b.kind in ("table", "code") or any(t.strip() for t in b.texts))


@lru_cache(maxsize=4096)
def render_inline(text: str, plain: bool = False, rtl: bool = False) -> str:
    """Render one inline text to HTML; with ``rtl``, Latin runs are bidi-isolated."""
    if plain:
        out = html.escape(text, quote=False)
        return isolate_latin(out) if rtl else out
    out = markdown_html(text)
    return isolate_latin_html(out) if rtl else out


# What inline Markdown reacts to (commonmark, no raw HTML, no linkify or typographer):
# backslash escapes, code spans, emphasis, strikethrough, links and images, autolinks and
# character references. "!" and "(" only count after "[", which is here.
_INLINE_SYNTAX = re.compile(r"[\\`*_~\[\]<&]")


def literal(text: str) -> bool:
    """Whether every character of ``text`` stands for itself in inline Markdown: none of
    its syntax characters and no line break or other unprintable character. Most news
    paragraphs are such; their HTML is the text escaped, their visible text the text."""
    return text.isprintable() and _INLINE_SYNTAX.search(text) is None


def markdown_html(text: str) -> str:
    """Inline Markdown as HTML. A character reference makes a character the text did not
    hold: markdown-it refuses most that no page may carry, but turns ``&#12;`` into a form
    feed, which XML (the feeds) forbids, so its output is cleaned like text on reading."""
    if literal(text):
        return escapeHtml(text)  # what markdown-it makes of it, without parsing
    return _parsed_html(text)


# A page asks for a text's HTML and then (summaries, search) for its visible text: one
# parse serves both.
@lru_cache(maxsize=4096)
def _parsed_html(text: str) -> str:
    return clean_text(parser().renderInline(text))


def plain_text(text: str, plain: bool = False) -> str:
    """The visible text of an inline Markdown text (for titles, feeds and search)."""
    if plain or literal(text):
        return text
    return _visible(text)


# Asked for the same texts by several stages (originals, search, summaries); literal texts,
# the most, are their own visible text and take no room here.
@lru_cache(maxsize=65536)
def _visible(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", _parsed_html(text)))


# A run of Latin letters, digits and the punctuation that joins them (names, URLs, 12,500).
# No "&" or ";" inside a run: in escaped text they belong to entities (&gt;), never cut them.
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[ .,:/@_%#?=+'’-]+[A-Za-z0-9]+)*")


def isolate_latin(escaped_text: str) -> str:
    """Wrap Latin runs of already-escaped text in ``<bdi>`` so they stay readable in RTL."""

    def wrap(match: re.Match) -> str:
        run = match.group(0)
        # Don't cut an HTML entity such as &amp; in half.
        if run.startswith(("amp;", "lt;", "gt;", "quot;")):
            return run
        return f'<bdi dir="ltr">{run}</bdi>'

    return _ISOLATED_RUN.sub(wrap, escaped_text)


# A Latin run not right after a letter, digit, "_" or "&": the check looks back from its
# first letter, so the search only stops at Latin letters (most Arabic text has none)
# rather than trying the look-behind at every character.
_ISOLATED_RUN = re.compile(r"[A-Za-z](?<![&\w][A-Za-z])" + _LATIN_RUN.pattern.removeprefix("[A-Za-z]"))
_TAG = re.compile(r"(<[^>]*>)")


def isolate_latin_html(fragment: str) -> str:
    """Apply :func:`isolate_latin` to the text between tags of an HTML fragment."""
    if "<" not in fragment:
        return isolate_latin(fragment)
    return "".join(p if p.startswith("<") else isolate_latin(p) for p in _TAG.split(fragment))
