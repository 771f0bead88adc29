"""A shard's bundle from one bundle per language: an edit re-indexes the language it changed,
in its shard only, and the bundle is the one a build from nothing makes; a stored part that
does not fit is ignored; records are made one shard at a time, each handed to Pagefind
before the next is made. Real builds in new processes and real Pagefind."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, monthly_project

from digest.build import Builder
from digest.config import load_config
from digest.content.store import BuildStore
from digest.render import pagefindapi, search, searchindex
from digest.render.bundlecache import Part, kept_part, remember_parts
from digest.render.indexer import Job, Run, encoded
from digest.render.kept import Kept
from digest.render.pagefindapi import Record
from digest.render.search import executable

needs_pagefind = pytest.mark.skipif(executable() is None, reason="no Pagefind binary")

BUILD = """
import json, sys
from digest.build import Builder
from digest.config import load_config
from digest.render import searchindex
result = Builder(load_config(sys.argv[1]), translator=None).build()
print(json.dumps({"runs": searchindex.runs, "parts": searchindex.parts_run, "written": result.written}))
"""


def build(root: Path) -> dict:
    """A build of ``root`` in a new process: the shards and languages Pagefind indexed, the files written."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", BUILD, str(root)], env=env, capture_output=True, text=True,
                          timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def bundles(root: Path) -> dict[str, bytes]:
    folder = root / "site/pagefind"
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@needs_pagefind
@pytest.mark.slow
def test_an_edit_reindexes_the_language_it_changed_in_its_shard_only(tmp_path):
    root = monthly_project(tmp_path / "a", 4, 2, 5, english="Story of month m{m}x.")
    cold = build(root)
    assert cold["parts"] == ["2026-01/ar", "2026-01/en", "2026-03/ar", "2026-03/en"]
    append(next((root / "content").glob("2026-01-10-*[0-9].md")), "\nسطر جديد عن الحمير الوحشية.\n")
    arabic = build(root)
    assert arabic["runs"] == ["2026-01"] and arabic["parts"] == ["2026-01/ar"]
    written = set(arabic["written"])
    assert "pagefind/2026-01/pagefind-entry.json" in written
    assert not any(p.startswith(("pagefind/2026-01/fragment/en_", "pagefind/2026-03/")) for p in written)
    append(next((root / "content").glob("2026-02-11-*.en.md")), "\nA new line about zebras.\n")
    assert build(root)["parts"] == ["2026-01/en"]
    # The same bundles, byte for byte, as a build from nothing of the edited content makes.
    fresh = tmp_path / "b"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns("site", ".digest-cache", ".site.digest"))
    assert build(fresh)["parts"] == cold["parts"]
    assert bundles(fresh) == bundles(root)
    entry = json.loads(bundles(root)["2026-01/pagefind-entry.json"])
    assert set(entry["languages"]) == {"ar", "en"}


@needs_pagefind
@pytest.mark.slow
def test_each_language_indexed_apart_gives_the_bundle_of_both_at_once():
    records = [Record(f"/a{i}/{lang}/", lang, f"{word} {i}", (("title", f"T{i}"),))
               for i in range(30) for lang, word in (("ar", "القمح"), ("en", "wheat"))]
    both = pagefindapi.build_bundle(records)
    apart = [pagefindapi.build_bundle([r for r in records if r.language == lang]) for lang in ("ar", "en")]
    files = {p: d for part in apart for p, d in part.items() if p != pagefindapi.ENTRY}
    files[pagefindapi.ENTRY] = pagefindapi.merged_entry(json.loads(part[pagefindapi.ENTRY]) for part in apart)
    assert dict(sorted(files.items())) == both


def test_a_stored_part_is_kept_only_whole_on_disk_and_for_its_language(tmp_path):
    store = BuildStore(tmp_path / "cache")
    data = b"fragment"
    sha = hashlib.sha256(data).hexdigest()
    entry = b'{"languages":{"ar":{"hash":"ar_1","page_count":1,"wasm":"ar"}},"version":"1.5.2"}'
    remember_parts(store, [Part("k", "ar", entry, {"pagefind/2026-01/fragment/ar_1.pf_fragment": data})])
    on_disk = {"pagefind/2026-01/fragment/ar_1.pf_fragment": sha}
    kept = kept_part(store, "k", "ar", on_disk)
    assert kept is not None and kept.entry == entry
    assert kept.files == {"pagefind/2026-01/fragment/ar_1.pf_fragment":
                          Kept("pagefind/2026-01/fragment/ar_1.pf_fragment", sha, len(data))}
    assert kept_part(store, "k", "en", on_disk) is None  # another language's entry
    assert kept_part(store, "k", "ar", {}) is None  # the file is gone from the output folder
    assert kept_part(store, "k", "ar", {"pagefind/2026-01/fragment/ar_1.pf_fragment": "0" * 64}) is None
    for foreign in ({"entry": "not json", "files": {}}, {"entry": entry.decode(), "files": {"x": "y"}},
                    ["a", "list"], {"files": {"pagefind/2026-01/fragment/ar_1.pf_fragment": [sha, 8]}}):
        store.put_many("bundles", [("k", foreign)])
        assert kept_part(store, "k", "ar", on_disk) is None
    store.close()


