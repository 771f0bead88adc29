"""Pagefind beside the build (digest/render/indexer.py): an edit's shard is indexed while the
pages render, the shards are shared out so the last does not run alone, and a failed run is
never remembered. Real builds in new processes, real Pagefind (a failing one is a script)."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import REPO, monthly_project

from digest.render import pagefindapi
from digest.render.indexer import Job, Run, Standby, encoded, queue_order
from digest.render.pagefindapi import Record
from digest.render.search import executable
from digest.render.shards import Shard

needs_pagefind = pytest.mark.skipif(executable() is None, reason="no Pagefind binary")


def shard(name: str, size: int) -> Shard:
    return Shard(name, tuple(Record(f"/{name}/{i}/", "ar", "نص", ()) for i in range(size)))


def test_the_queue_takes_the_largest_shards_first():
    shards = [shard("a", 3), shard("b", 10), shard("c", 6), shard("d", 6), shard("e", 1)]
    ordered = queue_order(shards, lambda s: len(s.records), lambda s: s.name)
    assert [s.name for s in ordered] == ["b", "c", "d", "a", "e"]


@needs_pagefind
@pytest.mark.slow
def test_languages_indexed_together_give_the_same_bundle():
    records = [Record(f"/a{i}/{lang}/", lang, f"{word} {i}", (("title", f"T{i}"),))
               for i in range(30) for lang, word in (("ar", "القمح"), ("en", "wheat"))]
    assert pagefindapi.build_bundle(records, together=True) == pagefindapi.build_bundle(records)


BUILD = """
import json, sys
from digest.build import Builder
from digest.config import load_config
from digest.render import earlyindex, pages, search
earlyindex.EARLY_RECORDS = 1  # the test project is tiny: its cold build has more records to make than this
seen = {}
render = pages.Renderer.render
def watched(self, site, theme, cache=None, workers=1, progress=None, spool=None, meanwhile=None):
    indexing = getattr(meanwhile, "indexing", None)
    run = getattr(indexing, "_run", None)
    seen["begun"] = run is not None
    seen["alive"] = run is not None and all(proc.poll() is None for proc in run._procs)
    return render(self, site, theme, cache, workers, progress, spool, meanwhile)
