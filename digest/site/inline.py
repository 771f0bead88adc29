"""The images of an article body's inline Markdown, for the alt text audit and the images stage."""

from __future__ import annotations

import operator
from collections.abc import Iterator
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from ..content.markup import parser

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


def body_images(article: Article) -> Iterator[tuple[Path, str, str]]:
    """``(file, src, alt)`` of every Markdown image in the body of ``article`` and of its
    human translation, in order (code and plain blocks hold none)."""
    sources = [(article.path, article.blocks)]
    if article.human is not None:
        sources.append((article.human.path, article.human.blocks))
    for path, blocks in sources:
        # Most bodies have no image: one search of all their texts, in C, says so.
        if "![" not in "\0".join(chain.from_iterable(map(_TEXTS, blocks))):
            continue
        for block in blocks:
            if block.plain or block.kind == "code":
                continue
            for text in block.texts:
                for src, alt in inline_images(text):
                    yield path, src, alt
