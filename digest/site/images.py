"""The images stage: every image an article names (its front matter ``image:`` and the
``![alt](file)`` of its body), read from beside it, processed (see :mod:`.photos`) or found in
the cache (:mod:`.imagecache`), and given a site path under ``images/``.

An image that cannot be published is a :class:`~digest.content.articles.Problem` naming the
article and the image; the article is still built, without it.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal, Sequence
from urllib.parse import unquote, urlsplit

from ..config import Config
from ..content.articles import Article, Problem, slugify
from ..content.safefile import UnsafeFile, is_inside, read_limited
from .imagecache import ImageCache, image_key
from .inline import body_images
from .photos import Encoded, ImageRefused, Photo, Variant, check_svg

MAX_IMAGE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class ArticleImages:
    """The images of one article: its lead image and its body images by ``src`` (as the
    Markdown parser normalises it; None for one that was refused)."""

    lead: Photo | None = None
    body: tuple[tuple[str, Photo | None], ...] = ()

    def of(self, src: str) -> Photo | None | Literal[False]:
        """The photo of body image ``src``; None if refused; False if digest left it alone."""
        return dict(self.body).get(src, False)


NO_IMAGES = ArticleImages()


@dataclass
class ImageResult:
    """What the images stage made: per article slug, the files to publish, the problems."""

    by_slug: dict[str, ArticleImages] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    processed: int = 0


class ImageStage:
    """Runs the stage again and again (``digest serve``): a file whose size, mtime and inode
    are unchanged is not read again, and the cache is not asked again either."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[tuple, list[Encoded] | str, str]] = {}

    def run(self, config: Config, articles: Sequence[Article]) -> ImageResult:
        """The images of ``articles``."""
        cache = ImageCache(config.cache_dir)
        result = ImageResult()
        seen: dict[str, tuple] = {}
        for article in articles:
            images = self._article(config, article, cache, result, seen)
            if images != NO_IMAGES:
                result.by_slug[article.slug] = images
        self._known = seen
        result.processed = cache.processed
        return result

    def _article(self, config: Config, article: Article, cache: ImageCache, result: ImageResult,
                 seen: dict) -> ArticleImages:
        def photo(src: str, base: Path, **about) -> Photo | None:
            try:
                path = _resolve(src, base, config.content_dir)
                if path is None:
                    return None
                return self._photo(path, src, cache, result, seen, about)
            except ImageRefused as exc:
                result.problems.append(Problem((article.path,), f"image {src} {exc}"))
                return None

        lead = None
        if article.image is not None:
            about = {"alt": article.image.alt, "caption": article.image.caption, "credit": article.image.credit}
            lead = photo(article.image.src, article.path.parent, **about)
        body: dict[str, Photo | None] = {}
        for path, src, _alt in body_images(article):
            if src not in body and not _external(src):
                body[src] = photo(src, path.parent)
        return ArticleImages(lead, tuple(sorted(body.items())))

    def _photo(self, path: str, src: str, cache: ImageCache, result: ImageResult, seen: dict,
               about: dict) -> Photo:
        try:
            st = os.stat(path)
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino, stat.S_IFMT(st.st_mode))
        except OSError:
            stamp = None
        known = seen.get(path) or self._known.get(path)
        if stamp is not None and known is not None and known[0] == stamp:
            outcome, key = known[1], known[2]
        else:
            outcome, key = _outcome(path, cache)
        seen[path] = (stamp, outcome, key)
        if isinstance(outcome, str):
            raise ImageRefused(outcome)
        stem = slugify(PurePosixPath(path).stem, fallback="image")[:40]
        variants: list[Variant] = []
        webp: list[Variant] = []
        for encoded in outcome:
            site_path = f"images/{stem}-{key[:12]}-{encoded.name}"
            result.files[site_path] = encoded.data
            variant = Variant(site_path, encoded.width, encoded.height, encoded.mime)
            (webp if encoded.mime == "image/webp" and len(outcome) > 1 else variants).append(variant)
        order = lambda v: v.width  # noqa: E731
        return Photo(src, tuple(sorted(variants, key=order)), tuple(sorted(webp, key=order)), **about)


def _outcome(path: str, cache: ImageCache) -> tuple[list[Encoded] | str, str]:
    """The variants of the image at ``path`` and its key, or why it is refused."""
    try:
        data, _ = read_limited(path, limit=MAX_IMAGE_BYTES)
    except FileNotFoundError:
        return f"does not exist (looked for {path})", ""
    except UnsafeFile as exc:
        return str(exc), ""
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}", ""
    key = image_key(data)
    try:
        if path.lower().endswith(".svg"):
            width, height = check_svg(data)
            return [Encoded("svg.svg", data, width, height, "image/svg+xml")], key
        return cache.get(key, data), key
    except ImageRefused as exc:
        return str(exc), key


def _external(src: str) -> bool:
    parts = urlsplit(src)
    return bool(parts.scheme or parts.netloc)


def _resolve(src: str, base: Path, content_dir: Path) -> str | None:
    """The file ``src`` names, relative to the folder ``base`` of the article; None for a
    URL of another site (left as it is). Raises :class:`ImageRefused` for a path that leaves
    the content folder, by ``..``, an absolute path or a symbolic link."""
    if _external(src):
        return None
    rel = unquote(urlsplit(src).path)
    if not rel:
        raise ImageRefused("names no file")
    path = os.path.normpath(os.path.join(os.path.abspath(base), rel))
    content = os.path.abspath(content_dir)
    real = os.path.realpath(path)
    if not is_inside(path, content) or not is_inside(real, os.path.realpath(content)):
        raise ImageRefused("is outside the content folder: refused (images must be inside content/)")
    return path
