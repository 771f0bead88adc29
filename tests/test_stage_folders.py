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


def test_a_manifest_line_is_the_json_of_its_path_and_entry():
    import json

    from digest.output.stage import manifest_line

    for rel in ("index.html", "tags/اقتصاد/index.html", 'a "quoted" \\ name\t.html', "emoji-😀/index.html"):
        for item in ([12, "ab" * 32, 1764748800123456789], [0, "", 0], [3, None, 5]):
            expected = f"{json.dumps(rel, ensure_ascii=False)}:[{item[0]},{json.dumps(item[1])},{item[2]}]"
            assert manifest_line(rel, item) == expected
            assert json.loads("{" + manifest_line(rel, item) + "}") == {rel: item}


def test_a_second_stage_links_the_unchanged_files_and_writes_the_changed(tmp_path):
    (tmp_path / "work").mkdir()
    first = {"index.html": b"home", "a/b/index.html": b"b", "a/c/index.html": b"c"}
    stage_site(first, tmp_path / "site", tmp_path / "work")
    before = {rel: (tmp_path / "site" / rel).stat().st_ino for rel in first}
    written, removed, _, lines = stage_site({"index.html": b"home", "a/b/index.html": b"B", "d/index.html": b"d"},
                                            tmp_path / "site", tmp_path / "work")
    assert sorted(written) == ["a/b/index.html", "d/index.html"] and removed == ["a/c/index.html"]
    assert (tmp_path / "site" / "index.html").stat().st_ino == before["index.html"]  # linked, not written
    assert (tmp_path / "site" / "a" / "b" / "index.html").read_bytes() == b"B"
    assert not (tmp_path / "site" / "a" / "c").exists() and sorted(lines) == ["a/b/index.html", "d/index.html", "index.html"]
