"""The spool is one flat folder: no folder per page to make in the workers and to remove
after the write; the staged site still gets every page at its path."""

from __future__ import annotations

from digest.output.stage import stage_site
from digest.render.spool import SPOOL, Spool, spooled_name


def test_spooled_names_are_flat_and_distinct():
    names = [spooled_name(rel) for rel in ("a/b/index.html", "a%2Fb/index.html", "a/b%2Findex.html", "index.html")]
    assert len(set(names)) == len(names)
    assert all("/" not in name for name in names)


def test_spooled_pages_land_at_their_paths_and_leave_no_spool(tmp_path):
    work, out = tmp_path / ".site.digest", tmp_path / "site"
    (work / SPOOL).mkdir(parents=True)
    spool = Spool(work / SPOOL, lambda rel: True)
    pages = {"index.html": b"home", "articles/a1/ar/index.html": "مقال".encode(), "tags/50%/index.html": b"tag"}
    files = {rel: spool.put(rel, data) for rel, data in pages.items()}
    assert not [p for p in (work / SPOOL).iterdir() if p.is_dir()]
    written, removed, _, _ = stage_site(files, out, work)
    assert sorted(written) == sorted(pages) and removed == []
    assert {rel: (out / rel).read_bytes() for rel in pages} == pages
    assert not (work / SPOOL).exists()
