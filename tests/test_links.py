"""The whole output, built under a sub-path: every internal link resolves, every page parses."""

import re
import xml.etree.ElementTree as ET
from urllib.parse import unquote, urljoin, urlsplit

import html5lib
import pytest
from helpers import Page
from sitebuild import BASE_URL, build_sample

BASE_PATH = urlsplit(BASE_URL).path  # /digest/


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_sample(tmp_path_factory.mktemp("links"))


def resolve(out, page_rel, link):
    """The file a link from ``page_rel`` leads to, or None for a link off the site.

    Pages are addressed as the host would serve them, under ``BASE_URL``.
    """
    absolute = urljoin(BASE_URL + page_rel, link)
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or parts.netloc != urlsplit(BASE_URL).netloc:
        return None
    path = unquote(parts.path)
    assert path.startswith(BASE_PATH), f"{page_rel}: {link} leaves the base path"
    rel = path[len(BASE_PATH):]
    target = out / rel
    return target / "index.html" if rel == "" or rel.endswith("/") else target


def html_links(html):
    page = Page(html)
    links = list(page.links)
    for tag, attrs in page.elements:
        if tag == "meta" and attrs.get("property") in ("og:url",):
            links.append(attrs["content"])
    return links


def test_every_internal_href_and_src_resolves(built):
    out, _, _ = built
    checked, broken = 0, []
    for path in sorted(out.rglob("*.html")):
        rel = path.relative_to(out).as_posix()
        if rel == "404.html":
            page_rel = "some/missing/page/"  # served at any depth: its links must still work
        else:
            page_rel = rel.removesuffix("index.html")
        for link in html_links(path.read_text()):
            if link.startswith("#"):
                continue
            target = resolve(out, page_rel, link)
            if target is None:
                continue
            checked += 1
            if not target.is_file():
                broken.append((rel, link))
    assert not broken
    assert checked > 500


def test_feed_and_sitemap_urls_resolve(built):
    out, _, _ = built
    for rel in ("feed.xml", "ar/feed.xml", "en/feed.xml", "sitemap.xml"):
        root = ET.fromstring((out / rel).read_bytes())
        urls = [el.get("href") for el in root.iter() if el.get("href")]
        urls += [el.text for el in root.iter() if el.tag.endswith("}loc")]
        assert urls
        for url in urls:
            target = resolve(out, rel, url)
            assert target is not None and target.is_file(), (rel, url)


def test_search_bundle_and_scripts_are_local(built):
    out, _, _ = built
    for lang in ("ar", "en"):
        html = (out / lang / "search/index.html").read_text()
        for src in re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html):
            assert not re.match(r"^[a-z]+:|^//", src), src
    assert (out / "pagefind/pagefind-ui.js").is_file()


def test_every_page_parses_without_errors(built):
    out, _, _ = built
    parser = html5lib.HTMLParser(strict=True)
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 25
    for path in pages:
        try:
            parser.parse(path.read_bytes())
        except html5lib.html5parser.ParseError as exc:
            pytest.fail(f"{path.relative_to(out)}: {exc}")


def test_every_image_has_alt_text(built):
    out, _, _ = built
    images = 0
    for path in out.rglob("*.html"):
        for tag, attrs in Page(path.read_text()).elements:
            if tag == "img":
                images += 1
                assert attrs.get("alt", "").strip(), (path, attrs)
    assert images >= 3


@pytest.mark.slow
def test_image_without_alt_text_is_a_warning(tmp_path):
    from helpers import FakeTranslator, write_project

    from digest.build import Builder
    from digest.config import load_config
    from digest.events import RecordingReporter

    write_project(tmp_path, {"content/a.md": "---\ntitle: صورة\n---\nنص ![](https://img.example.net/a.png)\n\n"
                                             "![وصف](https://img.example.net/b.png)\n"})
    reporter = RecordingReporter()
    Builder(load_config(tmp_path), reporter, FakeTranslator()).build(write=False)
    warnings = [w for w in reporter.of("warning") if "alt text" in w]
    assert len(warnings) == 1 and "a.png" in warnings[0] and "a.md" in warnings[0]
