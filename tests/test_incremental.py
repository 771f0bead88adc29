"""Rebuilds through one long-lived Builder, as ``digest serve`` and ``digest watch`` run it.

Each test edits something, rebuilds, checks that only the work the edit touched was redone
(translator calls, pages rendered, files written), and that the site on disk equals a clean
build of the content as it is now.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from helpers import FakeTranslator, write_project
from modelkit import argos_home, argosmodel  # noqa: F401  (fixtures)

from digest.build import Builder
from digest.config import load_config
from digest.errors import OutputError
from digest.events import RecordingReporter
from digest.output import OutputFolder
from digest.render import sitemap, themedirs
from digest.translate.result import TranslationResult


def article(title: str, body: str, day: int, tags: str = "أخبار") -> str:
    return f"---\ntitle: {title}\ndate: 2026-11-{day:02d}\ntags: [{tags}]\n---\n{body}\n"


ARTICLES = {
    f"content/a{i}.md": article(f"خبر {i}", f"الفقرة الأولى من الخبر {i}.\n\nالفقرة الثانية من الخبر {i}.",
                                i + 1, "أخبار" if i % 2 else "اقتصاد")
    for i in range(7)
}


@pytest.fixture
def root(tmp_path) -> Path:
    return write_project(tmp_path, ARTICLES | {"digest.toml": "[site]\npage_size = 2\n"})


def clean(root: Path) -> dict[str, bytes]:
    return Builder(load_config(root), translator=FakeTranslator()).build(write=False).files


def on_disk(site: Path) -> dict[str, bytes]:
    """The site's files, without digest's manifest."""
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*")
            if p.is_file() and p.name != ".digest-manifest.json"}


@pytest.mark.slow
def test_nothing_changed_means_nothing_translated_rendered_or_written(root):
    translator = FakeTranslator()
    builder = Builder(load_config(root), translator=translator)
    first = builder.build()
    second = builder.build()
    assert len(translator.calls) == 1
    assert second.rendered == 0 and second.written == [] and second.removed == []
    assert all(a is b for a, b in zip(first.site.entries, second.site.entries))


@pytest.mark.slow
def test_an_edit_redoes_only_what_it_touches(root):
    translator = FakeTranslator()
    builder = Builder(load_config(root), translator=translator)
    first = builder.build()
    (root / "content/a3.md").write_text(article("خبر 3", "نص جديد تماما للخبر.", 4, "أخبار"), encoding="utf-8")
    second = builder.build()
    # Only the edited article goes to the translator, its tag with it (a real engine's
    # cache answers the tag without the model).
    assert translator.calls[-1] == ["خبر 3", "نص جديد تماما للخبر.", "أخبار"]
    before = {e.slug: e for e in first.site.entries}
    for entry in second.site.entries:
        assert (entry is before[entry.slug]) == (entry.slug != "a3")
    # Its three pages, the index, tag and archive pages listing it, the sitemap: not all pages.
    pages = sum(1 for p in second.files if p.endswith(".html"))
    assert 3 <= second.rendered < pages / 3
    assert "articles/a3/ar/index.html" in second.written
    assert not any(p.startswith(("articles/a2/", "articles/a4/")) for p in second.written)
    assert on_disk(root / "site") == clean(root)


@pytest.mark.slow
def test_new_deleted_and_renamed_articles_follow(root):
    builder = Builder(load_config(root), translator=FakeTranslator())
    builder.build()
    (root / "content/a7.md").write_text(article("خبر 7", "خبر جديد.", 20), encoding="utf-8")
    (root / "content/a0.md").unlink()
    (root / "content/a5.md").rename(root / "content/b5.md")
    result = builder.build()
    assert "articles/a0/index.html" in result.removed and "articles/a5/ar/index.html" in result.removed
    assert not (root / "site/articles/a0").exists() and not (root / "site/articles/a5").exists()
    assert on_disk(root / "site") == clean(root)


@pytest.mark.slow
def test_pages_that_moved_in_the_site_are_reused_not_rendered_again(root):
    builder = Builder(load_config(root), translator=FakeTranslator())
    first = builder.build()
    # The oldest article dated newest: the pages between move to other positions. (A new
    # article would change the count every page shows, and all pages would render again.)
    (root / "content/a0.md").write_text(article("خبر 0", "الفقرة الأولى من الخبر 0.", 28), encoding="utf-8")
    second = builder.build()
    article_pages = [p for p in first.files if p.startswith("articles/") and not p.startswith("articles/a0/")]
    assert all(second.files[p] is first.files[p] for p in article_pages)
    assert second.files == clean(root)


@pytest.mark.slow
def test_with_the_watchers_changed_paths_only_those_files_are_looked_at(root, monkeypatch):
    builder = Builder(load_config(root), translator=FakeTranslator(), keep_last_good=True)
    builder.build()
    content = root / "content"
    stats = []
    real_stat = os.stat
    monkeypatch.setattr(os, "stat", lambda path, *a, **k: stats.append(str(path)) or real_stat(path, *a, **k))
    (content / "a3.md").write_text(article("خبر 3", "نص معدل.", 4), encoding="utf-8")
    # a1 changes too, but the hint does not name it: it is taken as it was.
    (content / "a1.md").write_text(article("خبر 1", "تغيير لم يبلغ عنه.", 2), encoding="utf-8")
    result = builder.build(changed=frozenset({str(content / "a3.md")}))
    assert "نص معدل." in result.files["articles/a3/ar/index.html"].decode()
    assert "تغيير لم يبلغ عنه." not in result.files["articles/a1/ar/index.html"].decode()
    assert str(content / "a3.md") in stats and str(content / "a1.md") not in stats
    # Without a hint every file is checked again.
    result = builder.build()
    assert "تغيير لم يبلغ عنه." in result.files["articles/a1/ar/index.html"].decode()
    # A new file among the changed paths lists the folder again; a broken file keeps
    # being reported though later hints do not name it.
    (content / "a9.md").write_text(article("خبر 9", "جديد.", 25), encoding="utf-8")
    (content / "a2.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    result = builder.build(changed=frozenset({str(content / "a9.md"), str(content / "a2.md")}))
    assert "articles/a9/ar/index.html" in result.files and any("a2.md" in str(p) for p in result.problems)
    result = builder.build(changed=frozenset())
    assert any("a2.md" in str(p) for p in result.problems)
    assert "الفقرة الأولى من الخبر 2." in result.files["articles/a2/ar/index.html"].decode()  # its last good version


@pytest.mark.slow
def test_post_edits_added_then_out_of_date_in_one_session(root):
    reporter = RecordingReporter()
    builder = Builder(load_config(root), reporter, FakeTranslator())
    builder.build()
    edits = root / "content/a2.edits.toml"
    edits.write_text('[[edit]]\narabic = "الفقرة الأولى من الخبر 2."\nenglish = "An editor wrote this."\n',
                     encoding="utf-8")
    result = builder.build()
    assert result.stats.post_edits == 1
    assert "An editor wrote this." in (root / "site/articles/a2/en/index.html").read_text(encoding="utf-8")
    (root / "content/a2.md").write_text(article("خبر 2", "فقرة تغيرت.\n\nالفقرة الثانية من الخبر 2.", 3, "اقتصاد"),
                                        encoding="utf-8")
    for _ in range(2):  # reported on the build that finds it and on every later one
        reporter.events.clear()
        result = builder.build()
        assert result.stats.stale_post_edits == 1
        assert any("post-edit out of date" in m for m in reporter.of("warning"))
    assert on_disk(root / "site") == clean(root)


class StatefulTranslator(FakeTranslator):
    """A fake whose output depends on a setting, like the engine's glossary."""

    def __init__(self) -> None:
        super().__init__()
        self.suffix = "1"

    def state(self):
        return self.suffix

    def translate(self, texts):
        super().translate(texts)
        return TranslationResult.plain([f"EN{self.suffix}({t})" for t in texts])


