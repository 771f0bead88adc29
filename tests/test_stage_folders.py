"""The staged site makes each folder once (a 10,000-article site has 20,000-odd of them)."""

import os

from digest.output.stage import stage_site


def test_each_folder_of_the_stage_is_made_once(tmp_path, monkeypatch):
    files = {"index.html": b"home", "a/b/c/index.html": b"c", "a/b/c/feed.xml": b"f", "a/b/d/index.html": b"d",
             "a/e/index.html": b"e", "z/index.html": b"z"}
    made = []
    real = os.mkdir

    def counting(path, *args, **kwargs):  # the real mkdir, counted
        made.append(str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", counting)
    (tmp_path / "work").mkdir()
    written, removed, _, _ = stage_site(files, tmp_path / "site", tmp_path / "work")
    monkeypatch.undo()
    folders = sorted(p.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site").rglob("*") if p.is_dir())
    assert folders == ["a", "a/b", "a/b/c", "a/b/d", "a/e", "z"]
    staged = [p for p in made if "/stage/" in p]
    assert len(staged) == len(set(staged)) == len(folders), made
    assert sorted(written) == sorted(files) and removed == []
    assert all((tmp_path / "site" / rel).read_bytes() == data for rel, data in files.items())
