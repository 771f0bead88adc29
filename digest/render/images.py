"""Images in pages: the ``<picture>`` of a processed photo (WebP and the original's format
at several widths, with its size so nothing shifts as it loads), and the ``<img>`` tags the
Markdown of an article body makes, pointed at the published files."""

from __future__ import annotations

import html
import re
from typing import Callable

from markupsafe import Markup, escape

from ..site.images import ArticleImages
from ..site.photos import Photo, Variant

SIZES = "(max-width: 48rem) 100vw, 48rem"
"""The width a photo is shown at: the article column (see the theme's ``style.css``)."""


def _srcset(variants: tuple[Variant, ...], url: Callable[[str], str]) -> str:
    return ", ".join(f"{url(v.path)} {v.width}w" for v in variants)


def picture(photo: Photo, url: Callable[[str], str], lazy: bool = True, alt_lang: str | None = None) -> Markup:
    """The ``<picture>`` of ``photo``; ``url`` makes a site path a link from the page.

    ``lazy``: the photo is below the fold, fetched as the reader scrolls near it.
    """
    main = photo.main
    img = [f'<img src="{escape(url(main.path))}"']
    if len(photo.variants) > 1:
        img.append(f'srcset="{escape(_srcset(photo.variants, url))}" sizes="{SIZES}"')
    if main.width and main.height:
        img.append(f'width="{main.width}" height="{main.height}"')
    img.append(f'alt="{escape(photo.alt or "")}"')
    if alt_lang and photo.alt:
        img.append(f'lang="{escape(alt_lang)}"')
    if lazy:
        img.append('loading="lazy"')
    img.append('decoding="async">')
    source = (f'<source type="image/webp" srcset="{escape(_srcset(photo.webp, url))}" sizes="{SIZES}">'
              if photo.webp else "")
    return Markup(f"<picture>{source}{' '.join(img)}</picture>")


# markdown-it writes every image the same way: src, alt, then an optional title.
_IMG = re.compile(r'<img src="([^"]*)" alt="([^"]*)"(?: title="([^"]*)")? ?/?>')


def place_images(page_html: str, images: ArticleImages, url: Callable[[str], str]) -> str:
    """``page_html`` with each body image of ``images`` as its ``<picture>``; a refused image
    leaves its alt text; an image of another site stays as it was."""
    if not images.body or "<img " not in page_html:
        return page_html

    def swap(match: re.Match) -> str:
        photo = images.of(html.unescape(match.group(1)))
        if photo is False:
            return match.group(0)
        alt = html.unescape(match.group(2))
        if photo is None:
            return f'<span class="image-refused">{escape(alt)}</span>' if alt else ""
        return str(picture(Photo(photo.src, photo.variants, photo.webp, alt=alt), url))

    return _IMG.sub(swap, page_html)


def absolute_images(fragment: str, images: ArticleImages, absolute: Callable[[str], str]) -> str:
    """An article body for a feed: its images at their absolute published URLs (the
    largest of the original's format: feed readers skip ``srcset``)."""
    if not images.body or "<img " not in fragment:
        return fragment

    def swap(match: re.Match) -> str:
        photo = images.of(html.unescape(match.group(1)))
        if photo is False:
            return match.group(0)
        alt = match.group(2)
        if photo is None:
            return alt
        main = photo.main
        return f'<img src="{escape(absolute(main.path))}" alt="{alt}" width="{main.width}" height="{main.height}">'

    return _IMG.sub(swap, fragment)
