import datetime as dt
import os

import pytest
from helpers import write_project

from digest.config import load_config
from digest.content.articles import load_articles, slugify

MD = """---
title: عنوان المقال
date: 2026-11-20
slug: my-story
tags: [سياسة, economy]
source: رويترز
author: فلان
---
فقرة أولى.

فقرة ثانية.
"""


def load(root):
    return load_articles(load_config(root))


def test_markdown_front_matter_fields(tmp_path):
    write_project(tmp_path, {"content/x.md": MD})
    (article,), problems = load(tmp_path)
    assert problems == []
    assert article.title == "عنوان المقال"
    assert article.slug == "my-story"
    assert article.date == dt.date(2026, 11, 20)
    assert article.tags == ("سياسة", "economy")
    assert (article.source, article.author) == ("رويترز", "فلان")
    assert [b.texts[0] for b in article.blocks] == ["فقرة أولى.", "فقرة ثانية."]


def test_markdown_blocks_keep_their_kind(tmp_path):
    body = "## عنوان فرعي\n\n- بند أول\n- بند ثان\n\n1. مرقم\n\n> اقتباس\n\n| أ | ب |\n|---|---|\n| ١ | ٢ |\n\n```\ncode()\n```\n"
    write_project(tmp_path, {"content/x.md": "---\ntitle: ع\n---\n" + body})
    (article,), _ = load(tmp_path)
    assert [b.kind for b in article.blocks] == ["heading", "item", "item", "item", "quote", "table", "code"]
    items = article.blocks[1:4]
    assert items[0].group == items[1].group != items[2].group
    assert items[2].ordered and not items[0].ordered
    assert article.blocks[5].texts == ("أ", "ب", "١", "٢") and article.blocks[5].columns == 2


def test_date_from_filename_prefix_then_mtime(tmp_path):
    write_project(tmp_path, {
        "content/2025-03-04-story.md": "---\ntitle: أ\n---\nنص.\n",
        "content/undated.txt": "عنوان\nنص.\n",
    })
    stamp = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc).timestamp()
    os.utime(tmp_path / "content/undated.txt", (stamp, stamp))
    articles, problems = load(tmp_path)
    by_slug = {a.slug: a for a in articles}
    assert by_slug["story"].date == dt.date(2025, 3, 4)
    assert by_slug["undated"].published == dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    assert [a.slug for a in articles] == ["story", "undated"]  # newest first


@pytest.mark.parametrize("raw", ["../../etc/passwd", "/abs/path", "..", ".", "a/b\\c", "  ", "<script>", "x\x00y",
                                 "عنوان عربي طويل", "%2e%2e"])
def test_slug_is_one_safe_segment(raw):
    slug = slugify(raw)
    assert slug and slug not in (".", "..")
    assert "/" not in slug and "\\" not in slug and "\x00" not in slug and "%" not in slug
    assert not slug.startswith(".")


def test_front_matter_slug_cannot_escape(tmp_path):
    write_project(tmp_path, {"content/a.md": "---\ntitle: أ\nslug: ../../../outside\n---\nنص.\n"})
    (article,), _ = load(tmp_path)
    assert article.slug == "outside"


def test_human_translation_is_attached(tmp_path):
    write_project(tmp_path, {
        "content/story.txt": "عنوان\nفقرة.\n",
        "content/story.en.md": "---\ntitle: Headline\n---\nParagraph.\n",
    })
    (article,), problems = load(tmp_path)
    assert problems == []
    assert article.human.title == "Headline"
    assert article.human.blocks[0].texts == ("Paragraph.",)


@pytest.mark.parametrize("name, data, reason", [
    ("bad-yaml.md", "---\ntitle: [unclosed\n---\nنص\n", "front matter is not valid YAML"),
    ("no-title.md", "---\ndate: 2026-01-01\n---\nنص\n", "front matter has no title"),
    ("no-opening.md", "title: x\n---\nنص\n", "has no front matter: a Markdown article starts with a '---' line"),
    ("no-front-matter.md", "نص بلا ترويسة.\n", "has no front matter"),
    ("no-close.md", "---\ntitle: x\nنص\n", "no closing"),
    ("bad-date.md", "---\ntitle: x\ndate: tomorrow\n---\nنص\n", "date"),
    ("empty.txt", "", "empty"),
    ("binary.txt", b"\x00\x01\x02\x03binary", "binary"),
    ("list.md", "---\n- a\n- b\n---\nنص\n", "mapping"),
    ("draft-word.md", "---\ntitle: x\ndraft: maybe\n---\nنص\n", "draft must be true or false"),
])
def test_bad_file_is_reported_and_others_still_load(tmp_path, name, data, reason):
    write_project(tmp_path, {"content/good.md": "---\ntitle: جيد\n---\nنص.\n", f"content/{name}": data})
    articles, problems = load(tmp_path)
    assert [a.slug for a in articles] == ["good"]
    assert len(problems) == 1
    assert problems[0].paths[0].name == name
    assert reason in problems[0].message


