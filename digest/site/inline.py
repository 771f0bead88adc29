"""The images of an article body's inline Markdown, for the alt text audit and the images stage."""

from __future__ import annotations

import operator
from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from ..content.markup import Block, parser
from ..content.pack import extra, remember

if TYPE_CHECKING:
    from ..content.articles import Article


@lru_cache(maxsize=65536)
def inline_images(text: str) -> tuple[tuple[str, str], ...]:
    """``(src, alt)`` of every Markdown image in one inline text (memoised: serve re-checks)."""
    if "![" not in text:
        return ()
    found = []
    for token in parser().parseInline(text):
        for child in token.children or ():
            if child.type == "image":
                alt = "".join(c.content for c in child.children or ())
                found.append((str(child.attrGet("src") or ""), alt))
    return tuple(found)


_TEXTS = operator.attrgetter("texts")


def block_images(blocks: Sequence[Block]) -> tuple[tuple[str, str], ...]:
    """``(src, alt)`` of every Markdown image in ``blocks``, in order (code and plain blocks
    hold none); as the article pack kept them for an unchanged file."""
    known = extra(blocks, "images")
    if isinstance(known, tuple):
        return known
    found: tuple[tuple[str, str], ...] = ()
    # Most bodies have no image: one search of all their texts, in C, says so.
    if "![" in "\0".join(chain.from_iterable(map(_TEXTS, blocks))):
        found = tuple(image for block in blocks if not (block.plain or block.kind == "code")
                      for text in block.texts for image in inline_images(text))
    remember(blocks, "images", found)
    return found


def body_images(article: Article) -> Iterator[tuple[Path, str, str]]:
    """``(file, src, alt)`` of every Markdown image in the body of ``article`` and of its
    human translation, in order (code and plain blocks hold none)."""
    for src, alt in block_images(article.blocks):
        yield article.path, src, alt
    if article.human is not None:
        for src, alt in block_images(article.human.blocks):
            yield article.human.path, src, alt
