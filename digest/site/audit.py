"""Checks on the content that warn but never stop a build."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from .inline import body_images

if TYPE_CHECKING:
    from .model import Site


class Audited(NamedTuple):
    """One article's alt-text warnings; the same article object means the same warnings."""

    article: object
    warnings: list[str]


def missing_alt_text(site: "Site", memo: dict | None = None) -> list[str]:
    """A warning for every image, in an article or its human translation, without alt text.

    ``memo`` (kept by a long-lived builder) holds each article's warnings from the last
    call, reused while the article is the same object.
    """
    last = memo.copy() if memo is not None else {}
    current: dict[int, Audited] = {}
    warnings: list[str] = []
    for entry in site.entries:
        article = entry.article
        cached = last.get(id(article))
        if cached is None or cached.article is not article:
            cached = Audited(article, _article_warnings(article))
        current[id(article)] = cached
        warnings.extend(cached.warnings)
    if memo is not None:
        memo.clear()
        memo.update(current)
    return warnings


def _article_warnings(article) -> list[str]:
    warnings = []
    image = getattr(article, "image", None)
    if image is not None and not image.alt:
        warnings.append(f"{article.path}: image {image.src} has no alt text; add image_alt to the front matter")
    for path, src, alt in body_images(article):
        if not alt.strip():
            warnings.append(f"{path}: image {src} has no alt text; write ![description]({src})")
    return warnings
