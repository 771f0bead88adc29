"""End to end: the shipped sample content built into a temp folder, checked page by page."""

import xml.etree.ElementTree as ET

import pytest
from helpers import REPO, FakeTranslator, Page, internal_targets, write_project

from digest.build import Builder
from digest.config import load_config
from digest.errors import ConfigError
from digest.events import RecordingReporter

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    config = load_config(REPO, {"paths": {"output": str(out)},
                                "site": {"base_url": "https://example.org/digest/"}})
    translator = FakeTranslator()
    result = Builder(config, RecordingReporter(), translator).build()
    return out, result, translator


def pages(out):
    return sorted(p for p in out.rglob("*.html"))


@pytest.mark.slow
def test_sample_content_builds_without_problems(built):
    out, result, _ = built
    assert result.problems == []
    slugs = {e.slug for e in result.site.entries}
    assert {"russia-us-syria-flight-safety", "desalination-plant", "oil-prices", "book-fair"} <= slugs
    for slug in slugs:
        for suffix in ("", "ar/", "en/"):
            assert (out / f"articles/{slug}/{suffix}index.html").is_file()
    assert (out / "404.html").is_file() and (out / "index.html").is_file()


def test_every_page_has_lang_and_dir(built):
    out, _, _ = built
    for path in pages(out):
        page = Page(path.read_text())
        lang = page.html_attrs.get("lang")
        assert lang in ("ar", "en"), path
        assert page.html_attrs.get("dir") == ("rtl" if lang == "ar" else "ltr"), path
        for tag, attrs in page.elements:
            if "lang" in attrs:
                assert attrs.get("dir") == ("rtl" if attrs["lang"] == "ar" else "ltr"), (path, tag, attrs)
    assert 'lang="en" dir="ltr"' in (out / "articles/oil-prices/en/index.html").read_text()[:60]


def test_parallel_page_pairs_every_paragraph(built):
    out, result, _ = built
    html = (out / "articles/russia-us-syria-flight-safety/index.html").read_text()
    rows = html.split('<div class="pair" id="p')[1:]
    assert len(rows) == 12
    seed_entry = next(e for e in result.site.entries if e.slug == "russia-us-syria-flight-safety")
    for row, block in zip(rows, seed_entry.article.blocks):
        source, target = row.split('class="side side-target"')
        assert 'lang="ar" dir="rtl"' in source and block.texts[0][:30] in source
        assert target.startswith(' lang="en" dir="ltr">') and f"EN({block.texts[0][:30]}" in target
    assert "إضافة تعليق جديد" not in html


@pytest.mark.slow
def test_lists_keep_their_numbers_and_nesting_on_every_page(tmp_path):
    body = "3. ثالث\n4. رابع\n   - فرعي\n\n     تتمة الفرعي\n5. خامس\n\n- نقطة\n"
    write_project(tmp_path, {"content/2026-11-01-a.md": "---\ntitle: أ\n---\n" + body})
    result = Builder(load_config(tmp_path), translator=FakeTranslator()).build()
    (entry,) = result.site.entries
    assert [(b.texts[0], b.level, b.number) for b in entry.article.blocks] == [
        ("ثالث", 1, 3), ("رابع", 1, 4), ("فرعي", 2, 1), ("تتمة الفرعي", 2, 1), ("خامس", 1, 5), ("نقطة", 1, 1)]
    assert [b.number for b in entry.english.blocks] == [3, 4, 1, 1, 5, 1]
    # The parallel page pairs item by item: each row says its number and depth.
    parallel = result.files["articles/a/index.html"].decode()
    for number, text in ((3, "ثالث"), (4, "رابع"), (5, "خامس")):
        assert f'<ol start="{number}"><li>{text}</li></ol>' in parallel
        assert f'<ol start="{number}"><li>EN({text})</li></ol>' in parallel
    assert '<ul class="depth-2"><li>فرعي</li></ul>' in parallel
    assert '<ul class="depth-2"><li class="continued">تتمة الفرعي</li></ul>' in parallel
    # A language page flows: one list, the nested one inside its item, an item's second
    # paragraph inside the item, a list of another kind after it.
    english = result.files["articles/a/en/index.html"].decode()
    assert ('<ol start="3"><li>EN(ثالث)</li><li>EN(رابع)<ul><li>EN(فرعي)<p>EN(تتمة الفرعي)</p></li></ul></li>'
            '<li>EN(خامس)</li></ol><ul><li>EN(نقطة)</li></ul>') in english


def test_translator_called_once_with_every_pending_segment(built):
    _, result, translator = built
    assert len(translator.calls) == 1
    (batch,) = translator.calls
    assert len(batch) == len(set(batch))
    for entry in result.site.entries:
        if entry.article.human is None:
            assert entry.article.title in batch
            for block in entry.article.blocks:
                if block.translatable:
                    assert set(block.texts) <= set(batch)
        else:
            assert entry.article.title not in batch


