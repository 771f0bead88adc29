"""The article pack: a new process takes unchanged files from it, their blocks left in the build
store until something reads them. Real files, real builds by new builders (nothing in memory,
as in a new process)."""

import marshal
import os
import sqlite3
from pathlib import Path

import pytest
from helpers import fresh, site_files
from test_loadkeys import DB, PACK, article, builder, project

from digest.config import load_config
from digest.content.pack import StoredBlocks
from digest.render.feeds import FEED_SIZE


def _stored(result) -> list[StoredBlocks]:
    return [b for e in result.site.entries for b in (e.article.blocks, e.article.human.blocks)
            if type(b) is StoredBlocks]


def _built_again(root: Path, tmp_path: Path, counts: tuple[int, int], text: str, slug: str) -> None:
    """A new builder's build of ``root``: (parsed, unread) files ``counts``, ``text`` on the
    page of ``slug``, the site as a build from nothing makes it."""
    again = builder(root)
    again.build()
    assert (again.articles.parsed, again.articles.unread) == counts
    assert text in (root / f"site/articles/{slug}/index.html").read_text(encoding="utf-8")
    assert site_files(root / "site") == fresh(root, tmp_path)


def test_an_edit_parses_only_that_file_and_loads_no_other_articles_blocks(tmp_path):
    root = project(tmp_path, articles=60)
    builder(root).build()
    assert (root / PACK).is_file()
    path = article(root, 4)
    path.write_text(path.read_text(encoding="utf-8").replace("فقرة ثانية 4", "فقرة معدلة 4"), encoding="utf-8")
    again = builder(root)
    result = again.build()
    assert (again.articles.parsed, again.articles.unread) == (1, 119)
    assert len(_stored(result)) == 119
    # Rendered: the edited article's pages and the listings holding it (whose cards show the
    # start of each article); the feeds show the newest FEED_SIZE. The others stay in the store.
    shown = {id(e) for page in result.site.pages for e in page.context.get("entries", ())
             if any(other.slug == "a4" for other in page.context.get("entries", ()))}
    others = [e for e in result.site.entries[FEED_SIZE:] if id(e) not in shown]
    assert len(others) >= 3
    assert all(e.article.blocks._blocks is None and e.article.human.blocks._blocks is None for e in others)
    assert "فقرة معدلة 4" in (root / "site/articles/a4/index.html").read_text(encoding="utf-8")
    assert site_files(root / "site") == fresh(root, tmp_path)


def test_stored_blocks_are_the_blocks_they_stand_for(tmp_path):
    root = project(tmp_path, articles=3)
    first = builder(root).build()
    path = article(root, 1)
    path.write_text(path.read_text(encoding="utf-8") + "\nفقرة ثالثة.\n", encoding="utf-8")
    loaded, _ = builder(root)._load(load_config(root))  # the load alone: nothing rendered
    parsed = {e.slug: e.article for e in first.site.entries}
    for article_now in loaded:
        if article_now.slug == "a1":
            continue
        blocks = article_now.blocks
        assert type(blocks) is StoredBlocks and len(blocks) == 2 and blocks._blocks is None
        assert blocks == parsed[article_now.slug].blocks and parsed[article_now.slug].blocks == blocks
        assert hash(blocks) == hash(parsed[article_now.slug].blocks)
        assert blocks[0] == parsed[article_now.slug].blocks[0] and list(blocks) == list(parsed[article_now.slug].blocks)
        assert article_now == parsed[article_now.slug]  # the whole article, as parsed
        assert article_now.human.blocks != blocks


def test_blocks_gone_from_the_store_are_read_from_the_file(tmp_path):
    root = project(tmp_path, articles=3)
    first = builder(root).build()
    with sqlite3.connect(root / DB) as db:
        db.execute("DELETE FROM articles")
    result = builder(root).build(write=False)
    assert [e.article.blocks for e in result.site.entries] == [e.article.blocks for e in first.site.entries]
    assert [e.article.human.blocks for e in result.site.entries] == [
        e.article.human.blocks for e in first.site.entries]


def _rewrite(path: Path, change) -> None:
    data = path.read_bytes()
    path.write_bytes(change(data))


def _rows(change_row):
    """A pack whose rows are changed by ``change_row`` (its checksum made right again)."""
    import hashlib

    def change(data: bytes) -> bytes:
        head = data.index(b"\n", data.index(b"\n") + 1) + 1  # magic, key
        body = marshal.loads(data[head + 65:])
        body = {name: change_row(row) for name, row in body.items()}
        raw = marshal.dumps(body)
        return data[:head] + hashlib.sha256(raw).hexdigest().encode() + b"\n" + raw
    return change


