"""Out-of-date human translations: the record of the Arabic each ``name.en.md`` was made from,
and what a change to that Arabic shows on the pages and in the build log."""

from __future__ import annotations

import dataclasses
import shutil

import pytest
from helpers import write_project

from digest.build import Builder
from digest.config import load_config
from digest.content.cache import reading_key
from digest.content.store import BuildStore
from digest.events import RecordingReporter
from digest.translate.originals import (
    RECORD_NAME,
    Drift,
    compare,
    content_key,
    entry_of,
    read_record,
    stored_entries,
)

ARABIC = "---\ntitle: افتتاح محطة\ndate: 2026-11-20\n---\nالفقرة الأولى عن المحطة.\n\nالفقرة الثانية عن المياه.\n\nالفقرة الثالثة عن الكلفة.\n"
ENGLISH = "---\ntitle: A plant opens\n---\nThe first paragraph, on the plant.\n\nThe second, on water.\n\nThe third, on cost.\n"
NOTE = "The original changed after this translation."


@pytest.fixture
def project(tmp_path):
    return write_project(tmp_path / "p", {
        "content/2026-11-20-plant.md": ARABIC, "content/2026-11-20-plant.en.md": ENGLISH,
        "content/other.md": "---\ntitle: خبر آخر\ndate: 2026-11-21\n---\nنص.\n",
        "content/other.en.md": "---\ntitle: Another\n---\nText.\n",
        "digest.toml": "[site]\nsearch = false\n",
    })


def build(project, write=True):
    reporter = RecordingReporter()
    result = Builder(load_config(project), reporter, translator=None).build(write=write)
    english = {e.article.slug: e.english for e in result.site.entries}
    return result, reporter, english


def pages(project, slug="plant"):
    site = project / "site" / "articles" / slug
    return (site / "en" / "index.html").read_text(encoding="utf-8"), (site / "index.html").read_text(encoding="utf-8")


def edit(project, old, new, name="content/2026-11-20-plant.md"):
    path = project / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_compare_matches_blocks_by_content_not_position():
    assert compare(["a", "b", "c"], ["a", "b", "c"], 3) == Drift() and not Drift()
    assert compare(["a", "b", "c"], ["a", "B", "c"], 3) == Drift(outdated=(1,))
    # Inserted at the top: nothing the English says went out of date, one paragraph has none.
    assert compare(["a", "b"], ["new", "a", "b"], 2) == Drift(added=(0,))
    assert compare(["a", "b", "c"], ["a", "c"], 3) == Drift(outdated=(1,), removed=(1,))
    assert compare(["a", "b"], ["A", "B", "x"], 2) == Drift(outdated=(0, 1), added=(2,))
    assert compare(["a", "b", "c"], ["a", "b", "C"], 2) == Drift()  # the English has no third block


def test_a_first_build_records_the_arabic_and_flags_nothing(project):
    result, reporter, english = build(project)
    record = (project / RECORD_NAME).read_text(encoding="utf-8")
    lines = [line for line in record.splitlines() if not line.startswith("#")]
    assert [line.rsplit(" ", 1)[1] for line in lines] == ["2026-11-20-plant.en.md", "other.en.md"]
    assert len(lines[0].split(" ")[1].split(",")) == 3  # one hash per Arabic block
    assert english["plant"].outdated == () and not english["plant"].added
    assert "data-outdated" not in "".join(pages(project)) and NOTE not in "".join(pages(project))
    assert not [w for w in reporter.of("warning") if "out of date" in w]
    stamp = (project / RECORD_NAME).stat().st_mtime_ns
    build(project)  # unchanged: not flagged, and the record is not written again
    assert (project / RECORD_NAME).stat().st_mtime_ns == stamp