def test_provenance_is_labelled(built):
    out, _, _ = built
    machine = (out / "articles/book-fair/en/index.html").read_text()
    assert "Machine translation" in machine and "fake-ar-en 9.9" in machine
    human = (out / "articles/oil-prices/en/index.html").read_text()
    assert "Human translation" in human and "Brent crude climbed 2.3%" in human
    assert "Machine translation" not in human


def test_internal_links_resolve(built):
    out, _, _ = built
    checked = 0
    for path in pages(out):
        if path.name == "404.html":
            continue
        for link, target in internal_targets(out, path, Page(path.read_text()).links):
            assert target.is_file(), f"{path.relative_to(out)}: {link} -> {target}"
            checked += 1
    assert checked > 100


def test_each_page_links_to_its_other_languages(built):
    out, _, _ = built
    parallel = (out / "articles/book-fair/index.html").read_text()
    assert 'href="../../articles/book-fair/ar/"' in parallel and 'href="../../articles/book-fair/en/"' in parallel
    english = (out / "articles/book-fair/en/index.html").read_text()
    assert 'href="../../../articles/book-fair/ar/"' in english and 'href="../../../articles/book-fair/"' in english


def test_sitemap_lists_every_page_under_base_url(built):
    out, _, _ = built
    root = ET.parse(out / "sitemap.xml").getroot()
    locs = {u.find(f"{SM}loc").text for u in root.findall(f"{SM}url")}
    expected = set()
    for path in pages(out):
        rel = path.relative_to(out).as_posix()
        if rel == "404.html":
            continue
        expected.add("https://example.org/digest/" + rel.removesuffix("index.html"))
    from urllib.parse import unquote
    assert {unquote(loc) for loc in locs} == expected


def test_404_links_are_rooted_at_the_base_path(built):
    out, _, _ = built
    html = (out / "404.html").read_text()
    assert 'href="/digest/static/style.css"' in html and 'href="/digest/"' in html


def test_arabic_text_isolates_latin_runs(built):
    out, _, _ = built
    html = (out / "articles/book-fair/ar/index.html").read_text()
    assert '<bdi dir="ltr">Paulo Coelho</bdi>' in html


def test_no_external_resources(built):
    out, _, _ = built
    for path in pages(out):
        for link in Page(path.read_text()).links:
            assert not link.startswith(("http://", "https://", "//")) or "example.org" in link, (path, link)
    css = (out / "static/style.css").read_text()
    assert "@import" not in css and "url(http" not in css
    assert "inline-start" in css and "margin-left" not in css and "padding-right" not in css


@pytest.mark.slow
def test_pending_translation_without_model(tmp_path):
    write_project(tmp_path, {"content/a.txt": "عنوان\nفقرة.\n", "digest.toml": '[translation]\nengine = "none"\n'})
    reporter = RecordingReporter()
    result = Builder(load_config(tmp_path), reporter).build()
    english = result.files["articles/a/en/index.html"].decode()
    assert "English translation coming soon" in english and "فقرة." in english
    assert 'lang="ar" dir="rtl"' in english
    # The parallel page shows the original at full width under the note, not beside an
    # empty English column.
    parallel = result.files["articles/a/index.html"].decode()
    assert "English translation coming soon." in parallel
    assert "so the original is shown" not in parallel
    assert "parallel-pending" in parallel and "side-target" not in parallel and "فقرة." in parallel
    assert '<meta property="og:type" content="article">' in parallel


@pytest.mark.slow
def test_one_bad_file_does_not_stop_the_build(tmp_path):
    write_project(tmp_path, {"content/good.md": "---\ntitle: جيد\n---\nنص.\n",
                             "content/bad.md": "---\ntitle: [\n---\nنص\n"})
    reporter = RecordingReporter()
    result = Builder(load_config(tmp_path), reporter, FakeTranslator()).build()
    assert (tmp_path / "site/articles/good/index.html").is_file()
    (problem,) = reporter.of("problem")
    assert problem.paths[0].name == "bad.md"
    assert result.problems == [problem]


@pytest.mark.slow
def test_user_theme_overrides_one_template_and_extends_default(tmp_path):
    write_project(tmp_path, {
        "content/a.md": "---\ntitle: أ\n---\nنص.\n",
        "digest.toml": '[site]\ntheme = "mine"\n',
        "themes/mine/templates/404.html": '{% extends "default/404.html" %}{% block main %}<p>MINE-404</p>{% endblock %}',
        "themes/mine/strings.toml": '[en]\nhome = "Front page"\n',
    })
    result = Builder(load_config(tmp_path), translator=FakeTranslator()).build()
    assert "MINE-404" in result.files["404.html"].decode()
    assert "Front page" in result.files["en/index.html"].decode()
    assert "articles/a/" in result.files["index.html"].decode()


