"""Streamed builds (issue 14): pages go to a spool in the work area as they render, in the
render workers, and the write moves them in. Real builds, real subprocesses, real kill -9s;
no model (every article has a human translation)."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import REPO
from test_atomic import assert_whole, make_project, site_files

from digest.build import Builder
from digest.config import load_config
from digest.render.kept import Spooled

pytestmark = pytest.mark.slow
ENV = dict(os.environ, PYTHONPATH=str(REPO))
ARTICLES = 120


def command(root: Path, workers: int, output: str = "site") -> list[str]:
    return [sys.executable, "-m", "digest", "build", "--project", str(root), "--output", str(root / output),
            "--workers", str(workers)]


def run(root: Path, workers: int, output: str = "site") -> None:
    done = subprocess.run(command(root, workers, output), env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def test_streamed_pages_are_the_bytes_a_build_holding_them_writes(tmp_path):
    make_project(tmp_path, 0, ARTICLES)
    held = Builder(load_config(tmp_path, {"paths": {"output": str(tmp_path / "held")}}), translator=None).build()
    assert not any(isinstance(data, Spooled) for data in held.files.values())
    streamed = Builder(load_config(tmp_path, {"paths": {"output": str(tmp_path / "streamed")}}), translator=None, stream=True).build()
    spooled = [rel for rel, data in streamed.files.items() if isinstance(data, Spooled)]
    assert len(spooled) > 2 * ARTICLES  # every article page at least went through the spool
    for workers in (1, 2):
        run(tmp_path, workers, f"w{workers}")
    expected = site_files(tmp_path / "held")
    for output in ("streamed", "w1", "w2"):
        assert site_files(tmp_path / output) == expected, output
        # The spool is gone once the site is written.
        assert sorted(p.name for p in (tmp_path / f".{output}.digest").iterdir()) == ["lock"]


def test_one_edit_in_a_new_process_is_written_in_place_from_the_spool(tmp_path):
    make_project(tmp_path, 0, ARTICLES)
    run(tmp_path, 2)
    site = tmp_path / "site"
    before = os.stat(site).st_ino
    untouched = tmp_path / "site" / "articles" / "a7" / "ar" / "index.html"
    stamp = os.stat(untouched).st_mtime_ns
    page = next((tmp_path / "content").glob("*-a3.md"))
    page.write_text(page.read_text(encoding="utf-8") + "\nفقرة مضافة.\n", encoding="utf-8")
    run(tmp_path, 2)
    assert os.stat(site).st_ino == before  # replaced file by file, not staged and swapped
    assert os.stat(untouched).st_mtime_ns == stamp
    assert "فقرة مضافة." in (site / "articles" / "a3" / "ar" / "index.html").read_text(encoding="utf-8")
    run(tmp_path, 2, "fresh")
    assert site_files(site) == site_files(tmp_path / "fresh")


def test_a_streamed_build_killed_while_pages_are_spooled_leaves_the_last_good_site(tmp_path):
    versions = {}
    for version in (0, 1):
        make_project(tmp_path, version, ARTICLES)
        run(tmp_path, 2, f"v{version}")
        versions[version] = site_files(tmp_path / f"v{version}")
    make_project(tmp_path, 0, ARTICLES)
    run(tmp_path, 2)
    site, spool = tmp_path / "site", tmp_path / ".site.digest" / "spool"
    current = assert_whole(site, versions)
    rng = random.Random(17)
    for _ in range(5):
        make_project(tmp_path, 1 - current, ARTICLES)
        proc = subprocess.Popen(command(tmp_path, 2), env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while not spool.is_dir() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert proc.poll() is None, "the build ended before its spool was seen"
        time.sleep(rng.uniform(0, 0.5))  # pages rendering, or the write moving them in
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        current = assert_whole(site, versions)
    make_project(tmp_path, 1 - current, ARTICLES)
    run(tmp_path, 2)
    assert assert_whole(site, versions) == 1 - current
    assert sorted(p.name for p in (tmp_path / ".site.digest").iterdir()) == ["lock"]


def test_a_build_failing_after_its_pages_are_spooled_leaves_no_spool(tmp_path):
    make_project(tmp_path, 0, 20)
    run(tmp_path, 1)
    before = site_files(tmp_path / "site")
    # A static folder where a page must be a file: the pages render into the spool, then
    # the write refuses the file map (one path would have to be a file and a folder).
    clash = tmp_path / "static" / "articles" / "a1" / "ar" / "index.html"
    clash.mkdir(parents=True)
    (clash / "extra.txt").write_text("x\n", encoding="utf-8")
    for workers in (1, 2):
        done = subprocess.run(command(tmp_path, workers), env=ENV, capture_output=True, text=True, timeout=300)
        assert done.returncode != 0 and "need it to be a folder" in done.stderr, done.stderr
        assert sorted(p.name for p in (tmp_path / ".site.digest").iterdir()) == ["lock"]
        assert site_files(tmp_path / "site") == before


def test_the_next_build_clears_a_stale_spool_even_when_nothing_changed(tmp_path):
    make_project(tmp_path, 0, 20)
    run(tmp_path, 1)
    # What a build killed while rendering leaves (killed for real in the test above).
    stale = tmp_path / ".site.digest" / "spool" / "articles" / "a1" / "ar"
    stale.mkdir(parents=True)
    (stale / "index.html").write_bytes(b"half a page")
    done = subprocess.run(command(tmp_path, 1), env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "nothing changed" in done.stdout, done.stdout + done.stderr
    assert sorted(p.name for p in (tmp_path / ".site.digest").iterdir()) == ["lock"]