@pytest.mark.slow
def test_a_translator_state_change_retranslates_everything(root):
    translator = StatefulTranslator()
    builder = Builder(load_config(root), translator=translator)
    builder.build()
    builder.build()
    assert len(translator.calls) == 1
    translator.suffix = "2"
    builder.build()
    assert len(translator.calls) == 2 and len(translator.calls[-1]) == 7 * 3 + 2  # and the two tags
    assert "EN2(" in (root / "site/articles/a1/en/index.html").read_text(encoding="utf-8")


def test_the_engine_state_follows_the_glossary(tmp_path, argosmodel, argos_home):
    from digest.translate.engine import ArgosTranslator
    from digest.translate.packages import install_file

    package = install_file(argosmodel)
    project = write_project(tmp_path / "p", {"content/a.md": article("خبر", "نص.", 1)})
    translator = ArgosTranslator(package, load_config(project))
    empty = translator.state()
    write_project(project, {"content/glossary.toml": '[terms]\n"داعش" = "ISIS"\n'})
    assert translator.state() != empty and translator.glossary == {"داعش": "ISIS"}
    assert translator.state() == translator.state()


@pytest.mark.slow
def test_output_folder_deleted_during_a_session_is_written_whole(root):
    builder = Builder(load_config(root), translator=FakeTranslator())
    builder.build()
    shutil.rmtree(root / "site")
    result = builder.build()
    assert len(result.written) == len(result.files)
    assert on_disk(root / "site") == clean(root)


