"""Checks on the content that warn but never stop a build."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from .markup import parser

if TYPE_CHECKING:
    from .site import Site


@lru_cache(maxsize=65536)
def _images(text: str) -> tuple[tuple[str, str], ...]:
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


def missing_alt_text(site: "Site") -> list[str]:
    """A warning for every image, in an article or its human translation, without alt text."""
    warnings = []
    for entry in site.entries:
        article = entry.article
        sources = [(article.path, article.blocks)]
        if article.human is not None:
            sources.append((article.human.path, article.human.blocks))
        for path, blocks in sources:
            for block in blocks:
                if block.plain or block.kind == "code":
                    continue
                for text in block.texts:
                    for src, alt in _images(text):
                        if not alt.strip():
                            warnings.append(f"{path}: image {src} has no alt text; write ![description]({src})")
    return warnings