def test_a_changed_arabic_paragraph_marks_its_english_on_both_pages_and_in_the_log(project):
    build(project)
    edit(project, "الفقرة الثانية عن المياه.", "الفقرة الثانية عن مياه الشرب والري.")
    result, reporter, english = build(project)
    assert english["plant"].outdated == (False, True, False)
    assert english["other"].outdated == ()  # an unchanged article is not flagged
    en, parallel = pages(project)
    assert '<p data-outdated>The second, on water.</p>' in en
    assert en.count(NOTE) == 1 and en.count("data-outdated") == 2  # the paragraph and its note
    assert 'lang="en" dir="ltr" data-outdated data-pagefind-ignore>' + NOTE in en
    second = parallel.split('id="p2"')[1].split('id="p3"')[0]
    assert "<p data-outdated>The second, on water.</p>" in second and NOTE in second
    assert NOTE not in parallel.split('id="p2"')[0] and NOTE not in parallel.split('id="p3"')[1]
    assert "data-outdated" not in "".join(pages(project, "other"))
    (warning,) = [w for w in reporter.of("warning") if "out of date" in w]
    assert "2026-11-20-plant.en.md: paragraph 2 (The second, on water.) is out of date" in warning
    assert "2026-11-20-plant.md changed after this translation" in warning


def test_added_and_removed_paragraphs_are_reported_on_the_pages_and_in_the_log(project):
    build(project)
    edit(project, "\nالفقرة الثالثة عن الكلفة.\n", "\nالفقرة الثالثة عن الكلفة.\n\nفقرة رابعة جديدة.\n")
    _, reporter, english = build(project)
    assert english["plant"].added == (3,) and english["plant"].outdated == (False, False, False)
    (added,) = [w for w in reporter.of("warning") if "was added" in w]
    assert "2026-11-20-plant.md: paragraph 4 (فقرة رابعة جديدة.) was added after the human translation" in added
    en, parallel = pages(project)
    for html in (en, parallel):
        assert "Paragraphs added to the original after this translation, not translated yet: 4" in html
    edit(project, "الفقرة الأولى عن المحطة.\n\n", "")
    _, reporter, english = build(project)
    assert english["plant"].removed == (0,) and english["plant"].outdated == (True, False, False)
    assert [w for w in reporter.of("warning") if "paragraph 1 (The first paragraph, on the plant.) is out of date"
            in w and "was removed" in w]
    en, _ = pages(project)
    assert "Paragraphs removed from the original after this translation: 1" in en
    assert "<p data-outdated>The first paragraph, on the plant.</p>" in en


def test_deleting_the_cache_keeps_the_record_and_the_flags(project):
    build(project)
    edit(project, "الفقرة الثالثة عن الكلفة.", "الفقرة الثالثة عن الكلفة الجديدة.")
    build(project)
    shutil.rmtree(project / ".digest-cache", ignore_errors=True)
    assert not (project / ".digest-cache").exists()
    _, _, english = build(project)
    assert english["plant"].outdated == (False, False, True)
    assert (project / RECORD_NAME).is_file()


def test_editing_the_english_makes_it_current_again(project):
    build(project)
    edit(project, "الفقرة الثانية عن المياه.", "الفقرة الثانية عن مياه الشرب.")
    assert build(project)[2]["plant"].outdated == (False, True, False)
    edit(project, "The second, on water.", "The second, on drinking water.", "content/2026-11-20-plant.en.md")
    _, reporter, english = build(project)
    assert english["plant"].outdated == () and not [w for w in reporter.of("warning") if "out of date" in w]
    assert "data-outdated" not in "".join(pages(project))
    assert build(project)[2]["plant"].outdated == ()  # recorded: it stays current


def test_a_build_that_does_not_write_leaves_the_record_alone(project):
    build(project, write=False)
    assert not (project / RECORD_NAME).exists()
    build(project)
    before = (project / RECORD_NAME).read_bytes()
    edit(project, "The second, on water.", "The second.", "content/2026-11-20-plant.en.md")
    build(project, write=False)
    assert (project / RECORD_NAME).read_bytes() == before


