"""What a new builder (as in a new process) keeps of the last build's pages: the build store's
one index of path -> page key -> hash, and the output folder's manifest checked by each
file's size and time. Only the pages an edit touches render again; a page file changed or
deleted by hand is written again; a damaged or foreign index, or a manifest listing paths
outside the folder, is never trusted. Real projects, real builds, real files."""

import json
import os
import sqlite3
from pathlib import Path

from helpers import fresh, site_files
from test_buildcache import project as buildcache_project

from digest.build import Builder
from digest.config import load_config
from digest.content.store import cache_key
from digest.render.cache import INDEX_KEY
from digest.render.kept import Kept

DB = Path(".digest-cache/build/build.sqlite3")
MANIFEST = ".digest-manifest.json"


def project(root: Path, articles: int = 16) -> Path:
    return buildcache_project(root, articles, extra="page_size = 4\n")


def build(root: Path):
    return Builder(load_config(root), translator=None).build()


def article(root: Path, n: int) -> Path:
    return next((root / "content").glob(f"*-a{n}.md"))


def rendered(result) -> set[str]:
    """The pages of ``result`` it rendered (the others it kept from the output folder)."""
    return {page.path for page in result.site.pages if type(result.files[page.path]) is not Kept}


def showing(result, slug: str) -> set[str]:
    """The pages of ``result`` that show article ``slug``: its own and the listings holding it."""
    found = set()
    for page in result.site.pages:
        entry, entries = page.context.get("entry"), page.context.get("entries", ())
        if (entry is not None and entry.slug == slug) or any(e.slug == slug for e in entries):
            found.add(page.path)
    return found


def index_value(root: Path) -> str:
    db = sqlite3.connect(root / DB)
    try:
        return db.execute("SELECT value FROM pages WHERE key = ?", (cache_key(INDEX_KEY),)).fetchone()[0]
    finally:
        db.close()


def index_rows(root: Path) -> dict[str, str]:
    value = json.loads(index_value(root))
    return dict(zip(value["paths"].split("\n"), value["rows"].split("\n")))


def set_index(root: Path, value: str) -> None:
    db = sqlite3.connect(root / DB)
    try:
        with db:
            db.execute("UPDATE pages SET value = ? WHERE key = ?", (value, cache_key(INDEX_KEY)))
    finally:
        db.close()


def test_an_edit_renders_that_articles_pages_and_the_listings_showing_it_and_nothing_else(tmp_path):
    root = project(tmp_path)
    first = build(root)
    assert rendered(first) == {page.path for page in first.site.pages}
    path = article(root, 5)
    path.write_text(path.read_text(encoding="utf-8").replace("فقرة ثانية 5", "فقرة ثانية معدلة 5"),
                    encoding="utf-8")
    second = build(root)
    assert rendered(second) == showing(second, "a5")
    assert second.rendered == len(showing(second, "a5"))
    # Its parallel page and one per language, and the home, index, tag and month pages holding it.
    assert {"articles/a5/index.html", "articles/a5/ar/index.html", "articles/a5/en/index.html"} < rendered(second)
    assert len(rendered(second)) == 10
    assert {"articles/a5/ar/index.html", "articles/a5/index.html"} <= set(second.written)
    assert {rel for rel in second.written if rel.endswith(".html")} <= rendered(second)  # the others are feeds
    assert site_files(root / "site") == fresh(root, tmp_path)
    third = build(root)
    assert third.rendered == 0 and third.written == []


def test_a_page_deleted_or_changed_by_hand_is_written_again(tmp_path):
    root = project(tmp_path)
    build(root)
    site = root / "site"
    built = site_files(site)
    gone, same_size, touched = (site / "articles/a1/index.html", site / "articles/a2/en/index.html",
                                site / "tags/index.html")
    gone.unlink()
    same_size.write_bytes(b"x" * len(built["articles/a2/en/index.html"]))  # its time moves
    stamp = touched.stat()
    os.utime(touched, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000))  # same bytes, another time
    result = build(root)
    assert sorted(result.written) == ["articles/a1/index.html", "articles/a2/en/index.html", "tags/index.html"]
    assert result.rendered == 3  # rendered again: the folder does not hold their bytes any more
    assert site_files(site) == built
    assert build(root).written == []


def test_a_damaged_index_is_ignored_and_the_build_is_right(tmp_path):
    root = project(tmp_path)
    build(root)
    good, rows = index_value(root), index_rows(root)
    value = json.loads(good)
    flipped = value["rows"][:70] + ("0" if value["rows"][70] != "0" else "1") + value["rows"][71:]
    damaged = {
        "flipped": json.dumps({**value, "rows": flipped}),
        "cut": json.dumps({**value, "rows": value["rows"][: len(value["rows"]) // 2]}),
        "sum": json.dumps({**value, "sum": "0" * 64}),
        "type": json.dumps(["not", "an", "index"]),
        "garbage": "{not json",
        "format": json.dumps({**value, "format": 2}),
    }
    for name, text in damaged.items():
        assert text != good, name
        set_index(root, text)
        result = build(root)
        assert result.rendered == len(rows) and result.written == [], name  # all rendered, found identical
        assert index_rows(root) == rows, name  # and the index is whole again
    assert build(root).rendered == 0
    assert site_files(root / "site") == fresh(root, tmp_path)


def test_a_foreign_index_keeps_nothing_it_cannot_prove(tmp_path):
    # Another project's index (same paths, other content): its keys are not this site's.
    other = project(tmp_path / "other")
    for path in (other / "content").glob("*.md"):
        path.write_text(path.read_text(encoding="utf-8").replace("نص الخبر", "نص آخر"), encoding="utf-8")
    build(other)
    root = project(tmp_path / "mine")
    build(root)
    set_index(root, index_value(other))
    result = build(root)
    assert result.rendered > 40 and result.written == []
    # A row with this site's key but a hash the folder does not hold keeps nothing either.
    value = json.loads(index_value(root))
    rows = value["rows"].split("\n")
    rows = [row[:65] + "0" * 64 + row[129:] for row in rows]
    value["rows"] = "\n".join(rows)
    from digest.render.cache import _checksum

    value["sum"] = _checksum(value["paths"], value["rows"])
    set_index(root, json.dumps(value))
    result = build(root)
    assert result.rendered > 40 and result.written == []
    assert site_files(root / "site") == fresh(root, tmp_path)


def test_a_manifest_listing_paths_outside_the_folder_never_removes_them(tmp_path):
    root = project(tmp_path, articles=4)
    build(root)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    manifest = root / "site" / MANIFEST
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace('"files":{\n', '"files":{\n"../victim.txt":[7,"%s",0],\n' % ("0" * 64), 1),
                        encoding="utf-8")
    path = article(root, 1)
    path.write_text(path.read_text(encoding="utf-8") + "سطر.\n", encoding="utf-8")
    result = build(root)
    assert result.written and "../victim.txt" not in result.removed
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert "victim" not in (root / "site" / MANIFEST).read_text(encoding="utf-8")
