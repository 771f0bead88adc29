import json
import os
import subprocess
import sys
from pathlib import Path, PurePath

import pytest
from helpers import REPO, write_project

from digest.build import Builder
from digest.config import load_config
from digest.errors import OutputError, ThemeError
from digest.output import OutputFolder, write_site
from digest.output.guard import MANIFEST, Places, State, refusals


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


# --- Which output folders are refused (issue 10, section 1) ---------------------------------

PLACES = Places(root=PurePath("/p"), content=PurePath("/p/content"), themes=PurePath("/p/themes"),
                cache=PurePath("/p/.digest-cache"), home=PurePath("/home/me"))


@pytest.mark.parametrize("out, why", [
    ("/", "file system root"), ("/p", "project folder"), ("/", "project folder"), ("/home", "home folder"),
    ("/home/me", "home folder"), ("/p/content", "content folder"), ("/p/content/site", "content folder"),
    ("/p/themes/default", "themes folder"), ("/p/.digest-cache", "translation cache"),
    ("/p/.digest-cache/x", "translation cache"),
])
def test_refusals_name_the_reason(out, why):
    assert any(why in reason for reason in refusals(PurePath(out), PLACES, State()))


@pytest.mark.parametrize("out", ["/p/site", "/p/public/www", "/srv/www", "/home/me/site", "/p/contents"])
def test_refusals_allow_ordinary_folders(out):
    assert refusals(PurePath(out), PLACES, State()) == []
    assert refusals(PurePath(out), PLACES, State(exists=True, entries=3, marked=True)) == []


def test_refusals_of_the_folder_itself():
    site = PurePath("/p/site")
    assert "symbolic link" in refusals(site, PLACES, State(is_symlink=True, exists=True))[0]
    assert "not a folder" in refusals(site, PLACES, State(exists=True, is_dir=False))[0]
    unmarked = refusals(site, PLACES, State(exists=True, entries=2))
    assert len(unmarked) == 1 and "--force-output" in unmarked[0] and MANIFEST in unmarked[0]
    assert refusals(site, PLACES, State(exists=True, entries=2), force=True) == []
    # --force-output never lifts the refusals of places.
    assert refusals(PurePath("/p/content"), PLACES, State(exists=True, entries=2), force=True)


def digest_run(*args, cwd=None, env=None):
    env = dict(os.environ, PYTHONPATH=str(REPO), **(env or {}))
    return subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder``: file bytes, or the target of a symlink."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            out[rel] = f"-> {os.readlink(path)}" if path.is_symlink() else (
                "<dir>" if path.is_dir() else path.read_bytes())
    return out


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    write_project(root, {"content/a.md": "---\ntitle: أ\n---\nنص.\n", "digest.toml": '[translation]\nengine = "none"\n',
                         "notes/todo.txt": "keep me", ".digest-cache/marker": "cache", "themes/x/marker": "theme"})
    return root


@pytest.mark.parametrize("output", ["content", ".", ".digest-cache", "themes", "content/site"])
def test_outputs_inside_the_project_that_would_lose_files_are_refused(project, output):
    before = snapshot(project)
    result = digest_run("build", "--project", str(project), "--output", output)
    assert result.returncode == 1, result.stderr
    assert "error: refusing to write the site into" in result.stderr
    assert snapshot(project) == before


def test_a_home_folder_is_refused(project, tmp_path):
    home = tmp_path / "home"
    write_project(home, {"Documents/letter.txt": "dear", ".ssh/id_rsa": "secret", ".digest-manifest.json": "{}"})
    before = snapshot(home)
    result = digest_run("build", "--project", str(project), "--output", str(home), env={"HOME": str(home)})
    assert result.returncode == 1 and "home folder" in result.stderr
    assert snapshot(home) == before and not (tmp_path / ".home.digest").exists()


def test_the_root_folder_is_refused_before_anything_is_touched(project):
    result = digest_run("build", "--project", str(project), "--output", "/", "--force-output")
    assert result.returncode == 1 and "file system root" in result.stderr


