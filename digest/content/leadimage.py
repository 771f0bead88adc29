"""The lead image an article names in its front matter (``image:``, ``image_alt``,
``image_caption``, ``image_credit``); the file itself is read later, by
:mod:`digest.site.images`."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import SourceError

IMAGE_KEYS = {"image", "image_alt", "image_caption", "image_credit"}


@dataclass(frozen=True)
class LeadImage:
    """Where the lead image is (relative to the article file) and what is said about it."""

    src: str
    alt: str | None = None
    caption: str | None = None
    credit: str | None = None


def _text(meta: dict, key: str) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise SourceError(f"front matter {key} must be text")
    return str(value).strip() or None


def lead_image(meta: dict) -> LeadImage | None:
    """The lead image of front matter ``meta``, or None; raises :class:`SourceError` when
    a key holds something that is not text, or an image is described but not named."""
    src = _text(meta, "image")
    if src is None:
        stray = sorted(k for k in IMAGE_KEYS - {"image"} if meta.get(k) is not None)
        if stray:
            raise SourceError(f"front matter {', '.join(stray)} given without image")
        return None
    return LeadImage(src, _text(meta, "image_alt"), _text(meta, "image_caption"), _text(meta, "image_credit"))
