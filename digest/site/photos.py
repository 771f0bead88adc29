"""One image made ready to publish: decoded with Pillow, turned upright, stripped of every
tag (EXIF with its GPS position, XMP, comments) by encoding the pixels again, and resized
to a few widths in WebP and the original's format. An animation (GIF, animated WebP or PNG)
stays one: every frame is resized, published as an animated GIF and an animated WebP. SVG is
published as it is, but only without scripts, event handlers or references to other files."""

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
ANIMATION_VERSION = 1
"""Raise when the output for an image that may be animated changes (see :func:`may_move`)."""
ANIMATION_WIDTHS = (480, 960)
"""An animation is shown at the article column's width at most: no wider variant."""
MAX_ANIMATION_PIXELS = 60_000_000
"""Pixels of all an animation's frames together (about 65 frames of 960x960): above it, the
frames decoded at once would take gigabytes."""


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


def may_move(data: bytes) -> bool:
    """``data`` may be an animation (a GIF, a WebP with an ANIM chunk, a PNG with acTL): its
    cache key also names :data:`ANIMATION_VERSION`, so a change there re-makes only these."""
    return data[:4] == b"GIF8" or (data[:4] == b"RIFF" and b"ANIM" in data[:64]) or (
        data[:8] == b"\x89PNG\r\n\x1a\n" and b"acTL" in data[:4096])


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
        if getattr(image, "n_frames", 1) > 1:
            return _animation(image)
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


def _animation(image) -> list[Encoded]:
    """An animated GIF and an animated WebP of ``image`` at each width, frames and timing kept."""
    from PIL import Image, ImageSequence

    frames, durations, total = [], [], 0
    try:
        for frame in ImageSequence.Iterator(image):
            total += frame.width * frame.height
            if total > MAX_ANIMATION_PIXELS:
                raise ImageRefused(f"is an animation too large to publish (over {MAX_ANIMATION_PIXELS} pixels "
                                   f"in its frames together): shorten it, make it smaller, or publish a video")
            frames.append(frame.convert("RGBA"))
            durations.append(int(frame.info.get("duration") or 100))
    except (OSError, ValueError, EOFError, MemoryError) as exc:
        raise ImageRefused(f"is a truncated or corrupt animation ({exc})") from None
    width, height = frames[0].size
    # No loop count in a GIF means it plays once: WebP says that with loop=1 (0 is forever).
    loop = image.info.get("loop")
    timing: dict = {"GIF": {} if loop is None else {"loop": int(loop)},
                    "WEBP": {"loop": 1 if loop is None else int(loop)}}
    out = []
    for w in sorted({w for w in ANIMATION_WIDTHS if w < width} | {min(width, ANIMATION_WIDTHS[-1])}):
        h = max(1, round(height * w / width))
        sized = [f if w == width else f.resize((w, h), Image.Resampling.LANCZOS) for f in frames]
        for f in sized:
            f.info = {}  # no comment or other tag of the source reaches a save
        for fmt, ext, mime in (("GIF", "gif", "image/gif"), ("WEBP", "webp", "image/webp")):
            buffer = io.BytesIO()
            extra = {"quality": OPTIONS["webp_quality"], "method": 4} if fmt == "WEBP" else {"disposal": 2}
            sized[0].save(buffer, fmt, save_all=True, append_images=sized[1:], duration=durations,
                          **timing[fmt], **extra)
            out.append(Encoded(f"{w}.{ext}", buffer.getvalue(), w, h, mime))
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