def test_a_mangled_record_is_an_error_naming_its_line_and_nothing_is_lost(project):
    build(project)
    edit(project, "الفقرة الثانية عن المياه.", "تغيرت.")
    path = project / RECORD_NAME
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    plant = next(i for i, line in enumerate(lines) if line.endswith("plant.en.md"))
    lines[plant] = "not a hash " + lines[plant]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    mangled = path.read_bytes()
    result, reporter, english = build(project)
    (problem,) = [p for p in result.problems if p.paths == (path,)]
    assert f"line {plant + 1}: expected" in problem.message
    assert english["plant"].outdated == ()  # taken as current
    assert pages(project)[0]  # and the site was built
    assert path.read_bytes() == mangled  # left for the editor to mend
    entries, problems = read_record(path)
    assert list(entries) == ["other.en.md"] and len(problems) == 1


def test_a_record_entry_of_a_deleted_translation_is_dropped(project):
    build(project)
    (project / "content/other.en.md").unlink()
    build(project)
    assert "other.en.md" not in (project / RECORD_NAME).read_text(encoding="utf-8")


def test_a_long_lived_builder_sees_the_arabic_change_and_the_english_update(project):
    builder = Builder(load_config(project), RecordingReporter(), translator=None, keep_last_good=True)

    def outdated():
        return {e.article.slug: e.english.outdated for e in builder.build().site.entries}["plant"]

    assert outdated() == ()
    edit(project, "الفقرة الأولى عن المحطة.", "الفقرة الأولى تغيرت.")
    assert outdated() == (True, False, False)
    assert outdated() == (True, False, False)  # the same objects again: still out of date
    edit(project, "The first paragraph, on the plant.", "The first paragraph, changed.", "content/2026-11-20-plant.en.md")
    assert outdated() == ()


def test_the_build_store_keeps_each_entry_by_what_it_is_made_from_and_ignores_a_bad_one(project):
    result, _, _ = build(project)
    config = load_config(project)
    article = next(e.article for e in result.site.entries if e.article.slug == "plant")
    store = BuildStore(config.cache_dir)
    entry = entry_of(article)
    # A build keys a parsed article by the hashes of its files' texts and its paths ...
    parsed = content_key(article, reading_key(config))
    assert store.get("articles", parsed) == [entry.english, list(entry.arabic)]
    other = dataclasses.replace(config, text=dataclasses.replace(config.text, agencies=("x",)))
    assert content_key(article, reading_key(other)) != parsed
    human = article.human
    assert content_key(dataclasses.replace(article, digest="0" * 64), reading_key(config)) != parsed
    assert content_key(dataclasses.replace(article, human=dataclasses.replace(human, digest="0" * 64)),
                       reading_key(config)) != parsed
    # ... and anything else by every block it reads.
    key = content_key(article)
    store.put_many("articles", [(key, [entry.english, list(entry.arabic)])])
    assert stored_entries([article], store) == [entry]
    # Another Arabic (or English) is another key: a stored entry never answers for it.
    edited = dataclasses.replace(article, blocks=article.blocks[:2])
    assert content_key(edited) != key
    assert content_key(dataclasses.replace(
        article, human=dataclasses.replace(article.human, title="Another title"))) != key
    record = (project / RECORD_NAME).read_text(encoding="utf-8")
    for bad in (["zz", ["x"]], "text", [entry.english], [entry.english, [1, 2]]):
        store.put_many("articles", [(key, bad)])
        assert stored_entries([article], store) == [entry]  # worked out again, and stored again
        assert store.get("articles", key) == [entry.english, list(entry.arabic)]
        store.put_many("articles", [(key, bad), (parsed, bad)])
        edit(project, "الفقرة الثانية عن المياه.", "الفقرة الثانية عن المياه.")  # same text: same key
        _, reporter, english = build(project)
        assert english["plant"].outdated == () and (project / RECORD_NAME).read_text(encoding="utf-8") == record
    store.close()