def test_a_symlinked_output_folder_is_refused(project, tmp_path):
    elsewhere = write_project(tmp_path / "elsewhere", {"precious.txt": "mine", MANIFEST: "{}"})
    (project / "site").symlink_to(elsewhere)
    result = digest_run("build", "--project", str(project))
    assert result.returncode == 1 and "symbolic link" in result.stderr
    assert snapshot(elsewhere) == {"precious.txt": b"mine", MANIFEST: b"{}"}


@pytest.mark.parametrize("where", ["../elsewhere", "ABSOLUTE", "site/../../elsewhere"])
def test_a_config_output_outside_the_project_is_a_config_error(project, tmp_path, where):
    elsewhere = write_project(tmp_path / "elsewhere", {"precious.txt": "mine"})
    where = str(elsewhere) if where == "ABSOLUTE" else where
    (project / "digest.toml").write_text(f'[translation]\nengine = "none"\n[paths]\noutput = "{where}"\n')
    result = digest_run("build", "--project", str(project))
    assert result.returncode == 2 and "paths.output" in result.stderr and "outside the project" in result.stderr
    assert snapshot(elsewhere) == {"precious.txt": b"mine"}
    # Given on the command line, a folder outside the project is fine (it is empty of others' files).
    other = tmp_path / "public"
    assert digest_run("build", "--project", str(project), "--output", str(other)).returncode == 0
    assert (other / "articles/a/index.html").is_file() and (other / MANIFEST).is_file()


def test_an_unmarked_folder_is_refused_and_force_output_keeps_its_files(project):
    site = write_project(project / "site", {"index.html": "old", "CNAME": "example.org", "old/page.html": "x"})
    before = snapshot(site)
    result = digest_run("build", "--project", str(project))
    assert result.returncode == 1 and "--force-output" in result.stderr and "delete" in result.stderr
    assert snapshot(site) == before
    forced = digest_run("build", "--project", str(project), "--force-output")
    assert forced.returncode == 0, forced.stderr
    assert (site / "CNAME").read_text() == "example.org" and (site / "old/page.html").read_text() == "x"
    assert b"<html" in (site / "index.html").read_bytes()  # digest writes its own index
    assert (site / "articles/a/index.html").is_file()
    assert json.loads((site / MANIFEST).read_bytes())["format"] == "digest-site"


def test_foreign_files_in_a_marked_site_are_kept_and_reported_once(project):
    assert digest_run("build", "--project", str(project)).returncode == 0
    site = project / "site"
    write_project(site, {"CNAME": "example.org", ".git/config": "[core]", "docs/extra.pdf": b"%PDF"})
    (site / "latest").symlink_to("index.html")
    write_project(project, {"content/b.md": "---\ntitle: ب\n---\nنص.\n"})
    (project / "content/a.md").unlink()
    first = digest_run("build", "--project", str(project))
    assert first.returncode == 0, first.stderr
    said = [line for line in first.stdout.splitlines() if "did not write" in line]
    assert len(said) == 1 and all(name in said[0] for name in ("CNAME", ".git", "docs", "latest"))
    assert (site / "CNAME").read_text() == "example.org" and (site / ".git/config").read_text() == "[core]"
    assert (site / "docs/extra.pdf").read_bytes() == b"%PDF" and os.readlink(site / "latest") == "index.html"
    assert not (site / "articles/a").exists() and (site / "articles/b/index.html").is_file()
    again = digest_run("build", "--project", str(project))
    assert again.returncode == 0 and "did not write" not in again.stdout
    assert (site / "CNAME").read_text() == "example.org"


def test_a_session_lists_each_page_it_adds_so_a_later_build_may_remove_it(tmp_path):
    out = tmp_path / "site"
    session = OutputFolder(out)
    session.write({"index.html": b"a"})
    session.write({"index.html": b"a", "new.html": b"n"})  # an edit in serve: written in place
    listed = json.loads((out / MANIFEST).read_bytes())["files"]
    assert sorted(listed) == ["index.html", "new.html"] and listed["new.html"][1]
    (out / "CNAME").write_text("example.org")
    result = OutputFolder(out).write({"index.html": b"a"})  # a later digest build
    assert result.removed == ["new.html"] and result.foreign == ["CNAME"]
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "CNAME", "index.html"]
    assert sorted(p.name for p in (tmp_path / ".site.digest").iterdir()) == ["lock"]
