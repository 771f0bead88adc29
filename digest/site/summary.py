"""What an entry says in short: the text a reader of one language gets, and its summary.

The site model describes pages with it and the feeds summarise entries with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..content.markup import Block, plain_text
from ..text import shorten

if TYPE_CHECKING:
    from .model import Entry

SUMMARY_CHARS = 280


def summary(blocks: tuple[Block, ...], limit: int = SUMMARY_CHARS) -> str:
    """Plain text of the first paragraphs of ``blocks``, cut at a word near ``limit``."""
    parts: list[str] = []
    length = 0
    for block in blocks:
        if block.kind not in ("paragraph", "quote", "item"):
            continue
        text = " ".join(plain_text(block.texts[0], block.plain).split())
        if not text:
            continue
        parts.append(text)
        length += len(text) + 1
        if length >= limit:
            break
    return shorten(" ".join(parts), limit, strip=" ,.،؛:")


def version(entry: "Entry", lang: str, source_lang: str) -> tuple[str, str, tuple[Block, ...]]:
    """``(text_lang, title, blocks)`` a reader of ``lang`` gets for ``entry``.

    A pending translation falls back to the original, labelled with its own language.
    """
    english = entry.english
    if lang == source_lang or english.pending or not english.title:
        return source_lang, entry.article.title, entry.article.blocks
    return lang, english.title, english.blocks
