"""Two sources that would make the same output path: an error naming both; the rest is built."""

from __future__ import annotations

from helpers import FakeTranslator, write_project

from digest.build import Builder
from digest.config import load_config
from digest.events import RecordingReporter


def build(root):
    reporter = RecordingReporter()
    result = Builder(load_config(root), reporter, FakeTranslator()).build()
    return result, reporter


def test_two_tags_that_make_one_page_are_an_error_naming_both_files(tmp_path):
    root = write_project(tmp_path, {
        "content/2026-11-01-a.md": "---\ntitle: أ\ntags: [Sport-Club, نفط]\n---\nنص أ.\n",
        "content/2026-11-02-b.md": "---\ntitle: ب\ntags: [sport club]\n---\nنص ب.\n",
        "content/2026-11-03-c.md": "---\ntitle: ج\ntags: [SPORT CLUB]\n---\nنص ج.\n",
    })
    result, reporter = build(root)
    (problem,) = reporter.of("problem")
    assert problem in result.problems
    # Newest first: c names the page, a is the other spelling.
    assert [p.name for p in problem.paths] == ["2026-11-03-c.md", "2026-11-01-a.md"]
    assert "'SPORT CLUB' and 'Sport-Club'" in problem.message and "tags/sport-club/" in problem.message
    # The rest is built, and nothing is lost: the page lists the articles of both spellings.
    page = (root / "site/tags/sport-club/index.html").read_text()
    assert all(f"articles/{slug}/" in page for slug in "abc")
    assert (root / "site/tags/نفط/index.html").is_file()
    for slug in "abc":
        assert (root / f"site/articles/{slug}/en/index.html").is_file()


def test_one_article_with_two_spellings_of_a_tag_is_listed_once(tmp_path):
    # Case and Unicode form do not make another tag (issue 10): no problem to report.
    root = write_project(tmp_path, {"content/2026-11-01-a.md": "---\ntitle: أ\ntags: [Sport, sport]\n---\nنص.\n"})
    result, reporter = build(root)
    assert reporter.of("problem") == []
    (tag,) = result.site.tags
    assert tag.count == 1 and len(tag.entries) == 1


def test_two_articles_with_one_slug_are_an_error_naming_both_files(tmp_path):
    root = write_project(tmp_path, {
        "content/one.md": "---\ntitle: أ\nslug: same\ndate: 2026-11-01\n---\nالأول.\n",
        "content/two.md": "---\ntitle: ب\nslug: Same\ndate: 2026-11-02\n---\nالثاني.\n",
        "content/three.md": "---\ntitle: ج\ndate: 2026-11-03\n---\nالثالث.\n",
    })
    result, reporter = build(root)
    (problem,) = reporter.of("problem")
    assert {p.name for p in problem.paths} == {"one.md", "two.md"} and "'same'" in problem.message
    assert "الأول" in (root / "site/articles/same/ar/index.html").read_text(encoding="utf-8")
    assert (root / "site/articles/three/ar/index.html").is_file()


def test_no_two_pages_share_a_path(tmp_path):
    root = write_project(tmp_path, {
        "content/2026-11-01-a.md": "---\ntitle: أ\ntags: [page, tags, ar]\n---\nنص.\n",
        "content/page.md": "---\ntitle: ب\ndate: 2026-11-02\ntags: [archive]\n---\nنص.\n",
    })
    result, reporter = build(root)
    assert reporter.of("problem") == []
    paths = [page.path for page in result.site.pages]
    assert len(paths) == len(set(paths))
