"""Photos: lead images and body images processed with Pillow (sizes, WebP, EXIF stripped),
cached by content, and every bad image reported by article and name while the rest builds."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import FakeTranslator, write_project
from PIL import Image

from digest.build import Builder
from digest.config import load_config
from digest.events import RecordingReporter
from digest.serve.paths import CONTENT, THEME, Layout, classify

GPS_IFD = 0x8825


def photo(width: int = 2000, height: int = 1000, fmt: str = "JPEG", gps: bool = False, orientation: int = 0) -> bytes:
    """A real image; ``gps``: with a GPS position and camera tags in its EXIF."""
    image = Image.new("RGB", (width, height), (200, 40, 40))
    image.paste((20, 90, 200), (0, 0, width // 2, height // 3))  # not one flat colour: something to resize
    exif = Image.Exif()
    if gps:
        exif[0x010F] = "PhoneMaker"  # Make
        exif[GPS_IFD] = {1: "N", 2: (33.0, 30.0, 12.5), 3: "E", 4: (36.0, 17.0, 3.2)}
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes()) if (gps or orientation) else image.save(out, fmt)
    return out.getvalue()


def article(body: str = "نص الخبر.", **front: str) -> str:
    lines = "".join(f"{key}: {value}\n" for key, value in front.items())
    return f"---\ntitle: خبر\ndate: 2026-11-01\n{lines}---\n{body}\n"


def build(root: Path, base_url: str | None = None):
    reporter = RecordingReporter()
    overrides = {"site": {"base_url": base_url}} if base_url else None
    builder = Builder(load_config(root, overrides), reporter, translator=FakeTranslator())
    return builder, builder.build(), reporter


def problems(reporter: RecordingReporter) -> list[str]:
    return [str(p) for p in reporter.of("problem")]


def img_tags(html: str) -> list[str]:
    return re.findall(r"<img [^>]*>", html)


def attr(tag: str, name: str) -> str:
    match = re.search(rf'\s{name}="([^"]*)"', tag)
    assert match, f"{name} not in {tag}"
    return match.group(1)


def test_lead_and_body_images_publish_srcset_files_at_the_widths_claimed(tmp_path):
    write_project(tmp_path, {
        "content/2026-11-01-bridge.md": article("نص.\n\n![جسر المدينة](bridge.png)", image="lead.jpg",
                                                image_alt="الميناء", image_caption="الميناء صباحا",
                                                image_credit="رويترز"),
        "content/lead.jpg": photo(2000, 1000),
        "content/bridge.png": photo(700, 350, "PNG"),
    })
    _, result, reporter = build(tmp_path)
    assert problems(reporter) == []
    site = tmp_path / "site"
    page = (site / "articles/bridge/ar/index.html").read_text(encoding="utf-8")
    tags = img_tags(page)
    assert len(tags) == 2, tags
    lead, body = tags
    assert "loading" not in lead and 'loading="lazy"' in body  # the lead photo is above the fold
    for tag in tags:
        assert 'decoding="async"' in tag
        src = site / "articles/bridge/ar" / attr(tag, "src")
        with Image.open(src) as shown:
            assert shown.size == (int(attr(tag, "width")), int(attr(tag, "height")))
    claimed = re.findall(r'srcset="([^"]*)"', page)
    assert any(".webp" in s for s in claimed) and any(".jpg" in s for s in claimed)
    widths = set()
    for srcset in claimed:
        assert len(set(srcset.split(", "))) == len(srcset.split(", ")), srcset  # each width once
        for item in srcset.split(", "):
            url, width = item.rsplit(" ", 1)
            with Image.open(site / "articles/bridge/ar" / url) as variant:
                assert f"{variant.width}w" == width
                widths.add(variant.width)
    assert {480, 960, 1600, 700} <= widths
    assert "الميناء صباحا" in page and "رويترز" in page
    listing = (site / "index.html").read_text(encoding="utf-8")
    # The listing's first story is its lead, above the fold: its photo loads at once.
    assert 'loading=' not in img_tags(listing)[0] and 'decoding="async"' in img_tags(listing)[0]
    assert not any(name.endswith((".jpg", ".png")) and not name.startswith("images/") for name in result.files)


def test_no_exif_or_gps_in_a_published_jpeg_and_the_photo_is_turned_upright(tmp_path):
    source = photo(1200, 600, gps=True, orientation=6)  # 6: shown rotated 90° clockwise
    with Image.open(io.BytesIO(source)) as check:
        assert check.getexif().get_ifd(GPS_IFD), "the test photo must carry a GPS position"
    write_project(tmp_path, {"content/2026-11-01-a.md": article(image="phone.jpg", image_alt="صورة"),
                             "content/phone.jpg": source})
    _, result, _ = build(tmp_path)
    published = [name for name in result.files if name.startswith("images/")]
    assert published
    for name in published:
        data = result.files[name]
        assert b"GPS" not in data and b"PhoneMaker" not in data and b"Exif" not in data
        with Image.open(io.BytesIO(data)) as image:
            assert len(image.getexif()) == 0 and not image.getexif().get_ifd(GPS_IFD)
            assert "exif" not in image.info and "xmp" not in image.info
            assert image.height > image.width  # orientation applied before the tag went
    assert any(name.endswith(".jpg") for name in published)


BAD = {
    "missing": ("missing.jpg", None, "does not exist"),
    "not an image": ("notes.jpg", b"these are words, not pixels\n" * 20, "is not an image"),
    "truncated": ("cut.jpg", photo(800, 600)[:1500], "truncated or corrupt"),
    "outside": ("../secret.jpg", None, "outside the content folder"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_image_is_an_error_naming_article_and_image_and_the_rest_builds(tmp_path, case):
    name, data, reason = BAD[case]
    files = {
        "content/2026-11-01-bad.md": article("نص.\n\n![وصف](body-" + name.lstrip("./") + ")", image=name,
                                             image_alt="وصف"),
        "content/2026-11-02-good.md": article(image="good.jpg", image_alt="جيدة"),
        "content/good.jpg": photo(600, 300),
        "secret.jpg": photo(100, 100),
    }
    if data is not None:
        files["content/" + name] = data
    write_project(tmp_path, files)
    _, result, reporter = build(tmp_path)
    found = [p for p in problems(reporter) if f"image {name}" in p]
    assert found and all("2026-11-01-bad.md" in p for p in found) and reason in found[0], problems(reporter)
    site = tmp_path / "site"
    assert (site / "articles/bad/ar/index.html").is_file()
    assert "<img" not in (site / "articles/bad/ar/index.html").read_text(encoding="utf-8")
    good = (site / "articles/good/ar/index.html").read_text(encoding="utf-8")
    assert len(img_tags(good)) == 1
    assert not any("secret" in name for name in result.files)


def test_a_symbolic_link_out_of_content_is_refused(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-a.md": article(image="link.jpg", image_alt="x"),
                             "outside/real.jpg": photo(100, 100)})
    os.symlink(tmp_path / "outside/real.jpg", tmp_path / "content/link.jpg")
    _, result, reporter = build(tmp_path)
    assert any("image link.jpg" in p and "outside the content folder" in p for p in problems(reporter))
    assert not [n for n in result.files if n.startswith("images/")]


def test_a_decompression_bomb_is_refused(tmp_path):
    bomb = io.BytesIO()
    Image.new("1", (12000, 12000)).save(bomb, "PNG")  # 144 million pixels, a few kB
    write_project(tmp_path, {"content/2026-11-01-a.md": article(image="bomb.png", image_alt="x"),
                             "content/2026-11-02-b.md": article(image="ok.png", image_alt="y"),
                             "content/bomb.png": bomb.getvalue(), "content/ok.png": photo(300, 200, "PNG")})
    _, _, reporter = build(tmp_path)
    found = problems(reporter)
    assert len(found) == 1 and "2026-11-01-a.md" in found[0] and "image bomb.png" in found[0]
    assert "too large to decode safely" in found[0]
    assert "<img" in (tmp_path / "site/articles/b/ar/index.html").read_text(encoding="utf-8")


SVG_OK = b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60"><rect width="120" height="60"/></svg>'
SVG_BAD = {
    "script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "handler": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
    "external": b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
                b'<image xlink:href="https://tracker.example/p.png"/></svg>',
    "style": b'<svg xmlns="http://www.w3.org/2000/svg"><style>rect{fill:url(http://x.example/a)}</style></svg>',
}


def test_svg_is_published_clean_and_refused_with_script_handler_or_external_reference(tmp_path):
    files = {"content/2026-11-01-ok.md": article(image="logo.svg", image_alt="شعار"), "content/logo.svg": SVG_OK}
    for n, (case, data) in enumerate(sorted(SVG_BAD.items()), start=2):
        files[f"content/2026-11-0{n}-{case}.md"] = article(image=f"{case}.svg", image_alt="x")
        files[f"content/{case}.svg"] = data
    write_project(tmp_path, files)
    _, result, reporter = build(tmp_path)
    svgs = [data for name, data in result.files.items() if name.endswith(".svg") and name.startswith("images/")]  # not the theme's favicon
    assert svgs == [SVG_OK]
    refused = problems(reporter)
    assert len(refused) == len(SVG_BAD)
    for case in SVG_BAD:
        assert any(f"image {case}.svg" in p and "refused" in p for p in refused), refused
    page = (tmp_path / "site/articles/ok/ar/index.html").read_text(encoding="utf-8")
    tag = img_tags(page)[0]
    assert attr(tag, "width") == "120" and attr(tag, "height") == "60"


def test_missing_alt_text_is_a_warning(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-a.md": article("نص.\n\n![](b.png)", image="a.png"),
                             "content/a.png": photo(100, 100, "PNG"), "content/b.png": photo(100, 100, "PNG")})
    _, _, reporter = build(tmp_path)
    warnings = reporter.of("warning")
    assert any("image a.png has no alt text" in w and "image_alt" in w for w in warnings), warnings
    assert any("image b.png has no alt text" in w for w in warnings), warnings
    assert problems(reporter) == []


def test_og_image_json_ld_and_atom_use_absolute_urls_under_a_sub_path(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-a.md": article("![جسر](b.png)", image="lead.jpg", image_alt="صورة"),
                             "content/lead.jpg": photo(1000, 500), "content/b.png": photo(300, 200, "PNG")})
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    done = subprocess.run([sys.executable, "-m", "digest", "build", "--base-url", "https://example.org/news/"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    site = tmp_path / "site"
    page = (site / "articles/a/ar/index.html").read_text(encoding="utf-8")
    og = re.search(r'<meta property="og:image" content="([^"]*)"', page).group(1)
    twitter = re.search(r'<meta name="twitter:image" content="([^"]*)"', page).group(1)
    assert og == twitter and og.startswith("https://example.org/news/images/") and og.endswith(".jpg")
    assert (site / og.removeprefix("https://example.org/news/")).is_file()
    assert f'"image": "{og}"' in page
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert f'rel="enclosure" type="image/jpeg" href="{og}"' in feed
    assert re.search(r'img src="https://example\.org/news/images/b-[0-9a-f]+-300\.png"', feed)
    parallel = (site / "articles/a/index.html").read_text(encoding="utf-8")
    assert f'<meta property="og:image" content="{og}"' in parallel


def test_a_second_build_processes_nothing(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-a.md": article("![صورة](b.jpg)", image="a.jpg", image_alt="x"),
                             "content/a.jpg": photo(1000, 500), "content/b.jpg": photo(640, 480)})
    _, first, reporter = build(tmp_path)
    assert [m for m in reporter.of("info") if m.startswith("images: 2 processed")]
    cache = tmp_path / ".digest-cache/images"
    stamps = {p: p.stat().st_mtime_ns for p in cache.rglob("*") if p.is_file()}
    assert len(stamps) > 4
    builder, second, reporter = build(tmp_path)  # a new builder: only the cache on disk is shared
    assert not [m for m in reporter.of("info") if m.startswith("images:")]
    assert {p: p.stat().st_mtime_ns for p in cache.rglob("*") if p.is_file()} == stamps
    assert {n: d for n, d in second.files.items() if n.startswith("images/")} == \
        {n: d for n, d in first.files.items() if n.startswith("images/")}
    # An edited image is processed again, and its page shows the new size.
    (tmp_path / "content/a.jpg").write_bytes(photo(800, 800))
    builder.reporter = reporter = RecordingReporter()
    third = builder.build(changed=frozenset({str(tmp_path / "content/a.jpg")}))
    assert [m for m in reporter.of("info") if m.startswith("images: 1 processed")]
    assert 'width="800" height="800"' in third.files["articles/a/ar/index.html"].decode()


def test_project_static_folder_is_copied_to_the_site_root(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-a.md": article(),
                             "static/favicon.ico": b"\x00\x00\x01\x00icon", "static/img/logo.png": photo(50, 50, "PNG"),
                             "static/robots.txt": "User-agent: *\nDisallow: /drafts/\n",
                             "static/index.html": "<p>not the home page</p>", "static/.hidden": "x"})
    _, result, reporter = build(tmp_path)
    site = tmp_path / "site"
    assert (site / "favicon.ico").read_bytes() == b"\x00\x00\x01\x00icon"
    assert (site / "img/logo.png").read_bytes() == (tmp_path / "static/img/logo.png").read_bytes()
    assert "Disallow: /drafts/" in (site / "robots.txt").read_text()
    assert "not the home page" not in (site / "index.html").read_text(encoding="utf-8")
    assert any("static/index.html" in w for w in reporter.of("warning"))
    assert not (site / ".hidden").exists()


def test_image_edits_in_content_and_static_count_as_changes_for_the_watcher(tmp_path):
    config = load_config(write_project(tmp_path, {"content/a.md": article()}))
    layout = Layout.of(config, [])
    assert classify(tmp_path / "content/photos/bridge.jpg", layout) == CONTENT
    assert classify(tmp_path / "content/bridge.webp", layout) == CONTENT
    assert classify(tmp_path / "static/favicon.ico", layout) == THEME  # read whole, like a theme


def animation(width: int, height: int, colours: list[tuple[int, int, int]], durations: list[int],
              fmt: str = "GIF", loop: int | None = 0) -> bytes:
    frames = []
    for i, colour in enumerate(colours):
        frame = Image.new("RGB", (width, height), colour)
        frame.paste((255 - colour[0], 30, 30), (i * 10, 0, i * 10 + width // 4, height // 2))
        frames.append(frame)
    out = io.BytesIO()
    extra = {"comment": b"shot by a phone at home"} if fmt == "GIF" else {}
    timing = {} if loop is None else {"loop": loop}
    frames[0].save(out, fmt, save_all=True, append_images=frames[1:], duration=durations, **timing, **extra)
    return out.getvalue()


def test_an_animated_gif_stays_animated_in_every_variant_with_its_timing_and_no_comment(tmp_path):
    write_project(tmp_path, {
        "content/2026-11-01-chart.md": article("نص.\n\n![رسم متحرك](chart.gif)", image="still.gif", image_alt="صورة"),
        "content/chart.gif": animation(1200, 600, [(200, 0, 0), (0, 200, 0), (0, 0, 200)], [100, 200, 300]),
        "content/still.gif": photo(700, 350, "GIF"),
    })
    _, _, reporter = build(tmp_path)
    assert problems(reporter) == []
    page_dir = tmp_path / "site/articles/chart/ar"
    page = (page_dir / "index.html").read_text(encoding="utf-8")
    lead, body = img_tags(page)
    srcsets = re.findall(r'srcset="([^"]*)"', page)
    moving = [s for s in srcsets if ".gif" in s or ("webp" in s and "960w" in s and "1600w" not in s)]
    assert any(".gif 480w" in s and ".gif 960w" in s for s in srcsets), srcsets  # no 1600: column width at most
    files = [page_dir / u.rsplit(" ", 1)[0] for s in moving for u in s.split(", ")]
    assert {f.suffix for f in files} == {".gif", ".webp"}, files
    for file in files:
        with Image.open(file) as shown:
            assert shown.n_frames == 3, file
            assert shown.width in (480, 960)
            timing = []
            for i in range(3):
                shown.seek(i)
                shown.load()  # WebP sets a frame's duration as it decodes it
                timing.append(shown.info.get("duration"))
            assert timing == [100, 200, 300], (file, timing)
            assert "comment" not in shown.info and shown.info.get("loop") == 0  # loops forever, as the source
    with Image.open(page_dir / attr(lead, "src")) as still:  # a still GIF is published as before
        assert getattr(still, "n_frames", 1) == 1 and still.format == "PNG"


def test_an_animation_too_large_to_decode_at_once_is_refused_and_the_rest_builds(tmp_path):
    colours = [(i * 20 % 255, 100, 100) for i in range(40)]
    write_project(tmp_path, {
        "content/2026-11-01-long.md": article(image="long.gif", image_alt="x"),
        "content/2026-11-02-ok.md": article(image="ok.png", image_alt="y"),
        "content/long.gif": animation(1600, 1000, colours, [50] * 40),  # 64 million pixels in all
        "content/ok.png": photo(300, 200, "PNG"),
    })
    _, _, reporter = build(tmp_path)
    found = problems(reporter)
    assert len(found) == 1 and "2026-11-01-long.md" in found[0] and "image long.gif" in found[0], found
    assert "animation too large to publish" in found[0]
    assert "<img" in (tmp_path / "site/articles/ok/ar/index.html").read_text(encoding="utf-8")
