"""The images of an article body's inline Markdown, for the alt text audit and the images stage."""

from __future__ import annotations

from functools import lru_cache

from ..content.markup import parser


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
