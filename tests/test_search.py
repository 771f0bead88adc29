"""The search stage without a browser: Arabic folding, the bundle, and life without Pagefind."""

import dataclasses
import json
import os
import subprocess
import sys
import threading
import time

import pytest
from helpers import REPO, write_project
from sitebuild import build_sample

from digest.errors import SearchCancelled
from digest.render import search
from digest.render.pagefindapi import Record, build_bundle
from digest.text import fold_arabic


def test_fold_arabic():
    assert fold_arabic("مَكْتَبَةٌ") == "مكتبه"
    assert fold_arabic("أإآٱ") == "اااا"
    assert fold_arabic("القرى") == "القري"
    assert fold_arabic("الـــكتاب") == "الكتاب"
    assert fold_arabic("Oil prices") == "Oil prices"


def test_records_hold_each_article_once_per_language_folded_with_titles_as_written(tmp_path):
    _, result, _ = build_sample(tmp_path)
    records = {r.url: r for r in search.search_records(result.site)}
    # The single-language pages, never the parallel page (it repeats both) nor listings.
    assert sorted(records) == sorted(f"/articles/{s}/{lang}/" for s in ("harvest", "library", "rain", "port")
                                     for lang in ("ar", "en"))
    library = records["/articles/library/ar/"]
    assert library.language == "ar"
    assert "مكتبه جديده للاطفال" in library.content  # title, folded
    assert "مكتبه جديده للاطفال تضم الاف الكتب المصوره" in library.content  # body, folded
    assert "سلمي" in library.content and "ثقافه" in library.content  # author and tag
    meta = dict(library.meta)
    assert meta["title"] == "مكتبة جديدة للأطفال في المدينة القديمة"  # results show the original spelling
    assert meta["summary"].startswith("افتتحت البلدية مكتبةً")
    port = records["/articles/port/en/"]
    assert port.language == "en" and "container ships" in port.content
    assert dict(port.meta)["title"] == "The commercial port expands"


@pytest.mark.slow
def test_build_writes_a_bundle_per_language(tmp_path):
    if search.executable() is None:
        pytest.skip("no Pagefind binary")
    out, result, reporter = build_sample(tmp_path)
    assert not reporter.of("warning")
    assert (out / "pagefind/pagefind-ui.js").is_file()
    # One shard (October and November: fewer articles than a shard holds), named after its first month.
    assert json.loads((out / "pagefind/shards.json").read_bytes()) == {"shards": ["2026-10"]}
    names = [p.name for p in (out / "pagefind/2026-10").iterdir()]
    assert any(n.startswith("pagefind.ar_") for n in names) and any(n.startswith("pagefind.en_") for n in names)
    # Only single-language article pages are indexed, never indexes or the parallel page.
    marked = [p for p, d in result.files.items() if p.endswith(".html") and b"data-pagefind-body" in d]
    assert sorted(marked) == sorted(f"articles/{s}/{lang}/index.html" for s in ("harvest", "library", "rain", "port")
                                    for lang in ("ar", "en"))