@needs_pagefind
@pytest.mark.slow
def test_records_are_made_one_shard_at_a_time_each_handed_over_before_the_next(tmp_path):
    root = monthly_project(tmp_path / "p", 3, 2, 2, english="Story of month m{m}x.")
    site = Builder(load_config(root), translator=None).build(write=False, search=False).site
    search.release()
    folder = tmp_path / "work"
    seen = []

    def make(planned):
        # What the queue holds when this shard's records are made: every earlier shard's jobs.
        queued = sorted(p.name for p in folder.glob("index-*/*") if p.suffix in (".records", ".taken", ".bundle"))
        seen.append((planned.name, len(queued)))
        return search.made(site, planned, None)

    planned = search.plan(site)
    assert [p.name for p in planned] == ["2026-01", "2026-02", "2026-03"]
    indexing = searchindex.Indexing(planned, make, folder=folder, lanes=1)
    files = indexing.result()
    assert [n for _, n in seen] == [0, 2, 4]  # two jobs (ar, en) per shard made before
    assert sorted({name for name, _ in seen}) == ["2026-01", "2026-02", "2026-03"]
    assert {p.split("/")[1] for p in files} == {"2026-01", "2026-02", "2026-03"}
    search.release()
    whole = search.search_bundle(site)  # every shard's records made, then indexed
    assert {path: data for path, data in whole.items() if path.count("/") > 1} == files
    search.release()


def test_a_build_with_a_store_keeps_no_copy_of_the_records_in_memory(tmp_path):
    root = monthly_project(tmp_path, 2, 2, 5, english="Story of month m{m}x.")
    search.release()
    Builder(load_config(root), translator=None).build(write=False, search=False)
    store = BuildStore(load_config(root).cache_dir)
    site = Builder(load_config(root), translator=None).build(write=False, search=False).site
    shards = [search.made(site, planned, store) for planned in search.plan(site)]
    assert sum(len(s.records) for s in shards) == 8 and search._by_entry == {}
    store.close()


@needs_pagefind
@pytest.mark.slow
def test_a_failure_while_the_records_are_made_stops_the_helpers_and_leaves_nothing(tmp_path):
    started = []

    def jobs():
        yield Job("2026-01/ar", encoded([Record("/a/", "ar", "نص", ())]))
        started.extend(tmp_path.glob("index-*/lane-*.err"))  # the helper began with the first job
        raise RuntimeError("the next shard's records could not be made")

    with pytest.raises(RuntimeError):
        Run(jobs(), tmp_path, lanes=1)
    assert len(started) == 1
    assert list(tmp_path.iterdir()) == []  # the helper stopped, its folder removed


def test_the_first_helper_boots_before_the_first_job_is_made_and_one_left_without_a_job_ends(tmp_path):
    seen = []

    def jobs():
        # What the run has started when the first shard's records are being made.
        seen.extend(p.name for p in tmp_path.glob("index-*/lane-*.err"))
        return
        yield

    run = Run(jobs(), tmp_path, lanes=1)
    assert seen == ["lane-0.err"]
    assert run.result(timeout=60) == {}  # every shard's parts were kept: the helper found no job and ended
    assert list(tmp_path.iterdir()) == []


@needs_pagefind
def test_one_shard_begins_with_one_pagefind_beside_the_render_and_widens_after(tmp_path):
    """Beside the render's workers the index begins with one Pagefind process even when the
    shards are fewer than the cores: two (one a language) beside the workers were the
    peak of a cold build's process tree at 1,000 articles. Once widened, the queue is
    indexed on every core, and the bundle is the one a lone helper makes."""
    root = monthly_project(tmp_path / "p", 1, 3, 2, english="Story of month m{m}x.")
    site = Builder(load_config(root), translator=None).build(write=False, search=False).site
    search.release()
    planned = search.plan(site)
    assert len(planned) == 1
    indexing = searchindex.Indexing(planned, lambda p: search.made(site, p, None), folder=tmp_path / "w", lanes=1)
    assert indexing._run is not None and len(indexing._run.names) == 2  # ar and en
    assert len(indexing._run._procs) == 1
    indexing.widen()
    files = indexing.result()
    search.release()
    alone = searchindex.Indexing(search.plan(site), lambda p: search.made(site, p, None), folder=tmp_path / "x",
                                 lanes=None).result()
    assert files == alone
    search.release()
