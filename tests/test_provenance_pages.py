"""Per-paragraph provenance and sentence alignment as readers see them on the pages."""

from dataclasses import replace

import pytest
from helpers import write_project

from digest.config import load_config
from digest.content.articles import load_articles
from digest.render.pages import Renderer
from digest.render.theme import load_theme
from digest.site.model import build_site
from digest.translate.stage import English, Provenance


def render(tmp_path):
    write_project(tmp_path, {"content/a.md": "---\ntitle: عنوان\n---\nجملة أولى. جملة ثانية.\n\nفقرة ثانية.\n\nفقرة ثالثة.\n"})
    config = load_config(tmp_path)
    (article,), _ = load_articles(config)
    machine = Provenance("machine", "argos-ar-en", "1.0")
    english = English(
        "Title",
        (article.blocks[0].with_texts(["First one. Second one."]),
         article.blocks[1].with_texts(["Edited second paragraph."]),
         article.blocks[2]),  # guards rejected the output: the source is shown
        machine,
        (machine,
         Provenance("post-edit"),
         Provenance("failed", "argos-ar-en", "1.0", note="echoed the source", stale="An old correction.")),
        ((("جملة أولى.", "First one."), ("جملة ثانية.", "Second one.")), (), ()),
    )
    site = build_site(config, [article], {"a": english})
    return Renderer().render(site, load_theme(config))


@pytest.mark.slow
def test_parallel_page_marks_each_paragraph_and_aligns_sentences(tmp_path):
    html = render(tmp_path)["articles/a/index.html"].decode()
    assert html.count('data-s="p1-0"') == 2 and html.count('data-s="p1-1"') == 2
    assert '<span class="s" data-s="p1-1">Second one.</span>' in html
    assert 'data-provenance="post-edit"' in html and "Machine translation, edited by a person" in html
    failed = html.split('data-provenance="failed"')[1]
    assert 'class="side side-target side-failed" lang="ar" dir="rtl"' in failed
    assert "Machine translation failed for this paragraph" in failed and "echoed the source" in failed
    assert "out of date" in failed and "An old correction." in failed


@pytest.mark.slow
def test_english_page_marks_failed_and_edited_paragraphs(tmp_path):
    html = render(tmp_path)["articles/a/en/index.html"].decode()
    assert "Edited second paragraph." in html and "edited by a person" in html
    assert '<div lang="ar" dir="rtl"><p>فقرة ثالثة.</p></div>' in html
    assert "Machine translation failed" in html


@pytest.mark.slow
def test_a_table_with_a_failed_cell_shows_the_original_table_whole(tmp_path):
    from helpers import FakeTranslator

    from digest.build import Builder
    from digest.events import RecordingReporter

    class OneCellFails(FakeTranslator):
        def translate(self, texts):
            out = super().translate(texts)
            return replace(out, failures={"المؤشر": "echoed the source"})

    write_project(tmp_path, {"content/2026-11-01-t.md": "---\ntitle: جدول\n---\n| المؤشر | القيمة |\n|---|---|\n| النفط | ٨٤ |\n"})
    result = Builder(load_config(tmp_path), translator=OneCellFails()).build()
    (entry,) = result.site.entries
    (table,) = entry.english.blocks
    assert table == entry.article.blocks[0] and entry.english.block_provenance[0].kind == "failed"
    english = result.files["articles/t/en/index.html"].decode()
    assert '<div lang="ar" dir="rtl"><table><tr><th>المؤشر</th><th>القيمة</th></tr><tr><td>النفط</td><td>٨٤</td></tr></table></div>' in english
    assert "EN(" not in english.split("<table>")[1].split("</table>")[0]

    reporter = RecordingReporter()
    Builder(load_config(tmp_path), reporter, translator=OneCellFails()).build()
    assert [w for w in reporter.of("warning") if "rejected" in w] == [
        f"{tmp_path / 'content/2026-11-01-t.md'}: block 1 (المؤشر القيمة النفط ٨٤): machine translation rejected "
        "(echoed the source), the original is shown"]
