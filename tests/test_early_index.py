"""The shards of the files a build read afresh are handed to Pagefind first
(digest/render/earlyindex.py), the other shards planned meanwhile and still checked: whatever
the edit (an article changed, moved to another month, added or deleted), the search bundle
is a cold build's. Real builds in new processes, real Pagefind."""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import REPO, monthly_project

from digest.render.search import executable

needs_pagefind = pytest.mark.skipif(executable() is None, reason="no Pagefind binary")

BUILD = """
import json, sys
from digest.buildmemo import MemoBuilder
from digest.config import load_config
from digest.render import earlyindex, searchindex
first = []
early = earlyindex.BeginIndex._early_first
def watched(self):
    begun = early(self)
    first.append(begun)
    return begun
earlyindex.BeginIndex._early_first = watched
MemoBuilder(load_config(sys.argv[1]), translator=None, lean=True).build()
print(json.dumps({"runs": searchindex.runs, "parts": searchindex.parts_run, "first": first}))
"""


def build(root: Path) -> dict:
    """A one-off build of ``root`` in a new process (as ``digest build``): the shards and
    languages Pagefind indexed, in the order handed over, and whether the fresh files'
    shards were handed over first."""
    done = subprocess.run([sys.executable, "-c", BUILD, str(root)], env=dict(os.environ, PYTHONPATH=str(REPO)),
                          capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def bundle(root: Path) -> dict[str, bytes]:
    search = root / "site/pagefind"
    return {str(p.relative_to(search)): p.read_bytes() for p in sorted(search.rglob("*")) if p.is_file()}


def cold_bundle(root: Path, tmp_path: Path) -> dict[str, bytes]:
    """The search bundle of a cold build of ``root``'s project as it is now."""
    cold = tmp_path / "cold"
    shutil.copytree(root, cold, ignore=shutil.ignore_patterns("site", ".digest-cache", ".site.digest"))
    build(cold)
    return bundle(cold)


def project(tmp_path: Path) -> Path:
    """Six months of two articles each, in shards of four: 2026-01, 2026-03 and 2026-05."""
    root = monthly_project(tmp_path / "p", 6, 2, 4, english="Story of month m{m}x.")
    cold = build(root)  # every file read afresh: the plan as ever, no shard first
    assert cold["runs"] == ["2026-01", "2026-03", "2026-05"] and cold["first"] == [False]
    return root


def append(root: Path, name: str, text: str) -> None:
    path = root / "content" / name
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def remove_article(root: Path, stem: str) -> None:
    """Delete an article and its human translation."""
    for name in (f"{stem}.md", f"{stem}.en.md"):
        (root / "content" / name).unlink()


def rebuilt(tmp_path: Path, change: Callable[[Path], object]) -> dict:
    """What Pagefind indexed in a build of :func:`project` after ``change``; its search
    bundle is checked to be a cold build's."""
    root = project(tmp_path)
    change(root)
    again = build(root)
    assert bundle(root) == cold_bundle(root, tmp_path)
    return again


@needs_pagefind
@pytest.mark.slow
def test_an_edit_hands_its_shard_over_first_and_only_it_is_indexed(tmp_path):
    again = rebuilt(tmp_path, lambda root: append(root, "2026-03-10-a3-0.md", "\nسطر جديد عن الحمير الوحشية.\n"))
    assert again["first"] == [True] and again["runs"] == ["2026-03"] and again["parts"] == ["2026-03/ar"]


def move_to_may(root: Path) -> None:
    old = root / "content/2026-01-10-a1-0.md"
    old.write_text(old.read_text(encoding="utf-8").replace("---\n", "---\ndate: 2026-05-20\n", 1), encoding="utf-8")


@needs_pagefind
@pytest.mark.slow
def test_an_article_moved_to_another_month_reindexes_both_shards_the_new_one_first(tmp_path):
    again = rebuilt(tmp_path, move_to_may)
    # Shards are runs of months of at most four articles: 1-2, 3-4, 5 (three now) and 6. The
    # one it joined goes first; the others are found by the plan made while Pagefind indexes it.
    assert again["first"] == [True] and again["runs"][0] == "2026-05"
    assert sorted(again["runs"]) == ["2026-01", "2026-05", "2026-06"]


@needs_pagefind
@pytest.mark.slow
def test_a_new_article_past_its_shards_size_moves_its_month_to_a_shard_of_its_own(tmp_path):
    again = rebuilt(tmp_path, lambda root: (root / "content/2026-04-20-new.md").write_text(
        "---\ntitle: خبر جديد\n---\nنص جديد.\n", encoding="utf-8"))
    # March and April held four: April's three now are a shard, March's two another.
    assert again["first"] == [True] and again["runs"] == ["2026-04", "2026-03"]


@needs_pagefind
@pytest.mark.slow
def test_a_new_article_reindexes_its_shard(tmp_path):
    def add(root: Path) -> None:
        remove_article(root, "2026-06-11-a6-1")
        build(root)
        (root / "content/2026-06-20-new.md").write_text("---\ntitle: خبر جديد\n---\nنص جديد.\n", encoding="utf-8")

    again = rebuilt(tmp_path, add)
    assert again["first"] == [True] and again["runs"] == ["2026-05"]


@needs_pagefind
@pytest.mark.slow
def test_a_deleted_article_reindexes_its_shard_with_no_file_read_afresh(tmp_path):
    again = rebuilt(tmp_path, lambda root: remove_article(root, "2026-06-11-a6-1"))
    assert again["first"] == [False] and again["runs"] == ["2026-05"]


def edit_and_delete(root: Path) -> None:
    append(root, "2026-01-10-a1-0.en.md", "\nA new line.\n")
    remove_article(root, "2026-06-11-a6-1")


@needs_pagefind
@pytest.mark.slow
def test_an_edit_of_a_kept_shard_and_a_deletion_in_another_are_both_indexed(tmp_path):
    again = rebuilt(tmp_path, edit_and_delete)
    assert again["first"] == [True] and again["runs"] == ["2026-01", "2026-05"]
    assert again["parts"] == ["2026-01/en", "2026-05/ar", "2026-05/en"]
