"""What a new process trusts of the last build: a content file by its stamp (the build store's
stamp -> text hash memo), a page by a key made of its inputs' hashes. Real files, real builds
by new builders (nothing in memory, as in a new process)."""

import os
import sqlite3
from pathlib import Path

from helpers import fresh, site_files
from test_buildcache import project as buildcache_project

from digest.build import Builder
from digest.config import load_config
from digest.content.cache import reading_key
from digest.content.stamps import STAMPS, stamp_key, stamp_of
from digest.render.pagekeys import Fingerprints, page_key

DB = Path(".digest-cache/build/build.sqlite3")
PACK = Path(".digest-cache/build/articles.pack")


def project(root: Path, articles: int = 12) -> Path:
    return buildcache_project(root, articles, extra="page_size = 4\n")


def builder(root: Path) -> Builder:
    return Builder(load_config(root), translator=None)


def article(root: Path, n: int) -> Path:
    return next((root / "content").glob(f"*-a{n}.md"))


def test_unchanged_files_are_not_read_by_a_new_builder(tmp_path):
    root = project(tmp_path)
    builder(root).build()
    again = builder(root)
    again.build(write=False)
    # 24 files, none read: each known by its stamp.
    assert (again.articles.parsed, again.articles.unread) == (0, 24)
    stamps = sqlite3.connect(root / DB).execute(f"SELECT count(*) FROM {STAMPS}").fetchone()[0]
    assert stamps == 24


def test_a_file_of_the_same_size_with_a_new_mtime_is_read_again(tmp_path):
    root = project(tmp_path)
    builder(root).build()
    path = article(root, 3)
    before = os.stat(path)
    text = path.read_text(encoding="utf-8").replace("رقم 3", "رقم 8")  # same size in bytes
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    assert os.stat(path).st_size == before.st_size and os.stat(path).st_ino == before.st_ino
    builder(root).build()
    assert "نص الخبر رقم 8." in (root / "site/articles/a3/index.html").read_text(encoding="utf-8")
    assert site_files(root / "site") == fresh(root, tmp_path)