def test_a_page_can_take_the_place_of_a_folder_between_writes(tmp_path):
    out = OutputFolder(tmp_path / "site")
    out.write({"a/index.html": b"1", "b.html": b"2"})
    result = out.write({"a": b"3", "b.html": b"2"})
    assert result.removed == ["a/index.html"] and result.written == ["a"]
    assert (tmp_path / "site/a").read_bytes() == b"3"
    with pytest.raises(OutputError, match="folder"):
        out.write({"a": b"3", "a/x.html": b"4"})
    with pytest.raises(OutputError, match="folder"):
        out.write({"b.html/x": b"4", "b.html": b"2"})
    assert on_disk(tmp_path / "site") == {"a": b"3", "b.html": b"2"}


@pytest.mark.slow
def test_a_big_site_gets_a_sitemap_index_and_a_text_edit_renders_no_part(root, monkeypatch):
    whole = clean(root)["sitemap.xml"].decode()
    monkeypatch.setattr(sitemap, "SITEMAP_URLS", 10)
    builder = Builder(load_config(root), translator=FakeTranslator())
    first = builder.build()
    index = first.files["sitemap.xml"].decode()
    parts = re.findall(r"<loc>https?://[^<]*/(sitemap-\d+\.xml)</loc>", index)
    assert "<sitemapindex" in index and len(parts) >= 3
    locs = re.findall(r"<loc>([^<]*)</loc>", "".join(first.files[p].decode() for p in parts))
    assert locs == re.findall(r"<loc>([^<]*)</loc>", whole)  # the same URLs, in the same order
    # The sitemap sees URLs, dates and alternates only: new text in an article changes none.
    (root / "content/a3.md").write_text(article("خبر 3", "نص جديد.", 4, "أخبار"), encoding="utf-8")
    second = builder.build()
    assert "نص جديد." in second.files["articles/a3/ar/index.html"].decode()
    assert [p for p in parts if second.files[p] is not first.files[p]] == []
    # A new date moves the article: the parts follow, equal to a clean build's.
    (root / "content/a3.md").write_text(article("خبر 3", "نص جديد.", 9, "أخبار"), encoding="utf-8")
    third = builder.build()
    assert [p for p in parts if third.files[p] != first.files[p]]
    assert {p: third.files[p] for p in parts} == {p: d for p, d in clean(root).items() if p in parts}


