"""One bad file never stops the build, and what is built is well-formed (issue 10, 3 and 4).

Each case is a small project in tmp_path: one good article beside the bad one, built with
the fake translator; the good article must be on the site, every page must parse as HTML
and every feed as XML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import html5lib
import pytest
from helpers import FakeTranslator, write_project

from digest.build import Builder
from digest.config import ConfigError, load_config
from digest.content.cleantext import clean, clean_text
from digest.events import RecordingReporter

GOOD = {"content/good.md": "---\ntitle: خبر جيد\ndate: 2026-01-05\ntags: [اقتصاد]\n---\nنص الخبر الجيد.\n"}


def build(root, files, translator=None, write=True):
    """Build ``GOOD`` plus ``files`` under ``root``; return (output folder, result, reporter)."""
    write_project(root, GOOD | files)
    out = root / "site"
    config = load_config(root, {"paths": {"output": str(out)}, "site": {"base_url": "https://example.org/"}})
    reporter = RecordingReporter()
    result = Builder(config, reporter, translator or FakeTranslator()).build(write=write, search=False)
    return out, result, reporter


def check_well_formed(files: dict[str, bytes]) -> None:
    """Every page parses without a single HTML error; every feed is well-formed XML."""
    parser = html5lib.HTMLParser(strict=True)
    pages = [name for name in files if name.endswith(".html")]
    assert pages
    for name in pages:
        try:
            parser.parse(files[name])
        except html5lib.html5parser.ParseError as exc:
            pytest.fail(f"{name}: {exc}")
    for name in ("feed.xml", "ar/feed.xml", "en/feed.xml", "sitemap.xml"):
        ET.fromstring(files[name])


def test_a_year_9999_date_builds_with_the_rest(tmp_path):
    out, result, _ = build(tmp_path, {"content/far.md": "---\ntitle: بعيد\ndate: 9999-12-01\n---\nنص بعيد.\n"})
    assert result.problems == []
    assert {e.slug for e in result.site.entries} == {"good", "far"}
    assert (out / "archive/9999/12/index.html").is_file()
    assert "ديسمبر 9999" in (out / "archive/index.html").read_text()
    check_well_formed(result.files)


def test_a_lone_surrogate_from_a_yaml_escape_is_removed(tmp_path):
    out, result, _ = build(tmp_path, {"content/s.md": '---\ntitle: "a\\ud800b"\ntags: ["x\\udfffy"]\n---\nنص.\n'})
    assert result.problems == []
    entry = next(e for e in result.site.entries if e.slug == "s")
    assert entry.article.title == "ab" and entry.article.tags == ("xy",)
    assert "<title>ab" in (out / "articles/s/ar/index.html").read_text()
    check_well_formed(result.files)


def test_an_edits_file_with_edit_a_number_is_an_error_naming_it(tmp_path):
    files = {"content/a.md": "---\ntitle: عنوان\n---\nنص.\n", "content/a.edits.toml": "edit = 5\n"}
    out, result, reporter = build(tmp_path, files)
    assert {e.slug for e in result.site.entries} == {"good", "a"}
    (warning,) = [w for w in reporter.of("warning") if "edits.toml" in w]
    assert str(tmp_path / "content/a.edits.toml") in warning and "must be a list" in warning
    assert (out / "articles/a/en/index.html").is_file()


@pytest.mark.parametrize("shape", ['edit = "x"', "edit = {arabic = 'a'}", "edit = [1, 'b', [2]]",
                                   "[edit]\narabic = 5", "edit = []\nother = 1"])
def test_edits_files_of_other_shapes_never_stop_the_build(tmp_path, shape):
    files = {"content/a.md": "---\ntitle: عنوان\n---\nنص.\n", "content/a.edits.toml": shape + "\n"}
    _, result, reporter = build(tmp_path, files)
    assert {e.slug for e in result.site.entries} == {"good", "a"}
    assert any("a.edits.toml" in w for w in reporter.of("warning"))


CONTROLS = "\\0\\a\\e\\x01\\x7f\\x85\\uFFFE\\uFFFF\\uFDD0\\U0010FFFF\\ud800\\f\\v"


def test_control_characters_and_noncharacters_from_yaml_escapes_are_removed(tmp_path):
    meta = (f'title: "t{CONTROLS}i\\ttle"\nsource: "s{CONTROLS}rc"\nauthor: "au{CONTROLS}"\n'
            f'tags: ["ta{CONTROLS}g"]\nslug: "sl{CONTROLS}ug"\n')
    out, result, _ = build(tmp_path, {"content/c.md": f"---\n{meta}---\nنص.\n"})
    assert result.problems == []
    article = next(e.article for e in result.site.entries if e.slug == "slug")
    assert (article.title, article.source, article.author, article.tags) == ("ti\ttle", "src", "au", ("tag",))
    check_well_formed(result.files)
    for name in ("feed.xml", "ar/feed.xml", "en/feed.xml"):
        assert b"\xef\xbf\xbf" not in result.files[name]  # U+FFFF


def test_noncharacters_in_bodies_raw_text_and_human_translations_are_removed(tmp_path):
    bad = "\ufffe\uffff\U0001fffe\ufdd0"
    files = {
        "content/m.md": f"---\ntitle: عنوان{bad}\n---\nفقرة{bad} أولى.\n\n> اقتباس{bad}\n",
        "content/m.en.md": f"---\ntitle: Title{bad}\n---\nFirst{bad} paragraph.\n\n> Quote{bad}\n",
        "content/r.txt": f"عنوان خام{bad}\nفقرة خام{bad}.\n",
    }
    out, result, _ = build(tmp_path, files)
    assert result.problems == []
    for name, data in result.files.items():
        if name.endswith((".html", ".xml")):
            text = data.decode("utf-8")
            assert not any(c in text for c in bad), name
    m = next(e for e in result.site.entries if e.slug == "m")
    assert m.article.title == "عنوان" and m.article.human.title == "Title"
    assert m.article.human.blocks[0].texts == ("First paragraph.",)
    check_well_formed(result.files)


def test_a_control_byte_in_a_raw_text_file_is_refused_naming_it(tmp_path):
    _, result, _ = build(tmp_path, {"content/r.txt": "عنوان\nفقرة \x1b فيها.\n"})
    (problem,) = result.problems
    assert problem.paths == (tmp_path / "content/r.txt",) and "control" in problem.message
    assert [e.slug for e in result.site.entries] == ["good"]


def test_a_glossary_with_control_characters_is_cleaned_before_use(tmp_path):
    files = {"content/glossary.toml": '[terms]\n"نفط\\u0007" = "oil\\u0000"\n'}
    write_project(tmp_path, GOOD | files)
    from digest.translate.glossary import load_glossary

    config = load_config(tmp_path, {})
    assert load_glossary(config) == {"نفط": "oil"}


def test_a_glossary_term_that_cleans_to_nothing_is_the_documented_config_error(tmp_path):
    write_project(tmp_path, GOOD | {"content/glossary.toml": '[terms]\n"\\u0000" = "x"\n'})
    from digest.translate.glossary import load_glossary

    with pytest.raises(ConfigError) as caught:
        load_glossary(load_config(tmp_path, {}))
    assert "glossary.toml" in str(caught.value)


def test_clean_keeps_tab_newline_and_ordinary_text():
    assert clean_text("a\tb\nc") == "a\tb\nc"
    assert clean_text("line\r\nnext\rlast") == "line\nnext\nlast"
    assert clean_text("نص عربي ‏«اقتباس»") == "نص عربي ‏«اقتباس»"
    assert clean_text("\U0001f600 \U0010fffd") == "\U0001f600 \U0010fffd"
    assert clean({"k\x00": ["v\x07", 3, None, {"\ud800": "\uffff"}]}) == {"k": ["v", 3, None, {"": ""}]}


def test_tags_differing_in_case_list_the_article_once(tmp_path):
    files = {"content/a.md": "---\ntitle: أ\ndate: 2026-01-03\ntags: [News, news, NEWS, ＮＥＷＳ]\n---\nنص.\n",
             "content/b.md": "---\ntitle: ب\ndate: 2026-01-04\ntags: [nEwS, Straße]\n---\nنص.\n",
             "content/c.md": "---\ntitle: ج\ndate: 2026-01-02\ntags: [STRASSE]\n---\nنص.\n"}
    out, result, _ = build(tmp_path, files)
    a = next(e.article for e in result.site.entries if e.slug == "a")
    assert a.tags == ("News",)
    tags = {t.slug: t for t in result.site.tags}
    assert set(tags) == {"اقتصاد", "news", "strasse"}
    # Named as first seen, newest first: b (Jan 4) before a (Jan 3).
    assert tags["news"].name == "nEwS" and [e.slug for e in tags["news"].entries] == ["b", "a"]
    assert tags["strasse"].name == "Straße" and tags["strasse"].count == 2
    html = (out / "tags/news/index.html").read_text()
    once = (out / "tags/اقتصاد/index.html").read_text().count('href="../../articles/good/"')
    assert once >= 1  # however many links one listing of an article holds
    assert html.count('href="../../articles/a/"') == once and html.count('href="../../articles/b/"') == once
    assert sorted(p.name for p in (out / "tags").iterdir() if p.is_dir()) == ["news", "strasse", "اقتصاد"]


def test_a_tag_page_lists_an_article_once_even_with_two_tags_of_one_slug(tmp_path):
    files = {"content/a.md": "---\ntitle: أ\ntags: [a b, a-b]\n---\nنص.\n"}
    _, result, _ = build(tmp_path, files, write=False)
    (tag,) = [t for t in result.site.tags if t.slug == "a-b"]
    assert [e.slug for e in tag.entries] == ["a"] and tag.count == 1


@pytest.mark.parametrize("body, line", [
    ("مقدمة.\n\n" + ">" * 22 + " نص عميق\n\nخاتمة.\n", 6),
    ("\n".join("  " * i + f"- بند {i}" for i in range(12)) + "\n", 13),
    ("\n".join("\t" * i + f"- بند {i}" for i in range(11)) + "\n", 13),
])
def test_markdown_nested_beyond_the_limit_is_a_warning_naming_the_file(tmp_path, body, line):
    _, result, reporter = build(tmp_path, {"content/deep.md": f"---\ntitle: عميق\n---\n{body}"})
    assert {e.slug for e in result.site.entries} == {"good", "deep"}
    (warning,) = [w for w in reporter.of("warning") if "nested too deep" in w]
    assert warning.startswith(f"{tmp_path / 'content/deep.md'}: line {line}: ")


def test_markdown_nested_within_the_limit_gives_no_warning(tmp_path):
    body = ">" * 19 + " نص\n\n" + "\n".join("  " * i + f"- بند {i}" for i in range(9)) + "\n"
    _, result, reporter = build(tmp_path, {"content/ok.md": f"---\ntitle: عادي\n---\n{body}",
                                           "content/ok.en.md": f"---\ntitle: Fine\n---\n{body}"})
    assert not [w for w in reporter.of("warning") if "nested too deep" in w]
    check_well_formed(result.files)


def test_a_human_translation_nested_too_deep_is_a_warning_naming_it(tmp_path):
    files = {"content/h.md": "---\ntitle: ع\n---\nنص.\n",
             "content/h.en.md": "---\ntitle: T\n---\nIntro.\n\n" + "> " * 25 + "deep\n"}
    _, _, reporter = build(tmp_path, files)
    (warning,) = [w for w in reporter.of("warning") if "nested too deep" in w]
    assert warning.startswith(f"{tmp_path / 'content/h.en.md'}: human translation line 6: ")


def test_a_form_feed_character_reference_reaches_no_feed(tmp_path):
    # markdown-it turns &#12; into a form feed, which XML forbids.
    files = {"content/f.md": "---\ntitle: ع\n---\nنص &#12; و &#x0C; هنا.\n",
             "content/f.en.md": "---\ntitle: T\n---\nText &#12; here.\n"}
    _, result, _ = build(tmp_path, files)
    check_well_formed(result.files)
    assert not any(b"\x0c" in data for data in result.files.values())


def test_clean_removes_every_unwanted_character_from_arabic_text_too():
    # Printable text is returned as it is: each character clean_text removes is unprintable.
    for bad in ("\x00", "\x1f", "\x85", "\ud800", "\ufdd0", "\uffff", "\U0010ffff", "\r"):
        assert clean_text(f"نص{bad}عربي") == ("نص\nعربي" if bad == "\r" else "نصعربي")
    assert clean_text("نص «عربي» 12,500 كم") == "نص «عربي» 12,500 كم"
