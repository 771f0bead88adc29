"""Post-edits keyed to the Arabic they translate, flagged when it changes; per-block provenance."""

from __future__ import annotations

from dataclasses import replace

import pytest
from helpers import FakeTranslator, write_project

from digest.build import Builder
from digest.config import load_config
from digest.events import RecordingReporter
from digest.translate.result import TranslationResult

ARTICLE = ("---\ntitle: أسعار النفط\ndate: 2026-11-22\n---\n"
           "ارتفعت أسعار النفط يوم الاثنين.\n\nوقال محللون إن السوق متوترة.\n")
EDITS = ('[[edit]]\narabic = "ارتفعت أسعار النفط يوم الاثنين."\n'
         'english = "Oil prices rose on Monday."\n')


def build(root, translator=None):
    reporter = RecordingReporter()
    result = Builder(load_config(root), reporter, translator or FakeTranslator()).build(write=False)
    entry = next(e for e in result.site.entries if e.slug == "oil")
    return result, result.site, entry, reporter


@pytest.mark.slow
def test_a_post_edit_replaces_its_paragraph_and_is_not_machine_translated(tmp_path):
    write_project(tmp_path, {"content/2026-11-22-oil.md": ARTICLE, "content/2026-11-22-oil.edits.toml": EDITS})
    translator = FakeTranslator()
    result, _, entry, reporter = build(tmp_path, translator)
    english = entry.english
    assert english.blocks[0].texts == ("Oil prices rose on Monday.",)
    assert english.blocks[1].texts == ("EN(وقال محللون إن السوق متوترة.)",)
    assert [p.kind for p in english.block_provenance] == ["post-edit", "machine"]
    assert "ارتفعت أسعار النفط يوم الاثنين." not in translator.calls[0]
    assert result.stats.post_edits == 1 and result.stats.stale_post_edits == 0
    assert reporter.of("warning") == []


@pytest.mark.slow
def test_a_post_edit_matches_its_paragraph_copied_from_the_file_or_from_the_page(tmp_path):
    article = ARTICLE.replace("يوم الاثنين.", "يوم **الاثنين** في [لندن](https://example.org/l).")
    for arabic in ("ارتفعت أسعار النفط يوم **الاثنين** في [لندن](https://example.org/l).",
                   "ارتفعت أسعار النفط يوم الاثنين في لندن."):
        write_project(tmp_path, {"content/2026-11-22-oil.md": article, "content/2026-11-22-oil.edits.toml":
                                 f'[[edit]]\narabic = "{arabic}"\nenglish = "Oil rose on **Monday** in London."\n'})
        _, _, entry, reporter = build(tmp_path)
        assert entry.english.blocks[0].texts == ("Oil rose on **Monday** in London.",), arabic
        assert reporter.of("warning") == []
    # Out of date, the correction is quoted as the reader sees it, without its Markdown.
    write_project(tmp_path, {"content/2026-11-22-oil.md": article.replace("لندن", "باريس")})
    _, _, entry, _ = build(tmp_path)
    assert entry.english.block_provenance[0].stale == "Oil rose on Monday in London."


@pytest.mark.slow
def test_an_out_of_date_post_edit_that_matches_no_paragraph_is_listed_on_the_pages(tmp_path):
    edits = EDITS + '[[edit]]\narabic = "فقرة حذفت من المقال كله منذ زمن بعيد جدا."\nenglish = "A *removed* paragraph."\n'
    write_project(tmp_path, {"content/2026-11-22-oil.md": ARTICLE, "content/2026-11-22-oil.edits.toml": edits})
    result = Builder(load_config(tmp_path), RecordingReporter(), FakeTranslator()).build(write=False)
    (entry,) = result.site.entries
    assert entry.english.unplaced == ("A removed paragraph.",)
    assert [p.kind for p in entry.english.block_provenance] == ["post-edit", "machine"]
    for page in ("articles/oil/en/index.html", "articles/oil/index.html"):
        html = result.files[page].decode()
        assert "match no paragraph since the Arabic changed" in html, page
        assert '<q lang="en" dir="ltr">A removed paragraph.</q>' in html, page


@pytest.mark.slow
def test_a_post_edit_of_changed_arabic_is_flagged_not_applied_not_lost(tmp_path):
    changed = ARTICLE.replace("يوم الاثنين.", "يوم الثلاثاء.")
    write_project(tmp_path, {"content/2026-11-22-oil.md": changed, "content/2026-11-22-oil.edits.toml": EDITS})
    result, _, entry, reporter = build(tmp_path)
    english = entry.english
    assert english.blocks[0].texts == ("EN(ارتفعت أسعار النفط يوم الثلاثاء.)",)
    assert english.block_provenance[0].kind == "machine"
    assert english.block_provenance[0].stale == "Oil prices rose on Monday."
    assert english.block_provenance[1].stale is None
    assert result.stats.stale_post_edits == 1
    (warning,) = reporter.of("warning")
    assert "post-edit out of date" in warning and "oil.md" in warning
    assert "Oil prices rose on Monday." in (tmp_path / "content/2026-11-22-oil.edits.toml").read_text()