pages.Renderer.render = watched
from digest.events import RecordingReporter
heard = RecordingReporter()
result = Builder(load_config(sys.argv[1]), heard, translator=None).build()
warnings = [str(w) for w in heard.of("warning")]
print(json.dumps({"runs": search.runs, "written": result.written, "warnings": warnings, **seen}))
"""


def build(root: Path, pagefind: str | None = None) -> dict:
    """A build of ``root`` in a new process: Pagefind's runs, the files written, the warnings,
    and whether indexing was under way when the pages began to render."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    if pagefind is not None:
        env["PAGEFIND_BINARY_PATH"] = pagefind
    done = subprocess.run([sys.executable, "-c", BUILD, str(root)], env=env, capture_output=True, text=True,
                          timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def edit(root: Path) -> None:
    old = next((root / "content").glob("2026-01-10-*.md"))
    old.write_text(old.read_text(encoding="utf-8") + "\nسطر جديد عن الحمير الوحشية.\n", encoding="utf-8")


@needs_pagefind
@pytest.mark.slow
def test_an_edit_reindexes_its_shard_while_the_pages_render(tmp_path):
    root = monthly_project(tmp_path, 4, 2, 5, english="Story of month m{m}x.")
    cold = build(root)
    # Cold: every record is to be made, beside the render's workers: not begun before it.
    assert cold["runs"] == ["2026-01", "2026-03"] and not cold["begun"]
    edit(root)
    again = build(root)
    assert again["runs"] == ["2026-01"]
    assert again["begun"] and again["alive"]  # Pagefind was at work as the render began
    assert any(p.startswith("pagefind/2026-01/") for p in again["written"])
    assert not any(p.startswith("pagefind/2026-03/") for p in again["written"])
    assert not list((tmp_path / "site").parent.glob(".site.digest/index-*"))  # its files are gone


@needs_pagefind
@pytest.mark.slow
def test_a_failed_early_index_is_not_remembered(tmp_path):
    root = monthly_project(tmp_path, 4, 2, 5, english="Story of month m{m}x.")
    build(root)
    good = (root / "site/pagefind/2026-01/pagefind-entry.json").read_bytes()
    broken = tmp_path / "pagefind-broken"
    broken.write_text("#!/bin/sh\nexit 1\n")
    broken.chmod(0o755)
    edit(root)
    failed = build(root, str(broken))
    assert failed["begun"] and failed["runs"] == ["2026-01"]
    assert any("search is not built" in m for m in failed["warnings"])
    assert not (root / "site/pagefind").exists()  # no index rather than a stale or partial one
    # The next build trusts nothing of the failed run: both shards are indexed again.
    fixed = build(root)
    assert fixed["runs"] == ["2026-01", "2026-03"]
    assert not any("search" in m for m in fixed["warnings"])
    entry = json.loads((root / "site/pagefind/2026-01/pagefind-entry.json").read_bytes())
    assert set(entry["languages"]) == {"ar", "en"} and entry != json.loads(good)


@needs_pagefind
@pytest.mark.slow
def test_helpers_added_midway_take_the_shards_left_each_once(tmp_path):
    shards = [Shard(f"2026-0{m}", tuple(Record(f"/m{m}/{i}/{lang}/", lang, f"word{m} {i}", (("title", f"T{i}"),))
                                         for i in range(20 * m) for lang in ("ar", "en"))) for m in range(1, 5)]
    run = Run((Job(s.name, encoded(s.records)) for s in shards), tmp_path, lanes=1)
    run.widen(3)
    bundles = run.result()
    assert sorted(bundles) == [s.name for s in shards]
    assert bundles["2026-02"] == pagefindapi.build_bundle(shards[1].records)
    assert list(tmp_path.iterdir()) == []  # records, bundles and the helpers' folder are gone


@needs_pagefind
@pytest.mark.slow
def test_a_helper_on_standby_takes_the_first_job_and_one_left_unused_is_ended(tmp_path):
    standby = Standby(tmp_path)
    helper = standby._proc
    assert helper is not None
    time.sleep(0.5)  # booted, waiting in its queue
    records = shard("2026-01", 5).records
    run = Run([Job("2026-01", encoded(records))], tmp_path, standby=standby)
    assert run._procs == [helper]  # adopted, not a second helper
    assert run.result()["2026-01"] == pagefindapi.build_bundle(records)
    assert helper.returncode == 0 and list(tmp_path.iterdir()) == []
    standby.stop()  # adopted: nothing left to end
    unused = Standby(tmp_path)
    proc = unused._proc
    assert proc is not None and proc.poll() is None
    unused.stop()
    assert proc.poll() is not None and list(tmp_path.iterdir()) == []


@needs_pagefind
@pytest.mark.slow
def test_kill_9_during_an_early_index_leaves_no_helper_and_the_next_build_trusts_nothing_of_it(tmp_path):
    root = monthly_project(tmp_path, 4, 2, 5, english="Story of month m{m}x.")
    build(root)
    edit(root)
    # A slow Pagefind: the helper is surely at work when the build is killed.
    slow = tmp_path / "pagefind-slow"
    slow.write_text(f"#!/bin/sh\nsleep 30\nexec {executable()} \"$@\"\n")
    slow.chmod(0o755)
    env = dict(os.environ, PYTHONPATH=str(REPO), PAGEFIND_BINARY_PATH=str(slow))
    proc = subprocess.Popen([sys.executable, "-m", "digest", "build", "--project", str(root)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    work = root / ".site.digest"
    deadline = time.monotonic() + 60
    while not list(work.glob("index-*/lane-0.err")) and time.monotonic() < deadline:
        time.sleep(0.05)
    folder = next(work.glob("index-*"))
    proc.kill()
    proc.wait()

    def helpers() -> list[str]:
        found = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                if str(folder).encode() in cmdline.read_bytes():
                    found.append(cmdline.parent.name)
            except OSError:
                pass
        return found

    deadline = time.monotonic() + 10
    while helpers() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert helpers() == []  # the helper died with the build (and its Pagefind with it)
    again = build(root)
    assert again["runs"] == ["2026-01"]
    assert not folder.exists() and not list(work.glob("index-*"))
    entry = json.loads((root / "site/pagefind/2026-01/pagefind-entry.json").read_bytes())
    assert set(entry["languages"]) == {"ar", "en"}
