"""Atom feeds: well-formed, parsed by feedparser, complete, linked from every page."""

import xml.etree.ElementTree as ET

import feedparser
import pytest
from sitebuild import BASE_URL, build_sample

from digest.content.markup import parse_blocks
from digest.render.feeds import summary

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_sample(tmp_path_factory.mktemp("feeds"))


def parsed(out, rel):
    data = (out / rel).read_bytes()
    ET.fromstring(data)  # well-formed XML first: feedparser forgives too much
    feed = feedparser.parse(data)
    assert not feed.bozo, (rel, feed.get("bozo_exception"))
    return feed


@pytest.mark.parametrize("rel", ["feed.xml", "ar/feed.xml", "en/feed.xml"])
def test_feed_carries_every_article_with_all_fields(built, rel):
    out, result, _ = built
    feed = parsed(out, rel)
    assert feed.version == "atom10"
    assert feed.feed.title and feed.feed.id and feed.feed.updated
    assert any(link.rel == "self" and link.href == BASE_URL + rel for link in feed.feed.links)
    assert len(feed.entries) == len(result.site.entries) == 4
    for item in feed.entries:
        assert item.title and item.id and item.updated and item.published
        assert item.link.startswith(BASE_URL + "articles/")
        assert item.author
        assert item.summary and item.content[0].value
    newest = result.site.entries[0]
    assert feed.entries[0].link.startswith(BASE_URL + newest.url())


def test_language_feeds_hold_their_language(built):
    out, result, _ = built
    ar, en, both = parsed(out, "ar/feed.xml"), parsed(out, "en/feed.xml"), parsed(out, "feed.xml")
    port = {e.title: e for e in en.entries}["The commercial port expands"]
    assert port.link == BASE_URL + "articles/port/en/"
    assert "container ships" in port.content[0].value
    assert port.author == "Reuters"  # the built-in agency table; the Arabic feed keeps رويترز
    assert {e.link: e for e in ar.entries}[BASE_URL + "articles/port/ar/"].author == "رويترز"
    harvest = next(e for e in en.entries if e.link.endswith("/harvest/en/"))
    assert "Machine translation (glossary 1.0)" in harvest.content[0].value
    assert f'href="{BASE_URL}articles/harvest/ar/"' in harvest.content[0].value
    assert "Read the original" in harvest.content[0].value
    bilingual = next(e for e in both.entries if e.link.endswith("/harvest/"))
    assert "Machine translation (glossary 1.0)" in bilingual.content[0].value
    human = next(e for e in both.entries if e.link.endswith("/port/"))
    assert "Machine translation" not in human.content[0].value and "ترجمة آلية" not in human.content[0].value
    library = next(e for e in ar.entries if e.link.endswith("/library/ar/"))
    assert library.title == "مكتبة جديدة للأطفال في المدينة القديمة"
    assert library.author == "سلمى"
    assert 'dir="rtl"' in library.content[0].value and "Machine translation" not in library.content[0].value
    assert [t.term for t in library.tags] == ["ثقافة"]
    rain = next(e for e in both.entries if e.link == BASE_URL + "articles/rain/")
    assert "أمطار غزيرة" in rain.title and "Heavy rain on the coast" in rain.title
    assert "القرى الساحلية" in rain.content[0].value and "coastal villages" in rain.content[0].value


def test_each_entry_has_one_alternate_and_relates_the_other_versions(built):
    out, _, _ = built
    for rel in ("feed.xml", "ar/feed.xml", "en/feed.xml"):
        root = ET.fromstring((out / rel).read_bytes())
        for entry in root.iter(f"{ATOM}entry"):
            links = [(link.get("rel"), link.get("hreflang")) for link in entry.iter(f"{ATOM}link")]
            assert [r for r, _ in links].count("alternate") == 1, (rel, links)
            assert sorted(str(h) for r, h in links) == ["None", "ar", "en"], (rel, links)


@pytest.mark.slow
def test_feed_output_does_not_depend_on_the_clock(built, tmp_path):
    out, _, _ = built
    again, _, _ = build_sample(tmp_path)
    for rel in ("feed.xml", "ar/feed.xml", "en/feed.xml"):
        assert (again / rel).read_bytes() == (out / rel).read_bytes()


def test_every_page_links_its_feeds(built):
    out, _, _ = built
    for path in out.rglob("*.html"):
        html = path.read_text()
        assert html.count('type="application/atom+xml"') >= 3, path


def test_summary_cuts_at_a_word():
    blocks = parse_blocks("كلمة " * 100 + "\n\nفقرة ثانية")
    text = summary(blocks, 50)
    assert len(text) <= 51 and text.endswith("…") and "كلم…" not in text
    assert summary(parse_blocks("# عنوان\n\nنص **قصير**.")) == "نص قصير."


@pytest.mark.slow
def test_the_english_feed_holds_only_translated_articles_and_takes_one_in_once_translated(tmp_path):
    from helpers import FakeTranslator, write_project

    from digest.build import Builder
    from digest.config import load_config

    write_project(tmp_path, {"content/2026-11-01-a.md": "---\ntitle: أ\n---\nنص.\n"})
    builder = Builder(load_config(tmp_path), translator=None)

    def ids(files, rel):
        return [e.find(f"{ATOM}id").text for e in ET.fromstring(files[rel]).findall(f"{ATOM}entry")]

    pending = builder.build(write=False).files
    assert ids(pending, "en/feed.xml") == [] and len(ids(pending, "ar/feed.xml")) == len(ids(pending, "feed.xml")) == 1
    builder._lookup.value = FakeTranslator()  # a model installed in a long serve session
    translated = builder.build(write=False).files
    assert [i.rstrip("/").rsplit("/", 2)[-2:] for i in ids(translated, "en/feed.xml")] == [["a", "en"]]