@pytest.mark.slow
def test_missing_pagefind_is_a_warning_not_a_failure(tmp_path):
    # A digest where the pagefind package has no binary: an empty package of that name
    # comes first on the import path of a real ``digest build``.
    (tmp_path / "shadow/pagefind").mkdir(parents=True)
    (tmp_path / "shadow/pagefind/__init__.py").write_text("", encoding="utf-8")
    project = write_project(tmp_path / "project", {"content/2026-11-01-a.md": "---\ntitle: عنوان\n---\nنص.\n",
                                                   "digest.toml": '[translation]\nengine = "none"\n'})
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path / "shadow"), str(REPO)]))
    done = subprocess.run([sys.executable, "-m", "digest", "build", "--project", str(project)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Pagefind is not installed" in done.stdout + done.stderr
    out = project / "site"
    assert not (out / "pagefind").exists()
    assert (out / "ar/search/index.html").is_file() and (out / "feed.xml").is_file()


@pytest.mark.slow
def test_unchanged_site_gets_a_byte_identical_bundle(tmp_path):
    """Pagefind lists languages in random order; digest sorts them so nothing is rewritten."""
    if search.executable() is None:
        pytest.skip("no Pagefind binary")
    _, result, _ = build_sample(tmp_path)
    bundles = []
    for _ in range(3):
        search.release()  # a new index each time, not the remembered one
        bundles.append(search.search_bundle(result.site))
    assert all(b == bundles[0] for b in bundles)
    entry_file = "pagefind/2026-10/pagefind-entry.json"
    assert result.files[entry_file] == bundles[0][entry_file]
    entry = json.loads(bundles[0][entry_file])
    assert {lang: v["page_count"] for lang, v in entry["languages"].items()} == {"ar": 4, "en": 4}
    assert not (tmp_path / "work").exists()  # the bundle came through the pipe, not a folder


@pytest.mark.slow
def test_a_new_index_makes_records_only_for_the_articles_that_changed(tmp_path, monkeypatch):
    """digest serve indexes again after every change: an entry object kept from the last
    build keeps its records; the same records again are the same bundle, without Pagefind."""
    if search.executable() is None:
        pytest.skip("no Pagefind binary")
    _, result, _ = build_sample(tmp_path)
    site = result.site
    made = []
    entry_records = search.entry_records
    monkeypatch.setattr(search, "entry_records", lambda entry, *a: made.append(entry.slug) or entry_records(entry, *a))
    search.release()
    first = search.search_bundle(site)
    assert sorted(made) == ["harvest", "library", "port", "rain"]
    made.clear()
    runs = len(search.runs)
    assert search.search_bundle(site) == first and made == []
    assert len(search.runs) == runs, "Pagefind ran for the same records"
    rain = next(e for e in site.entries if e.slug == "rain")
    edited = dataclasses.replace(site, entries=tuple(dataclasses.replace(e) if e is rain else e for e in site.entries))
    again = search.search_records(edited)
    assert made == ["rain"] and again == search.search_records(site)


@pytest.mark.slow
def test_a_set_cancel_stops_indexing(tmp_path):
    if search.executable() is None:
        pytest.skip("no Pagefind binary")
    _, result, _ = build_sample(tmp_path)
    search.release()
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(SearchCancelled):
        search.search_bundle(result.site, cancel=cancel)


@pytest.mark.slow
def test_records_are_indexed_as_fast_as_pagefind_answers(tmp_path):
    """Pagefind's own client reads one reply per 0.1 s (400 records: 40 s); digest's reads
    them as they come."""
    if search.executable() is None:
        pytest.skip("no Pagefind binary")
    records = [Record(f"/articles/a{i}/en/", "en", f"story number {i} about wheat and rain", (("title", f"T{i}"),))
               for i in range(400)]
    started = time.monotonic()
    files = build_bundle(records)
    assert time.monotonic() - started < 20
    assert json.loads(files["pagefind-entry.json"])["languages"]["en"]["page_count"] == 400


@pytest.mark.slow
def test_a_cancel_stops_pagefind_midway(tmp_path):
    """digest serve gives up an index as soon as newer pages are on their way."""
    if search.executable() is None:
        pytest.skip("no Pagefind binary")
    records = [Record(f"/articles/a{i}/ar/", "ar", "حصاد القمح في الجزيرة " * 200, (("title", f"T{i}"),))
               for i in range(20000)]
    cancel = threading.Event()
    timer = threading.Timer(1.0, cancel.set)
    timer.start()
    started = time.monotonic()
    with pytest.raises(SearchCancelled):
        build_bundle(records, cancel=cancel)
    assert time.monotonic() - started < 10


@pytest.mark.slow
def test_records_sent_as_utf8_give_the_bundle_of_pagefinds_own_client():
    """digest writes each request as UTF-8 JSON (Pagefind's client escapes every Arabic
    letter to six bytes): Pagefind reads the same texts and makes the same bundle."""
    if search.executable() is None:
        pytest.skip("no Pagefind binary")
    import asyncio

    from pagefind.service import PagefindService

    records = [Record("/articles/a/ar/", "ar", 'حصاد القمح "في" الجزيرة \\ 🌾 مكتبه', (("title", "حصاد «القمح»"),)),
               Record("/articles/b/ar/", "ar", "مطر غزير على الساحل", (("title", "مطر"), ("summary", "سطر\tثان")))]

    async def theirs():
        service = await PagefindService().launch()
        try:
            index = await service.create_index({})
            for r in records:
                await index.add_custom_record(url=r.url, content=r.content, language=r.language, meta=dict(r.meta))
            return {f["path"]: f["content"] for f in await index.get_files()}
        finally:
            service._poll_task.cancel()
            service._backend.terminate()
            await service._backend.wait()

    expected = asyncio.run(theirs())
    ours = build_bundle(records)
    entry = "pagefind-entry.json"
    assert json.loads(ours.pop(entry)) == json.loads(expected.pop(entry))
    assert ours == expected
