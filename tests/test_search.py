"""The search stage without a browser: Arabic folding, the bundle, and life without Pagefind."""

import json
import os
import subprocess
import sys

import pytest
from helpers import REPO, write_project
from sitebuild import build_sample

from digest.render import search
from digest.render.search import fold_html
from digest.text import fold_arabic


def test_fold_arabic():
    assert fold_arabic("مَكْتَبَةٌ") == "مكتبه"
    assert fold_arabic("أإآٱ") == "اااا"
    assert fold_arabic("القرى") == "القري"
    assert fold_arabic("الـــكتاب") == "الكتاب"
    assert fold_arabic("Oil prices") == "Oil prices"


def test_fold_html_keeps_tags_and_attributes():
    html = '<h1 title="أسعار">أسعار</h1><meta content="مكتبة">'
    assert fold_html(html) == '<h1 title="أسعار">اسعار</h1><meta content="مكتبة">'


@pytest.mark.slow
def test_build_writes_a_bundle_per_language(tmp_path):
    if search.executable() is None:
        pytest.skip("no Pagefind binary")
    out, result, reporter = build_sample(tmp_path)
    assert not reporter.of("warning")
    assert (out / "pagefind/pagefind-ui.js").is_file()
    names = [p.name for p in (out / "pagefind").iterdir()]
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
    pages = {p: d for p, d in result.files.items() if p.endswith(".html")}
    fewer = {p: d for p, d in pages.items() if not p.startswith("articles/rain/")}
    bundles = []
    for _ in range(4):
        bundles.append(search.search_files(pages, work=tmp_path / "work"))
        search.search_files(fewer, work=tmp_path / "work")  # another index in between: the next one is made anew
    assert all(b == bundles[0] for b in bundles)
    assert result.files["pagefind/pagefind-entry.json"] == bundles[0]["pagefind/pagefind-entry.json"]


@pytest.mark.slow
def test_a_new_index_folds_only_the_pages_that_changed_and_drops_removed_ones(tmp_path, monkeypatch):
    """digest serve indexes again after every change: the folded copies Pagefind reads are
    kept between runs, and only changed pages are folded and written again."""
    if search.executable() is None:
        pytest.skip("no Pagefind binary")
    _, result, _ = build_sample(tmp_path)
    pages = {p: d for p, d in result.files.items() if p.endswith(".html")}
    folded = []
    fold = search.fold_html
    monkeypatch.setattr(search, "fold_html", lambda html: folded.append(html) or fold(html))

    def indexed(files):
        monkeypatch.setattr(search, "_memo", [])
        folded.clear()
        entry = json.loads(search.search_files(files, work=tmp_path / "work")["pagefind/pagefind-entry.json"])
        return {lang: v["page_count"] for lang, v in entry["languages"].items()}

    assert indexed(pages) == {"ar": 4, "en": 4}
    assert indexed(pages) == {"ar": 4, "en": 4} and folded == []
    edited = dict(pages)
    edited["articles/rain/en/index.html"] = pages["articles/rain/en/index.html"].replace(
        b"</article>", b"<p>Flooded roads</p></article>")
    assert indexed(edited) == {"ar": 4, "en": 4}
    assert len(folded) == 1 and "Flooded roads" in folded[0]
    fewer = {p: d for p, d in edited.items() if not p.startswith("articles/rain/")}
    assert indexed(fewer) == {"ar": 3, "en": 3} and folded == []
    assert not (search._mirror._root / "site/articles/rain/en/index.html").exists()