def test_a_malformed_edits_file_is_reported_and_the_build_goes_on(tmp_path):
    write_project(tmp_path, {"content/2026-11-22-oil.md": ARTICLE,
                             "content/2026-11-22-oil.edits.toml": "[[edit]]\narabic = 3\n"})
    result, _, entry, reporter = build(tmp_path)
    assert [p.kind for p in entry.english.block_provenance] == ["machine", "machine"]
    assert any("needs non-empty arabic and english" in w for w in reporter.of("warning"))


@pytest.mark.slow
def test_machine_blocks_carry_model_and_version(tmp_path):
    write_project(tmp_path, {"content/2026-11-22-oil.md": ARTICLE})
    _, _, entry, _ = build(tmp_path)
    prov = entry.english.block_provenance[1]
    assert (prov.kind, prov.model, prov.version, prov.label) == ("machine", "fake-ar-en", "9.9", "fake-ar-en 9.9")


class HalfFailing(FakeTranslator):
    """Marks one text as failed, the way the engine's output guards do."""

    def translate(self, texts):
        out = super().translate(texts).outputs
        failures = {t: "runaway repeating output" for t in texts if "محللون" in t}
        alignment = {t: ((t, o),) for t, o in zip(texts, out)}
        return replace(TranslationResult.plain(out), failures=failures, alignment=alignment)


@pytest.mark.slow
def test_a_failed_block_is_marked_with_the_reason_and_sentences_are_aligned(tmp_path):
    write_project(tmp_path, {"content/2026-11-22-oil.md": ARTICLE})
    result, _, entry, _ = build(tmp_path, HalfFailing())
    failed = entry.english.block_provenance[1]
    assert (failed.kind, failed.note) == ("failed", "runaway repeating output")
    assert result.stats.failed == 1
    assert entry.english.sentences[0] == (("ارتفعت أسعار النفط يوم الاثنين.", "EN(ارتفعت أسعار النفط يوم الاثنين.)"),)


@pytest.mark.slow
def test_lists_stay_whole_on_an_english_page_with_a_post_edited_paragraph(tmp_path):
    article = ARTICLE + "\n- بند أول\n- بند ثان\n- بند ثالث\n"
    write_project(tmp_path, {"content/2026-11-22-oil.md": article, "content/2026-11-22-oil.edits.toml": EDITS})
    result = Builder(load_config(tmp_path), RecordingReporter(), FakeTranslator()).build(write=False)
    html = result.files["articles/oil/en/index.html"].decode()
    assert "<p>Oil prices rose on Monday.</p>" in html and "edited by a person" in html
    assert "<ul><li>EN(بند أول)</li><li>EN(بند ثان)</li><li>EN(بند ثالث)</li></ul>" in html


def test_a_post_edit_copied_with_its_list_marker_or_heading_hashes_matches():
    from digest.translate.postedits import paragraph_key

    assert paragraph_key("4. متابعة معدلات التضخم.") == paragraph_key("متابعة معدلات التضخم.")
    assert paragraph_key("  - بنوك التجزئة") == paragraph_key("بنوك التجزئة")
    assert paragraph_key("## المشروع") == paragraph_key("المشروع")
    assert paragraph_key("2015 كان عاماً صعباً") != paragraph_key("كان عاماً صعباً")


@pytest.mark.slow
def test_nested_items_after_a_post_edited_item_keep_their_depth(tmp_path):
    article = ARTICLE + "\n- المصارف\n  - بنوك التجزئة\n  - بنوك الاستثمار\n"
    edits = EDITS + '[[edit]]\narabic = "  - بنوك التجزئة"\nenglish = "Retail banks"\n'
    write_project(tmp_path, {"content/2026-11-22-oil.md": article, "content/2026-11-22-oil.edits.toml": edits})
    result = Builder(load_config(tmp_path), RecordingReporter(), FakeTranslator()).build(write=False)
    html = result.files["articles/oil/en/index.html"].decode()
    assert '<ul class="depth-2"><li>Retail banks</li></ul>' in html
    assert '<ul class="depth-2"><li>EN(بنوك الاستثمار)</li></ul>' in html
