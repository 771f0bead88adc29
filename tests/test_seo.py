"""Search engines and sharing: sitemap, robots.txt, canonical, hreflang, Open Graph, JSON-LD;
plus the reader-facing dates and archives those pages announce."""

import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from helpers import FakeTranslator, Page, write_project
from sitebuild import BASE_URL, build_sample

from digest.build import Builder
from digest.config import load_config

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_sample(tmp_path_factory.mktemp("seo"))


def page_url(out, path):
    rel = path.relative_to(out).as_posix()
    return BASE_URL + quote(rel[: -len("index.html")] if rel.endswith("index.html") else rel)


def head(html):
    """``(canonical, {hreflang: href}, {meta name/property: [content]})`` of one page."""
    page = Page(html)
    canonical, alternates, meta = None, {}, {}
    for tag, attrs in page.elements:
        if tag == "link" and attrs.get("rel") == "canonical":
            canonical = attrs["href"]
        elif tag == "link" and attrs.get("rel") == "alternate" and "hreflang" in attrs and "type" not in attrs:
            alternates[attrs["hreflang"]] = attrs["href"]
        elif tag == "meta" and ("property" in attrs or "name" in attrs):
            meta.setdefault(attrs.get("property") or attrs.get("name"), []).append(attrs.get("content"))
    return canonical, alternates, meta


@pytest.fixture(scope="module")
def heads(built):
    out, _, _ = built
    return {page_url(out, p): head(p.read_text()) for p in out.rglob("*.html") if p.name != "404.html"}


def test_sitemap_is_valid_and_lists_every_page(built, heads):
    out, _, _ = built
    root = ET.fromstring((out / "sitemap.xml").read_bytes())
    locs = [u.find(f"{SM}loc").text for u in root.findall(f"{SM}url")]
    assert sorted(locs) == sorted(heads) and len(locs) == len(set(locs))
    for url in root.findall(f"{SM}url"):
        loc = url.find(f"{SM}loc").text
        alts = {link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")}
        assert alts == heads[loc][1], loc
        if alts:
            assert loc in alts.values() and "x-default" in alts, loc


def test_canonical_is_the_page_itself(heads):
    for url, (canonical, _, meta) in heads.items():
        assert canonical == url
        assert meta["og:url"] == [url]


def test_every_alternate_points_back(heads):
    for url, (_, alternates, _) in heads.items():
        if not alternates:
            continue
        assert url in alternates.values(), url
        for _lang, href in alternates.items():
            assert href in heads, (url, href)
            assert heads[href][1] == alternates, (url, href)


def test_index_pages_are_language_versions_of_each_other(heads):
    home = heads[BASE_URL][1]
    assert home == {"x-default": BASE_URL, "ar": BASE_URL + "ar/", "en": BASE_URL + "en/"}
    page2 = heads[BASE_URL + "page/2/"][1]
    assert page2 == {"x-default": BASE_URL + "page/2/", "ar": BASE_URL + "ar/page/2/", "en": BASE_URL + "en/page/2/"}


def test_open_graph_and_twitter(heads):
    _, _, meta = heads[BASE_URL + "articles/rain/en/"]
    assert meta["og:type"] == ["article"]
    assert meta["og:locale"] == ["en_US"] and meta["og:locale:alternate"] == ["ar_AR"]
    assert meta["og:title"][0].startswith("Heavy rain on the coast")
    assert "coastal villages" in meta["og:description"][0]
    assert meta["twitter:card"] == ["summary"] and meta["twitter:title"] == meta["og:title"]
    _, _, meta = heads[BASE_URL + "ar/"]
    assert meta["og:type"] == ["website"] and meta["og:locale"] == ["ar_AR"]


def json_ld(html):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_machine_translation_is_declared_for_machines_and_readers(built):
    out, _, _ = built
    html = (out / "articles/rain/en/index.html").read_text()
    assert '<meta name="translation-type" content="machine">' in html
    ld = json_ld(html)
    assert ld["@type"] == "NewsArticle" and ld["inLanguage"] == "en"
    assert ld["translator"] == {"@type": "SoftwareApplication", "name": "glossary", "softwareVersion": "1.0"}
    assert ld["translationOfWork"]["@id"] == BASE_URL + "articles/rain/ar/"
    notice = re.search(r'<p class="provenance provenance-machine".*?</p>', html, re.S).group(0)
    assert "Machine translation" in notice and 'href="../../../articles/rain/ar/"' in notice and "Read the original" in notice
    human = (out / "articles/port/en/index.html").read_text()
    assert '<meta name="translation-type" content="human">' in human and "translator" not in json_ld(human)
    original = (out / "articles/rain/ar/index.html").read_text()
    assert "translation-type" not in original and "translationOfWork" not in json_ld(original)


@pytest.mark.slow
def test_a_pending_english_page_is_kept_out_of_search_engines_until_translated(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-a.md": "---\ntitle: عنوان\n---\nنص.\n",
                             "digest.toml": f'[site]\nbase_url = "{BASE_URL}"\n'})
    base = BASE_URL + "articles/a/"

    def seen(translator):
        files = Builder(load_config(tmp_path), translator=translator).build().files
        locs = {u.find(f"{SM}loc").text: {link.get("hreflang") for link in u.findall(f"{XHTML}link")}
                for u in ET.fromstring(files["sitemap.xml"]).findall(f"{SM}url")}
        return {lang: head(files[f"articles/a/{lang}index.html"].decode()) for lang in ("", "ar/", "en/")}, locs, files

    pages, locs, files = seen(None)
    assert pages["en/"][2]["robots"] == ["noindex"] and "robots" not in pages["ar/"][2]
    assert base + "en/" not in locs and locs[base + "ar/"] == {"x-default", "ar"}
    for _, alternates, meta in pages.values():
        assert set(alternates) == {"x-default", "ar"} and "en_US" not in meta.get("og:locale:alternate", [])
    assert b'<meta name="robots" content="noindex">' in files["404.html"] and BASE_URL + "404.html" not in locs

    pages, locs, _ = seen(FakeTranslator())
    assert "robots" not in pages["en/"][2] and locs[base + "en/"] == {"x-default", "ar", "en"}
    for _, alternates, _ in pages.values():
        assert alternates == {"x-default": base, "ar": base + "ar/", "en": base + "en/"}


def test_robots_txt_points_to_the_sitemap(built):
    out, _, _ = built
    assert f"Sitemap: {BASE_URL}sitemap.xml" in (out / "robots.txt").read_text()


def test_dates_per_language(built):
    out, _, _ = built
    ar = (out / "articles/rain/ar/index.html").read_text()
    en = (out / "articles/rain/en/index.html").read_text()
    assert "10 نوفمبر 2026 م، 30 جمادى الأولى 1448 هـ" in ar
    assert "10 November 2026" in en and "هـ" not in en


def test_archives_and_pagination(built):
    out, result, _ = built
    months = (out / "archive/index.html").read_text()
    assert months.index("archive/2026/11/") < months.index("archive/2026/10/")
    november = (out / "archive/2026/11/index.html").read_text()
    assert "نوفمبر 2026" in november and "November 2026" in (out / "en/archive/2026/11/index.html").read_text()
    assert (out / "archive/2026/11/page/2/index.html").is_file()
    assert not (out / "archive/2026/11/page/3/index.html").exists()
    assert "harvest" in (out / "archive/2026/10/index.html").read_text()
    home = (out / "index.html").read_text()
    assert home.index("articles/port/") < home.index("articles/rain/")
    assert (out / "en/page/2/index.html").is_file() and (out / "tags/زراعة/index.html").is_file()