def test_duplicate_slugs_name_both_files(tmp_path):
    write_project(tmp_path, {
        "content/a/story.md": "---\ntitle: أ\n---\nنص.\n",
        "content/b/story.txt": "ب\nنص.\n",
        "content/other.md": "---\ntitle: ج\n---\nنص.\n",
    })
    articles, problems = load(tmp_path)
    assert sorted(a.slug for a in articles) == ["other", "story"]
    (problem,) = problems
    assert {p.name for p in problem.paths} == {"story.md", "story.txt"}
    assert "'story'; b/story.txt is skipped, a/story.md keeps the URL" in problem.message


def test_orphan_translation_is_reported(tmp_path):
    write_project(tmp_path, {"content/a.md": "---\ntitle: أ\n---\nنص.\n", "content/lost.en.md": "---\ntitle: L\n---\nx\n"})
    articles, problems = load(tmp_path)
    assert len(articles) == 1 and "without an article" in str(problems[0])


def test_hidden_and_editor_files_are_skipped(tmp_path):
    write_project(tmp_path, {"content/a.md": "---\ntitle: أ\n---\nنص.\n", "content/.a.md.swp": "x",
                             "content/a.md~": "x", "content/.hidden/b.md": "x", "content/4913": "x"})
    articles, problems = load(tmp_path)
    assert [a.slug for a in articles] == ["a"] and problems == []


@pytest.mark.parametrize("value", ["2026-13-45", "2026-02-30", "2026-11-20T25:00:00"])
def test_impossible_front_matter_date_is_a_problem_not_a_crash(tmp_path, value):
    write_project(tmp_path, {"content/good.md": "---\ntitle: جيد\n---\nنص.\n",
                             "content/x.md": f"---\ntitle: عنوان\ndate: {value}\n---\nنص\n"})
    articles, problems = load(tmp_path)
    assert [a.slug for a in articles] == ["good"]
    (problem,) = problems
    assert problem.paths[0].name == "x.md" and "date" in problem.message
    assert problem.message.startswith("line 3: "), problem.message


def test_an_impossible_date_names_its_own_line_among_good_ones(tmp_path):
    front = ("title: عنوان\nupdated: 2026-01-02\nlist: [2026-01-03, 2026-01-04]\nempty:\n"
             "tags: [a, b]\nseen:\n  - 2026-01-05\n  - 2026-04-31\n")
    write_project(tmp_path, {"content/x.md": f"---\n{front}---\nنص\n"})
    _articles, (problem,) = load(tmp_path)
    assert problem.message.startswith("line 9: ") and "day is out of range" in problem.message, problem.message


def test_impossible_file_name_date_is_not_stripped_from_the_slug(tmp_path):
    write_project(tmp_path, {"content/2026-02-30-foo.txt": "عنوان\nنص.\n"})
    (article,), problems = load(tmp_path)
    assert problems == [] and article.slug == "2026-02-30-foo"


def test_unknown_front_matter_keys_are_ignored_and_drafts_left_out(tmp_path):
    write_project(tmp_path, {
        "content/2026-11-01-a.md": "---\ntitle: أ\nlayout: wide\ntitel: y\n---\nنص.\n",
        "content/2026-11-02-b.md": "---\ntitle: ب\ndraft: true\n---\nنص.\n",
        "content/2026-11-02-b.en.md": "---\ntitle: B\n---\nText.\n",
        "content/2026-11-03-c.md": "---\ntitle: ج\ndraft: false\n---\nنص.\n",
    })
    articles, problems = load(tmp_path)
    assert problems == [] and [a.slug for a in articles] == ["c", "a"]
    assert articles[1].ignored_keys == ("layout", "titel")
