"""Search switched off: ``[site] search = false`` or ``--no-search`` for one run."""

import subprocess
import sys

import pytest
from helpers import write_project

from digest.config import load_config
from digest.errors import ConfigError
from digest.render import search

ARTICLE = "---\ntitle: عنوان الخبر\ndate: 2026-11-01\n---\nنص الخبر.\n"


def _build(project, *flags):
    done = subprocess.run([sys.executable, "-m", "digest", "build", "--project", str(project), *flags],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    return project / "site"


def _no_search_anywhere(out):
    assert not (out / "pagefind").exists()
    assert not (out / "ar/search").exists() and not (out / "en/search").exists()
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "quick-search" not in html and "/search/" not in html, page
    assert (out / "articles").is_dir() and (out / "feed.xml").is_file()


@pytest.mark.slow
def test_no_search_flag_removes_the_index_and_search_pages_a_previous_build_made(tmp_path):
    project = write_project(tmp_path / "p", {"content/2026-11-01-a.md": ARTICLE,
                                             "digest.toml": '[translation]\nengine = "none"\n'})
    out = _build(project)
    assert (out / "ar/search/index.html").is_file()
    if search.executable() is not None:
        assert (out / "pagefind").is_dir()
    _no_search_anywhere(_build(project, "--no-search"))
    assert (_build(project) / "ar/search/index.html").is_file()  # the flag lasts one run


@pytest.mark.slow
def test_search_false_in_digest_toml(tmp_path):
    project = write_project(tmp_path / "p", {"content/2026-11-01-a.md": ARTICLE,
                                             "digest.toml": '[site]\nsearch = false\n[translation]\nengine = "none"\n'})
    _no_search_anywhere(_build(project))


def test_search_must_be_a_boolean(tmp_path):
    (tmp_path / "digest.toml").write_text('[site]\nsearch = "no"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="site.search: expected true or false"):
        load_config(tmp_path)
    assert load_config(tmp_path / "none", {"site": {"search": False}}).site.search is False