def test_a_file_replaced_by_other_bytes_is_parsed_again_even_with_the_old_size_and_mtime(tmp_path):
    root = project(tmp_path)
    builder(root).build()
    path = article(root, 5)
    before = os.stat(path)
    other = path.with_name("replacement.tmp")
    other.write_text(path.read_text(encoding="utf-8").replace("رقم 5", "رقم 9"), encoding="utf-8")
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(other, path)  # a new inode: the stamp differs though size and mtime do not
    assert (os.stat(path).st_size, os.stat(path).st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    again = builder(root)
    result = again.build()
    assert (again.articles.parsed, again.articles.unread) == (1, 23)
    assert "نص الخبر رقم 9." in (root / "site/articles/a5/index.html").read_text(encoding="utf-8")
    assert "articles/a5/index.html" in result.written
    assert site_files(root / "site") == fresh(root, tmp_path)


def test_a_corrupt_or_foreign_stamp_entry_is_ignored_and_the_file_read(tmp_path):
    root = project(tmp_path)
    builder(root).build()
    before = {name: key_on_disk(root, name) for name in ("a2", "a6")}
    with sqlite3.connect(root / DB) as db:
        older = dict(db.execute(f"SELECT key, value FROM {STAMPS}").fetchall())
    for n in (2, 6):
        path = article(root, n)
        path.write_text(path.read_text(encoding="utf-8").replace(f"رقم {n}", f"رقم {n}{n}"), encoding="utf-8")
    builder(root).build()  # records the stamps of the new texts
    with sqlite3.connect(root / DB) as db:
        rows = db.execute(f"SELECT key, value FROM {STAMPS} ORDER BY key").fetchall()
        values = [v for _, v in rows]
        # Every entry now names another file's text, or is not a hash at all...
        db.executemany(f"UPDATE {STAMPS} SET value = ? WHERE key = ?",
                       [(values[(i + 1) % len(rows)] if i % 2 else '"not a hash"', k)
                        for i, (k, _) in enumerate(rows)])
        db.execute(f"UPDATE {STAMPS} SET value = '[1, 2]' WHERE rowid % 5 = 0")
        # ...and the two edited files' entries hold their older texts' hashes, whose parsed
        # articles are still in the store: the case a bare hash could not tell apart.
        for name in ("a2", "a6"):
            db.execute(f"UPDATE {STAMPS} SET value = ? WHERE key = ?", (older[before[name]], key_on_disk(root, name)))
    (root / PACK).unlink()  # else the article pack answers before the stamp entries are asked
    again = builder(root)
    result = again.build()
    assert (again.articles.parsed, again.articles.unread) == (0, 0)  # all read, found in the store by text hash
    assert result.problems == [] and result.written == []
    assert "نص الخبر رقم 66." in (root / "site/articles/a6/index.html").read_text(encoding="utf-8")
    assert "نص الخبر رقم 22." in (root / "site/articles/a2/index.html").read_text(encoding="utf-8")
    assert site_files(root / "site") == fresh(root, tmp_path)


def key_on_disk(root: Path, name: str) -> str:
    """The stamp table's key for article ``name`` as it stands on disk now."""
    config = load_config(root)
    path = article(root, int(name[1:]))
    return stamp_key("article", reading_key(config), str(path), stamp_of(os.lstat(path)))


def _showing(page, slug: str) -> bool:
    context = page.context
    entry = context.get("entry")
    return (entry is not None and entry.slug == slug) or any(e.slug == slug for e in context.get("entries", ()))


def test_an_edit_renders_again_that_articles_pages_and_the_listings_showing_it_and_nothing_else(tmp_path):
    root = project(tmp_path, articles=20)
    first = builder(root).build()

    def keys(site) -> dict[str, str | None]:
        prints = Fingerprints()
        return {page.path: page_key(prints, "shared", "template", page) for page in site.pages}

    before = keys(first.site)
    path = article(root, 7)
    path.write_text(path.read_text(encoding="utf-8").replace("فقرة ثانية 7", "فقرة ثانية معدلة 7"),
                    encoding="utf-8")
    result = builder(root).build()
    after = keys(result.site)
    assert before.keys() == after.keys() and None not in after.values()
    changed = {p for p in after if after[p] != before[p]}
    showing = {page.path for page in result.site.pages if _showing(page, "a7")}
    assert changed == showing
    # Its own three pages, and the home, index, tag and month pages holding it in each language;
    # neither the list of tags nor the list of months (their counts are the same).
    templates = [page.template for page in result.site.pages if page.path in showing]
    assert sorted(templates) == ["archive.html"] * 2 + ["article.html"] * 2 + ["home.html"] + ["index.html"] * 2 + [
        "parallel.html"] + ["tag.html"] * 2
    assert result.rendered == len(showing)
    assert site_files(root / "site") == fresh(root, tmp_path)


def test_the_record_names_translations_by_their_resolved_paths_through_links(tmp_path):
    root = project(tmp_path, articles=2)
    content = root / "content"
    (content / "real").mkdir()
    (content / "real/2026-03-03-b.md").write_text("---\ntitle: ب\n---\nنص ب.\n", encoding="utf-8")
    (content / "real/2026-03-03-b.en.md").write_text("---\ntitle: B\n---\nText b.\n", encoding="utf-8")
    (content / "zlink").symlink_to("real", target_is_directory=True)  # listed once: as real/
    (content / "other").mkdir()
    (content / "other/c.en.txt").write_text("---\ntitle: C\n---\nText c.\n", encoding="utf-8")
    (content / "2026-04-04-c.md").write_text("---\ntitle: ج\n---\nنص ج.\n", encoding="utf-8")
    (content / "2026-04-04-c.en.md").symlink_to("other/c.en.txt")
    builder(root).build()
    names = [line.split(" ", 2)[2] for line in (root / "translated-from.txt").read_text(encoding="utf-8").splitlines()
             if not line.startswith("#")]
    assert "real/2026-03-03-b.en.md" in names and "other/c.en.txt" in names
    assert "2026-04-04-c.en.md" not in names and not any(n.startswith("zlink/") for n in names)