def test_a_folder_can_take_the_place_of_a_page_between_writes(tmp_path):
    for out in (OutputFolder(tmp_path / "a"), None):
        site = tmp_path / "a" if out else tmp_path / "b"
        first = out or OutputFolder(site)
        first.write({"x": b"1", "y.html": b"2"})
        again = out or OutputFolder(site)  # a fresh one checks the disk in full
        result = again.write({"x/index.html": b"3", "y.html": b"2"})
        assert result.written == ["x/index.html"] and result.removed == ["x"]
        assert on_disk(site) == {"x/index.html": b"3", "y.html": b"2"}


@pytest.mark.slow
def test_a_session_writes_pages_first_and_the_search_index_after(root):
    from digest.render import search
    from digest.serve.project import Project

    if search.executable() is None:
        pytest.skip("no Pagefind binary")
    project = Project(load_config(root), RecordingReporter(), FakeTranslator())
    first = project.rebuild()
    assert not first.result.search_pending and any(p.startswith("pagefind/") for p in first.result.files)
    (root / "content/a3.md").write_text(article("خبر 3", "كلمة فريدة جدا.", 4), encoding="utf-8")
    second = project.rebuild()
    # The page is written with the last index kept; the index follows (the watcher's loop
    # calls index() once the rebuild is done and stops it when a new change comes in).
    assert second.result.search_pending
    assert "كلمة فريدة جدا." in (root / "site/articles/a3/ar/index.html").read_text(encoding="utf-8")
    stopped = threading.Event()
    stopped.set()
    assert project.index(stopped) is False
    (root / "content/a4.md").write_text(article("خبر 4", "كلمة أخرى.", 5), encoding="utf-8")
    project.rebuild()
    assert project.index(threading.Event()) is True and project.index() is True
    with_search = Builder(load_config(root), translator=FakeTranslator()).build(write=False).files
    assert on_disk(root / "site") == with_search


@pytest.mark.slow
def test_a_template_change_renders_again_only_the_pages_that_use_it(root):
    default = themedirs.DEFAULT_THEME / "templates"
    mine = root / "themes/mine/templates"
    mine.mkdir(parents=True)
    (mine / "tag.html").write_text((default / "tag.html").read_text(encoding="utf-8"), encoding="utf-8")
    (root / "digest.toml").write_text('[site]\npage_size = 2\ntheme = "mine"\n', encoding="utf-8")
    builder = Builder(load_config(root), translator=FakeTranslator())
    first = builder.build()
    tag_pages = [p for p in first.files if p.startswith(("tags/", "en/tags/")) and not p.endswith("tags/index.html")]
    (mine / "tag.html").write_text((default / "tag.html").read_text(encoding="utf-8").replace(
        "</h1>", "</h1><p class=mine>!</p>", 1), encoding="utf-8")
    second = builder.build()
    assert second.rendered == len(tag_pages) and sorted(second.written) == sorted(tag_pages)
    # The theme's new fingerprint loads the changed template (Jinja itself never looks again).
    assert all(b"<p class=mine>!</p>" in (root / "site" / p).read_bytes() for p in tag_pages)
    # base.html is pulled in by every page template: all of them render again.
    (mine / "base.html").write_text((default / "base.html").read_text(encoding="utf-8").replace(
        "</body>", "<!-- mine --></body>", 1), encoding="utf-8")
    third = builder.build()
    assert third.rendered == sum(1 for p in third.files if p.endswith(".html"))
    assert b"<!-- mine --></body>" in (root / "site/index.html").read_bytes()


def test_making_way_for_a_folder_never_touches_anything_outside_the_output(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    out = OutputFolder(tmp_path / "link" / "site")
    out.write({"x": b"1"})
    assert out.write({"x/index.html": b"2"}).removed == ["x"]
    assert (tmp_path / "link").is_symlink() and (tmp_path / "real/site/x/index.html").read_bytes() == b"2"