@pytest.mark.parametrize("damage", [
    lambda data: data[: len(data) // 2],  # truncated
    lambda data: data[:-10] + bytes(10),  # altered: the checksum does not match
    lambda data: data.replace(b"digest article pack", b"digest article pick"),  # not a pack
    lambda data: data[:20] + b"0" * 64 + data[84:],  # another version's or settings'
    _rows(lambda row: row[:6] + (7,) + row[7:]),  # a title that is not text, checksum right
    _rows(lambda row: row[:-1] + ([3, ("x",), (1,), None, None],)),  # extras of other types
    _rows(lambda row: row[:-2]),  # a row of another length
    lambda data: b"",
])
def test_a_damaged_or_foreign_pack_is_not_used_and_the_site_is_right(tmp_path, damage):
    root = project(tmp_path)
    builder(root).build()
    path = article(root, 2)
    path.write_text(path.read_text(encoding="utf-8").replace("رقم 2", "رقم 22"), encoding="utf-8")
    _rewrite(root / PACK, damage)
    again = builder(root)
    result = again.build()
    assert result.problems == []
    assert again.articles.parsed == 1  # the others from the store, as without a pack
    assert "نص الخبر رقم 22." in (root / "site/articles/a2/index.html").read_text(encoding="utf-8")
    assert site_files(root / "site") == fresh(root, tmp_path)
    assert builder(root).build(write=False).site.entries  # the pack written again is whole


def test_a_file_of_the_same_size_with_a_new_mtime_is_not_taken_from_the_pack(tmp_path):
    root = project(tmp_path)
    builder(root).build()
    path = article(root, 3)
    before = os.stat(path)
    path.write_text(path.read_text(encoding="utf-8").replace("رقم 3", "رقم 8"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    assert os.stat(path).st_size == before.st_size and os.stat(path).st_ino == before.st_ino
    _built_again(root, tmp_path, (1, 23), "نص الخبر رقم 8.", "a3")


def test_a_pack_left_half_written_by_a_killed_build_is_swept_and_the_last_one_used(tmp_path):
    root = project(tmp_path, articles=3)
    builder(root).build()
    stale = root / PACK.parent / ".articles.pack.x1.tmp"
    stale.write_bytes(b"half a pack")
    os.utime(stale, (1, 1))
    path = article(root, 0)
    path.write_text(path.read_text(encoding="utf-8") + "\nفقرة.\n", encoding="utf-8")
    again = builder(root)
    again.build()
    assert again.articles.unread == 5 and not stale.exists()


OVERLAY = PACK.with_name("articles.pack.overlay")


def _edit(root: Path, n: int, old: str, new: str) -> Path:
    path = article(root, n)
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return path


def test_an_edit_build_writes_its_rows_beside_the_pack_and_the_next_process_reads_them(tmp_path):
    root = project(tmp_path)
    builder(root).build()
    pack = (root / PACK).read_bytes()
    _edit(root, 5, "رقم 5", "رقم 55")
    builder(root).build()
    assert (root / PACK).read_bytes() == pack and (root / OVERLAY).is_file()  # one row, not 24
    _built_again(root, tmp_path, (0, 24), "نص الخبر رقم 55.", "a5")


def test_a_serve_sessions_edits_reach_the_next_process_through_the_pack_written_when_it_ends(tmp_path):
    from digest.serve.project import Project

    root = project(tmp_path)
    builder(root).build()  # the pack the session starts from
    session = Project(load_config(root), translator=None)
    assert session.rebuild().ok
    written = {p.name: p.read_bytes() for p in (root / PACK).parent.glob("articles.pack*")}
    for n in (1, 2):
        path = _edit(root, n, f"رقم {n}.", f"رقم {n} بعد التعديل.")
        assert session.rebuild(changed=frozenset({str(path)})).ok
    # A rebuild in the session writes no pack: it is written once, when the session ends.
    assert {p.name: p.read_bytes() for p in (root / PACK).parent.glob("articles.pack*")} == written
    session.close()
    assert (root / OVERLAY).is_file()
    again = builder(root)
    result = again.build(write=False)
    assert (again.articles.parsed, again.articles.unread) == (0, 24)
    texts = {e.slug: e.article.blocks[0].texts[0] for e in result.site.entries}
    assert texts["a1"] == "نص الخبر رقم 1 بعد التعديل." and texts["a2"] == "نص الخبر رقم 2 بعد التعديل."


@pytest.mark.parametrize("damage", [
    lambda data: data[: len(data) // 2],  # truncated
    lambda data: data[:-3] + b"xyz",  # altered: the checksum does not match
    lambda data: data.replace(b"overlay", b"overlaz", 1),  # not an overlay
    lambda data: data[:data.index(b"\n", 40) + 1] + b"0" * 64 + data[data.index(b"\n", 40) + 65:],  # over another pack
    lambda data: b"",
])
def test_a_corrupt_overlay_is_ignored_and_the_edited_file_read(tmp_path, damage):
    root = project(tmp_path)
    builder(root).build()
    _edit(root, 6, "رقم 6", "رقم 66")
    builder(root).build()
    _rewrite(root / OVERLAY, damage)
    again = builder(root)
    result = again.build()
    assert result.problems == [] and again.articles.parsed == 0  # its stamp and parse from the store
    assert "نص الخبر رقم 66." in (root / "site/articles/a6/index.html").read_text(encoding="utf-8")
    assert site_files(root / "site") == fresh(root, tmp_path)


def test_a_file_of_the_same_size_with_a_new_mtime_is_not_taken_from_the_overlay(tmp_path):
    root = project(tmp_path)
    builder(root).build()
    path = _edit(root, 7, "رقم 7", "رقم 8")
    builder(root).build()  # its row in the overlay
    before = os.stat(path)
    _edit(root, 7, "رقم 8", "رقم 9")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    assert os.stat(path).st_size == before.st_size and os.stat(path).st_ino == before.st_ino
    again = builder(root)
    again.build()
    assert (again.articles.parsed, again.articles.unread) == (1, 23)
    assert "نص الخبر رقم 9." in (root / "site/articles/a7/index.html").read_text(encoding="utf-8")


def test_many_changed_rows_fold_the_overlay_into_a_new_pack(tmp_path, monkeypatch):
    import digest.content.pack as packmod

    monkeypatch.setattr(packmod, "FOLD_ROWS", 2)  # a pack of 24 rows: more than 3 changed fold
    root = project(tmp_path)
    builder(root).build()
    pack = (root / PACK).read_bytes()
    _edit(root, 1, "رقم 1", "رقم 11")
    builder(root).build()
    assert (root / PACK).read_bytes() == pack and (root / OVERLAY).is_file()
    for n in (2, 3, 4):
        _edit(root, n, f"رقم {n}", f"رقم {n}{n}")
    builder(root).build()
    assert (root / PACK).read_bytes() != pack and not (root / OVERLAY).exists()
    again = builder(root)
    again.build(write=False)
    assert (again.articles.parsed, again.articles.unread) == (0, 24)


def test_a_listing_cards_summary_follows_its_articles_edit_in_a_new_process(tmp_path):
    root = project(tmp_path)
    builder(root).build()
    cards = [p for p in (root / "site").rglob("*.html") if "articles" not in p.parts
             and "نص الخبر رقم 4." in p.read_text(encoding="utf-8")]
    assert cards  # its card on the listings: the start of its text
    _edit(root, 4, "نص الخبر رقم 4.", "نص معدل للخبر الرابع.")
    builder(root).build()
    for page in cards:
        html = page.read_text(encoding="utf-8")
        assert "نص معدل للخبر الرابع." in html and "نص الخبر رقم 4." not in html
    assert site_files(root / "site") == fresh(root, tmp_path)


def test_the_pack_is_written_once_a_load_whenever_the_build_writes_it(tmp_path, monkeypatch):
    from digest.build import Builder
    from digest.content.cache import ArticleCache
    from digest.render.search import executable

    if executable() is None:
        pytest.skip("Pagefind is not installed")
    saved: list[int] = []
    real = ArticleCache.save_pack

    def counted(self, *args, **kwargs):
        saved.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ArticleCache, "save_pack", counted)
    root = project(tmp_path)
    session = builder(root)
    session.build()  # written while Pagefind indexed, not again at the end
    session.close()
    assert len(saved) == 1
    _edit(root, 5, "رقم 5", "رقم 55")
    session.build()  # a new load: its pack
    assert len(saved) == 2
    _edit(root, 6, "رقم 6", "رقم 66")
    lean = Builder(load_config(root), translator=None, lean=True)
    lean.build()  # written before the render only
    lean.close()
    assert len(saved) == 3
    _built_again(root, tmp_path, (0, 24), "نص الخبر رقم 66.", "a6")
