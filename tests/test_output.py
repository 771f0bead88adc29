import pytest
from helpers import write_project

from digest.build import Builder
from digest.config import load_config
from digest.errors import OutputError, ThemeError
from digest.output import write_site


def test_writes_only_changes_and_prunes(tmp_path):
    out = tmp_path / "site"
    first = write_site({"index.html": b"a", "x/index.html": b"b", "y/z.css": b"c"}, out)
    assert sorted(first.written) == ["index.html", "x/index.html", "y/z.css"]
    (out / "CNAME").write_text("example.org")
    mtime = (out / "index.html").stat().st_mtime_ns
    second = write_site({"index.html": b"a", "x/index.html": b"B"}, out)
    assert second.written == ["x/index.html"] and second.unchanged == 1
    assert second.removed == ["y/z.css"]
    assert not (out / "y").exists()
    assert (out / "index.html").stat().st_mtime_ns == mtime
    assert (out / "CNAME").exists()  # a host's file the user put there stays


@pytest.mark.parametrize("bad", ["../evil.html", "/etc/x", "a/../../b", "a\\b", "", "a//b", "./a", "C:/x"])
def test_paths_escaping_the_output_are_refused_before_writing(tmp_path, bad):
    out = tmp_path / "site"
    with pytest.raises(OutputError):
        write_site({"ok.html": b"x", bad: b"evil"}, out)
    assert not (out / "ok.html").exists()
    assert not (tmp_path / "evil.html").exists()


def test_symlinked_folder_cannot_carry_writes_outside(tmp_path):
    out = tmp_path / "site"
    outside = tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (out / "link").symlink_to(outside)
    with pytest.raises(OutputError):
        write_site({"link/x.html": b"evil"}, out)
    assert not (outside / "x.html").exists()


@pytest.mark.slow
def test_removed_article_disappears_and_failed_build_keeps_last_site(tmp_path):
    write_project(tmp_path, {"content/a.md": "---\ntitle: أ\n---\nنص.\n", "content/b.md": "---\ntitle: ب\n---\nنص.\n"})
    config = load_config(tmp_path)
    Builder(config, translator=None).build()
    out = tmp_path / "site"
    assert (out / "articles/b/index.html").exists()
    (tmp_path / "content/b.md").unlink()
    Builder(config, translator=None).build()
    assert not (out / "articles/b").exists()
    assert "articles/b/" not in (out / "sitemap.xml").read_text()
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    write_project(tmp_path, {"content/c.md": "---\ntitle: ج\n---\nنص.\n",
                             "themes/broken/templates/parallel.html": "{% for %}"})
    broken = load_config(tmp_path, {"site": {"theme": "broken"}})
    with pytest.raises(ThemeError, match="parallel.html"):
        Builder(broken, translator=None).build()
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
