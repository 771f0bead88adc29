"""An entry's text in short: the site model describes pages with it, the feeds summarise
entries with it."""

from __future__ import annotations

from functools import lru_cache

from ..content.markup import Block, plain_text
from ..text import shorten

SUMMARY_CHARS = 280


# Each feed and page description asks again for the same entry's summary.
@lru_cache(maxsize=1 << 15)
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
