"""The search index in shards of consecutive months: which articles go where, and that a
build runs Pagefind only for the shards whose records changed, in a new process too.
Real builds and real Pagefind runs, counted by ``digest.render.search.runs``."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, monthly_project, write_project

from digest.render.pagefindapi import Record
from digest.render.search import executable
from digest.render.shards import group, listing

needs_pagefind = pytest.mark.skipif(executable() is None, reason="no Pagefind binary")


def dated(*days: str) -> list[tuple[dt.date, tuple[Record, ...]]]:
    """One article per day, each with one Arabic record named after its day."""
    return [(dt.date.fromisoformat(day), (Record(f"/{day}/", "ar", day, ()),)) for day in days]


def names(shards) -> list[tuple[str, list[str]]]:
    return [(s.name, [r.url.strip("/") for r in s.records]) for s in shards]


def test_months_oldest_first_fill_a_shard_as_long_as_it_stays_within_its_size():
    days = ["2026-03-02", "2026-01-05", "2026-01-20", "2026-02-01", "2026-04-09", "2026-04-10", "2026-06-01"]
    assert names(group(dated(*days), 2)) == [
        ("2026-01", ["2026-01-05", "2026-01-20"]),
        ("2026-02", ["2026-02-01", "2026-03-02"]),  # whole months, oldest first
        ("2026-04", ["2026-04-09", "2026-04-10"]),
        ("2026-06", ["2026-06-01"]),                # the newest stays open
    ]
    # The month that would take a shard past its size starts the next one.
    assert names(group(dated(*days), 3)) == [
        ("2026-01", ["2026-01-05", "2026-01-20", "2026-02-01"]),
        ("2026-03", ["2026-03-02", "2026-04-09", "2026-04-10"]),
        ("2026-06", ["2026-06-01"]),
    ]
    assert names(group(dated(*days), 100)) == [("2026-01", sorted(days))]
    assert names(group([], 3)) == []
    # A month is never split, however many articles it has: a larger one is a shard of its own.
    assert [s.name for s in group(dated("2026-01-01", "2026-02-01", "2026-02-02", "2026-02-03", "2026-03-01"), 2)] \
        == ["2026-01", "2026-02", "2026-03"]
    assert listing(group(dated(*days), 2)) == b'{"shards":["2026-06","2026-04","2026-02","2026-01"]}'


def test_new_articles_and_edits_change_only_their_own_shard():
    days = [f"2026-{m:02d}-{d:02d}" for m in range(1, 7) for d in (3, 17)]
    before = group(dated(*days), 4)
    assert [s.name for s in before] == ["2026-01", "2026-03", "2026-05"]
    # The same articles in another order: the same shards, each in the order it was given.
    assert {s.name: set(s.records) for s in group(dated(*reversed(days)), 4)} == \
        {s.name: set(s.records) for s in before}
    after = group(dated(*days, "2026-07-01", "2026-07-20"), 4)
    assert after[:3] == before and [s.name for s in after] == ["2026-01", "2026-03", "2026-05", "2026-07"]
    assert group(dated(*days[:-1], "2026-06-30"), 4)[:2] == before[:2]
    edited = dated(*days)
    edited[0] = (edited[0][0], (Record("/2026-01-03/", "ar", "edited", ()),))
    changed = [a.name for a, b in zip(group(edited, 4), before, strict=True) if a != b]
    assert changed == ["2026-01"]


def project(root: Path, months: int = 4, per_month: int = 2, shard: int = 5) -> Path:
    return monthly_project(root, months, per_month, shard, english="Story of month m{m}x.")


BUILD = """
import json, sys
from digest.build import Builder
from digest.config import load_config
from digest.render import search
result = Builder(load_config(sys.argv[1]), translator=None).build()
print(json.dumps({"runs": search.runs, "written": result.written}))
"""


def build(root: Path) -> dict:
    """``digest``'s build of ``root`` in a new process: the shards Pagefind indexed, the files written."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", BUILD, str(root)], env=env, capture_output=True, text=True,
                          timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def shard_folders(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "site/pagefind").iterdir() if p.is_dir())


@needs_pagefind
@pytest.mark.slow
def test_an_edit_reindexes_its_shard_only_and_a_new_process_keeps_the_others(tmp_path):
    root = project(tmp_path)
    first = build(root)
    assert first["runs"] == ["2026-01", "2026-03"]  # January and February (4 articles), then March on
    assert shard_folders(root) == ["2026-01", "2026-03"]
    assert build(root) == {"runs": [], "written": []}  # nothing changed: no Pagefind at all
    old = next((root / "content").glob("2026-01-10-*.en.md"))
    old.write_text(old.read_text(encoding="utf-8") + "\nA new line about zebras.\n", encoding="utf-8")
    edit = build(root)
    assert edit["runs"] == ["2026-01"]
    assert any(p.startswith("pagefind/2026-01/") for p in edit["written"])
    assert not any(p.startswith("pagefind/2026-03/") for p in edit["written"])
    index = json.loads((root / "site/pagefind/2026-01/pagefind-entry.json").read_bytes())
    assert set(index["languages"]) == {"ar", "en"}
    # A new month's article goes to the newest shard, which alone is indexed again...
    write_project(root, {"content/2026-05-01-late.md": "---\ntitle: خبر متأخر\n---\nنص.\n"})
    assert build(root)["runs"] == ["2026-03"]
    # ... until the month would take it past its size: the month moves to a shard of its own.
    write_project(root, {"content/2026-05-02-later.md": "---\ntitle: خبر متأخر جدا\n---\nنص.\n"})
    assert sorted(build(root)["runs"]) == ["2026-03", "2026-05"]
    assert shard_folders(root) == ["2026-01", "2026-03", "2026-05"]


@needs_pagefind
@pytest.mark.slow
def test_shard_folders_that_are_no_longer_made_disappear_from_the_site(tmp_path):
    root = project(tmp_path, months=3, per_month=1, shard=1)
    build(root)
    assert shard_folders(root) == ["2026-01", "2026-02", "2026-03"]
    for path in (root / "content").glob("2026-02-*"):
        path.unlink()
    assert build(root)["runs"] == []  # the other two shards' records are unchanged
    assert shard_folders(root) == ["2026-01", "2026-03"]
    assert json.loads((root / "site/pagefind/shards.json").read_bytes()) == {"shards": ["2026-03", "2026-01"]}
    (root / "digest.toml").write_text('[site]\nsearch_shard_articles = 5\n[translation]\nengine = "none"\n',
                                      encoding="utf-8")
    assert build(root)["runs"] == ["2026-01"]
    assert shard_folders(root) == ["2026-01"]
    ui = (root / "site/pagefind/pagefind-ui.js").read_bytes()
    assert ui == (root / "site/pagefind/2026-01/pagefind-ui.js").read_bytes() and len(ui) > 10_000
    assert not list((root / "site/pagefind").rglob("pagefind-component-ui.*"))