@pytest.mark.slow
def test_unknown_theme_is_a_config_error_and_keeps_the_last_site(tmp_path):
    write_project(tmp_path, {"content/a.md": "---\ntitle: أ\n---\nنص.\n"})
    Builder(load_config(tmp_path), translator=None).build()
    with pytest.raises(ConfigError, match="site.theme: no theme 'nosuch'") as caught:
        Builder(load_config(tmp_path, {"site": {"theme": "nosuch"}}), translator=None).build()
    # There is no digest.toml: the message never names one.
    assert caught.value.path == tmp_path / "themes/nosuch" and "themes here: default" in str(caught.value)
    write_project(tmp_path, {"digest.toml": '[site]\ntheme = "nosuch"\n'})
    with pytest.raises(ConfigError, match="site.theme: no theme 'nosuch'") as caught:
        Builder(load_config(tmp_path), translator=None).build()
    assert caught.value.path == tmp_path / "digest.toml"
    assert (tmp_path / "site/articles/a/index.html").is_file()


@pytest.mark.slow
def test_a_broken_glossary_stops_the_build_listing_every_problem_even_without_a_model(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-a.md": "---\ntitle: أ\n---\nنص.\n",
                             "content/glossary.toml": '[terms]\n"داعش" = "ISIS\n'})
    glossary = tmp_path / "content/glossary.toml"
    with pytest.raises(ConfigError, match="glossary not usable") as caught:
        Builder(load_config(tmp_path), translator=None).build()
    assert caught.value.path == glossary and not (tmp_path / "site").exists()
    glossary.write_text('[terms]\n"داعش" = "ISIS"\n"بوتين" = 5\n"سوريا" = ""\n[term]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        Builder(load_config(tmp_path), translator=None).build()
    assert caught.value.problems == ["term: unknown table (the glossary has a [terms] and a [names] table)",
                                     "terms.'بوتين': expected a non-empty English string, got 5",
                                     "terms.'سوريا': expected a non-empty English string, got ''"]
    glossary.write_text('[terms]\n"داعش" = "ISIS"\n', encoding="utf-8")
    reporter = RecordingReporter()
    Builder(load_config(tmp_path), reporter, translator=None).build()
    assert not [w for w in reporter.of("warning") if "glossary.toml" in w]


@pytest.mark.slow
def test_an_unknown_front_matter_key_is_a_warning_naming_the_file_and_the_article_is_built(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-a.md": "---\ntitle: أ\nlayout: wide\n---\nنص.\n"})
    reporter = RecordingReporter()
    result = Builder(load_config(tmp_path), reporter, translator=None).build()
    assert "articles/a/ar/index.html" in result.files and result.problems == []
    (warning,) = [w for w in reporter.of("warning") if "ignored" in w]
    assert warning.startswith(str(tmp_path / "content/2026-11-01-a.md")) and "key(s) ignored: layout" in warning


@pytest.mark.slow
def test_a_human_translation_with_other_paragraphs_than_the_arabic_is_a_warning(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-q.md": "---\ntitle: زلزال\n---\nفقرة أولى.\n\nفقرة ثانية.\n",
                             "content/2026-11-01-q.en.md": "---\ntitle: Quake\n---\nOne paragraph only.\n"})
    reporter = RecordingReporter()
    Builder(load_config(tmp_path), reporter, translator=None).build()
    (warning,) = [w for w in reporter.of("warning") if "pairs them in order" in w]
    assert warning.startswith(str(tmp_path / "content/2026-11-01-q.en.md")) and "1 block(s) against 2" in warning


@pytest.mark.slow
def test_indexes_say_when_english_is_pending(tmp_path):
    write_project(tmp_path, {"content/a.md": "---\ntitle: عنوان عربي\n---\nنص.\n"})
    result = Builder(load_config(tmp_path), translator=None).build()
    home = result.files["index.html"].decode()
    assert home.count("عنوان عربي</a>") == 1 and "English translation coming soon" in home
    english_index = result.files["en/index.html"].decode()
    assert "عنوان عربي" in english_index and "English translation coming soon" in english_index


@pytest.mark.slow
def test_an_article_without_a_date_is_built_with_a_warning_naming_it(tmp_path):
    write_project(tmp_path, {"content/undated.txt": "عنوان\nفقرة.\n", "content/2026-11-01-dated.txt": "عنوان\nفقرة.\n",
                             "digest.toml": '[translation]\nengine = "none"\n'})
    reporter = RecordingReporter()
    result = Builder(load_config(tmp_path), reporter).build()
    assert sorted(e.slug for e in result.site.entries) == ["dated", "undated"]
    (warning,) = reporter.of("warning")
    assert "undated.txt: no date (a date line above or under the title, or a YYYY-MM-DD- file name prefix)" in warning
    assert "modification time" in warning
