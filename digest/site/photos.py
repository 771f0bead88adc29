"""One image made ready to publish: decoded with Pillow, turned upright, stripped of every
tag (EXIF with its GPS position, XMP, comments) by encoding the pixels again, and resized
to a few widths in WebP and the original's format. SVG is published as it is, but only
without scripts, event handlers or references to other files."""

from __future__ import annotations

import io
import re
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass

IMAGE_CODE_VERSION = 1
"""Raise when the output of :func:`process` changes: every cached image is made again."""
WIDTHS = (480, 960, 1600)
OPTIONS = {"widths": WIDTHS, "jpeg_quality": 82, "webp_quality": 80, "png": "optimize"}
MAIN_WIDTH = 960
"""The width of the ``src`` image (browsers without ``srcset``), or the nearest below it."""


class ImageRefused(Exception):
    """An image that cannot be published; the message says why (the caller names the file)."""


@dataclass(frozen=True)
class Variant:
    """One published file of an image: its site path, pixel size and type."""

    path: str
    width: int
    height: int
    mime: str


@dataclass(frozen=True)
class Photo:
    """An image as pages show it: the variants in the original's format (or the SVG) and in
    WebP, narrowest first, and what the article says about it."""

    src: str
    variants: tuple[Variant, ...]
    webp: tuple[Variant, ...] = ()
    alt: str | None = None
    caption: str | None = None
    credit: str | None = None

    @property
    def main(self) -> Variant:
        """The variant an ``<img src>`` names: the widest up to :data:`MAIN_WIDTH`."""
        fitting = [v for v in self.variants if v.width <= MAIN_WIDTH]
        return fitting[-1] if fitting else self.variants[0]

    @property
    def largest(self) -> Variant:
        return self.variants[-1]


@dataclass(frozen=True)
class Encoded:
    """A processed file, before it has a site path: ``name`` is ``<width>.<ext>``."""

    name: str
    data: bytes
    width: int
    height: int
    mime: str


_FALLBACK = {"JPEG": ("JPEG", "jpg", "image/jpeg"), "PNG": ("PNG", "png", "image/png"),
             "WEBP": ("PNG", "png", "image/png"), "GIF": ("PNG", "png", "image/png")}


def process(data: bytes) -> list[Encoded]:
    """Every published variant of the raster image ``data``; raises :class:`ImageRefused`."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that: refuse those too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            kind = image.format or ""
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRefused(f"is too large to decode safely (over {Image.MAX_IMAGE_PIXELS} pixels: "
                               "a decompression bomb, or a photo to scale down before publishing)") from None
        except UnidentifiedImageError:
            raise ImageRefused("is not an image (Pillow cannot read it as JPEG, PNG, WebP, GIF or another "
                               "format)") from None
        except (OSError, ValueError, SyntaxError, EOFError, MemoryError) as exc:
            raise ImageRefused(f"is truncated or corrupt ({exc})") from None
        try:
            upright = ImageOps.exif_transpose(image)  # the orientation tag goes with the rest
        except Exception as exc:  # a malformed EXIF block must not stop the build
            raise ImageRefused(f"has unreadable EXIF data ({type(exc).__name__}: {exc})") from None
    fmt, ext, mime = _FALLBACK.get(kind, ("PNG", "png", "image/png"))
    alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    upright = upright.convert("RGBA" if alpha else "RGB")
    if fmt == "JPEG" and alpha:
        fmt, ext, mime = "PNG", "png", "image/png"
    width, height = upright.size
    widths = sorted({w for w in WIDTHS if w < width} | {min(width, WIDTHS[-1])})
    out = []
    for w in widths:
        h = max(1, round(height * w / width))
        sized = upright if w == width else upright.resize((w, h), Image.Resampling.LANCZOS)
        sized.info = {}  # nothing of the source's tags may reach a save
        out.append(Encoded(f"{w}.{ext}", _save(sized, fmt), w, h, mime))
        out.append(Encoded(f"{w}.webp", _save(sized, "WEBP"), w, h, "image/webp"))
    return out


def _save(image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, "JPEG", quality=OPTIONS["jpeg_quality"], optimize=True, progressive=True)
    elif fmt == "WEBP":
        image.save(buffer, "WEBP", quality=OPTIONS["webp_quality"], method=4)
    else:
        image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


_SVG_NS = re.compile(r"^\{[^}]*\}")
_EXTERNAL_CSS = re.compile(r"url\(\s*['\"]?\s*(?!#)|@import", re.I)


def check_svg(data: bytes) -> tuple[int, int]:
    """The size an SVG declares (0, 0 if none); raises :class:`ImageRefused` if it holds a
    script, an event handler, a reference to another file, or is not SVG at all."""
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise ImageRefused("is an SVG with a DOCTYPE or entities: refused (they can pull in other files)")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ImageRefused(f"is not well-formed SVG ({exc})") from None
    if _SVG_NS.sub("", root.tag) != "svg":
        raise ImageRefused("is not an SVG image (its root element is not <svg>)")
    for el in root.iter():
        tag = _SVG_NS.sub("", str(el.tag))
        if tag in ("script", "foreignObject", "iframe", "embed", "object"):
            raise ImageRefused(f"is an SVG with a <{tag}> element: refused (scripts are not published)")
        for name, value in el.attrib.items():
            local = _SVG_NS.sub("", name).lower()
            if local.startswith("on"):
                raise ImageRefused(f"is an SVG with an event handler ({local}): refused")
            if local == "href" and not value.strip().startswith("#"):
                raise ImageRefused(f"is an SVG referring to {value.strip()[:80]!r}: refused (external reference)")
            if local == "style" and _EXTERNAL_CSS.search(value):
                raise ImageRefused("is an SVG whose style refers to another file: refused (external reference)")
        if tag == "style" and _EXTERNAL_CSS.search(el.text or ""):
            raise ImageRefused("is an SVG whose <style> refers to another file: refused (external reference)")
    return _svg_size(root)


def _svg_size(root: ET.Element) -> tuple[int, int]:
    def number(value: str | None) -> float | None:
        match = re.fullmatch(r"\s*([\d.]+)\s*(px)?\s*", value or "")
        return float(match.group(1)) if match else None

    width, height = number(root.get("width")), number(root.get("height"))
    if not (width and height):
        box = (root.get("viewBox") or "").replace(",", " ").split()
        try:
            width, height = float(box[2]), float(box[3])
        except (IndexError, ValueError):
            return 0, 0
    return round(width), round(height)
