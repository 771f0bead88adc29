"""The default theme's page structure: heading levels, favicon, absolute feed links, listings."""

from __future__ import annotations

import re

import pytest
from helpers import FakeTranslator, write_project

from digest.build import Builder
from digest.config import load_config

ARTICLE = """---
title: محطة تحلية
date: 2026-11-20
---
فقرة أولى.

## أرقام المشروع

فقرة ثانية.

#### تفاصيل

فقرة ثالثة.
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("pages")
    write_project(root, {"content/2026-11-20-plant.md": ARTICLE,
                         "content/2026-11-21-rain.md": "---\ntitle: أمطار\ndate: 2026-11-21\n---\nهطلت أمطار غزيرة.\n"})
    config = load_config(root, {"site": {"base_url": "https://example.org/d/"}})
    result = Builder(config, translator=FakeTranslator()).build()
    return {k: v.decode() for k, v in result.files.items() if k.endswith(".html")}


def headings(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"<h([1-6])[\s>]", html)]


@pytest.mark.parametrize("page", ["articles/plant/index.html", "articles/plant/ar/index.html",
                                  "articles/plant/en/index.html"])
def test_no_heading_level_is_skipped(files, page):
    levels = headings(files[page])
    assert levels[0] == 1 and 2 in levels and 3 in levels, levels
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels


def test_every_page_links_the_svg_favicon_and_absolute_feeds(files):
    for name, html in files.items():
        if name == "404.html":
            continue
        assert '<link rel="icon" href="' in html and 'favicon.svg" type="image/svg+xml">' in html, name
        feeds = re.findall(r'<link rel="alternate" type="application/atom\+xml" href="([^"]+)"', html)
        assert feeds and all(f.startswith("https://example.org/d/") for f in feeds), (name, feeds)


def test_listing_cards_have_a_summary_and_the_home_page_a_lead(files):
    home = files["index.html"]
    assert home.count('class="card card-lead"') == 1
    assert home.index("أمطار") < home.index("محطة تحلية"), "newest story leads"
    assert 'class="card-summary" lang="ar" dir="rtl">هطلت أمطار غزيرة.</p>' in home
    english = files["en/index.html"]
    assert 'class="card-summary" lang="en" dir="ltr">' in english


def test_compile_readies_a_page_template_and_all_it_pulls_in_and_leaves_a_broken_one_to_its_render(tmp_path):
    from digest.errors import ThemeError
    from digest.render.pages import Renderer
    from digest.render.theme import load_theme

    write_project(tmp_path, {"content/a.md": ARTICLE, "themes/own/strings.toml": "",
                             "digest.toml": '[site]\ntheme = "own"\nsearch = false\n'})
    config = load_config(tmp_path)
    site = Builder(config, translator=FakeTranslator()).build(write=False).site
    write_project(tmp_path, {"themes/own/templates/tags.html": "{% if %}"})
    theme = load_theme(config)
    theme.compile(["article.html", "index.html", "tags.html"])
    assert {"article.html", "index.html", "base.html", "_macros.html", "_image.html", "_image_meta.html"} <= set(theme._compiled)
    assert "tags.html" not in theme._compiled and "home.html" not in theme._compiled
    with pytest.raises(ThemeError, match="tags.html, line 1"):
        Renderer().render(site, theme)
