"""The site is switched whole (issue 10, section 5): real kill -9s, two real builds at once,
a real write error. No model: every article has a human translation."""

import fcntl
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import REPO, site_files, write_project

MANIFEST = ".digest-manifest.json"
ARTICLES = 300


def make_project(root: Path, version: int, articles: int = ARTICLES) -> Path:
    """A project whose every page differs between versions 0 and 1 (version 1 has one
    article more, so an index may link to a page only the new site has)."""
    files = {"digest.toml": '[translation]\nengine = "none"\n'}
    for i in range(articles + version):
        day = f"2026-{i % 12 + 1:02d}-{i % 28 + 1:02d}"
        files[f"content/{day}-a{i}.md"] = (f"---\ntitle: خبر {i} نسخة {version}\ntags: [وسم{i % 7}]\n---\n"
                                           f"نص الخبر رقم {i} في النسخة {version}.\n")
        files[f"content/{day}-a{i}.en.md"] = f"---\ntitle: News {i} v{version}\n---\nStory {i}, version {version}.\n"
    if version == 0:
        (root / "content").mkdir(parents=True, exist_ok=True)
        for path in (root / "content").glob("*"):
            path.unlink()
    return write_project(root, files)


def start_build(root: Path, **options) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-m", "digest", "build", "--project", str(root)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **options)


def build(root: Path) -> subprocess.CompletedProcess:
    proc = start_build(root)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def assert_whole(site: Path, versions: dict[int, dict[str, bytes]]) -> int:
    """``site`` is exactly one of ``versions``, with a manifest listing just its files and
    nothing temporary inside; return which version it is."""
    files = site_files(site)
    matches = [v for v, expected in versions.items() if files == expected]
    leftovers = [p for p in files if ".digest-" in p or p.endswith(".tmp")]
    assert not leftovers, leftovers
    assert len(matches) == 1, f"a mixed site: {len(files)} files"
    manifest = json.loads((site / MANIFEST).read_bytes())
    assert sorted(manifest["files"]) == sorted(files)
    return matches[0]


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """The complete sites of versions 0 and 1, each built once without interruption."""
    root = tmp_path_factory.mktemp("versions")
    sites = {}
    for version in (0, 1):
        make_project(root, version)
        build(root)
        sites[version] = site_files(root / "site")
    assert sites[0] != sites[1]
    return sites


def test_a_build_killed_at_any_moment_leaves_the_old_site_or_the_new_one(tmp_path, versions):
    make_project(tmp_path, 0)
    build(tmp_path)
    site = tmp_path / "site"
    started = time.monotonic()
    make_project(tmp_path, 1)
    build(tmp_path)
    whole = time.monotonic() - started  # one full build, for the range of kill moments
    rng = random.Random(1000)
    current = assert_whole(site, versions)
    for _ in range(10):
        make_project(tmp_path, 1 - current)
        proc = start_build(tmp_path)
        time.sleep(rng.uniform(0.2, whole * 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        current = assert_whole(site, versions)
        assert not list(tmp_path.glob("site/**/*.tmp"))
    # A good build afterwards removes whatever the killed ones left in the work area.
    make_project(tmp_path, 1 - current)
    build(tmp_path)
    assert assert_whole(site, versions) == 1 - current
    assert sorted(p.name for p in (tmp_path / ".site.digest").iterdir()) == ["lock"]
    # The build cache (.digest-cache) and translated-from.txt (the record of its human
    # translation's Arabic, project data) are the only other things a build leaves there.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".digest-cache", ".site.digest", "content", "digest.toml",
                                                          "site", "translated-from.txt"]


def test_a_second_build_waits_for_the_first_and_then_builds(tmp_path):
    make_project(tmp_path, 0, articles=20)
    build(tmp_path)
    make_project(tmp_path, 1, articles=20)
    # This test process holds the lock as a first build would; the build must wait for it.
    fd = os.open(tmp_path / ".site.digest/lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        proc = start_build(tmp_path)
        line = proc.stdout.readline()
        assert "waiting" in line and "another digest build" in line
        time.sleep(0.5)
        assert proc.poll() is None
        assert not (tmp_path / "site/articles/a20").exists()
    finally:
        os.close(fd)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "waiting" not in out  # said once
    assert (tmp_path / "site/articles/a20/index.html").is_file()


def test_two_builds_at_once_both_finish_with_a_whole_site(tmp_path):
    make_project(tmp_path, 0, articles=60)
    build(tmp_path)
    make_project(tmp_path, 1, articles=60)
    procs = [start_build(tmp_path) for _ in range(2)]
    results = [proc.communicate(timeout=300) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], results
    assert (tmp_path / "site/articles/a60/index.html").is_file()
    assert sorted(p.name for p in (tmp_path / ".site.digest").iterdir()) == ["lock"]


def _limit_file_size():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))


def test_a_write_error_is_one_line_and_keeps_the_old_site(tmp_path):
    make_project(tmp_path, 0, articles=20)
    build(tmp_path)
    site = tmp_path / "site"
    before = site_files(site)
    manifest = (site / MANIFEST).read_bytes()
    write_project(tmp_path, {"content/2026-05-05-long.md": "---\ntitle: طويل\n---\n" + "نص طويل جدا. " * 4000,
                             "content/2026-05-05-long.en.md": "---\ntitle: Long\n---\nLong.\n"})
    proc = start_build(tmp_path, preexec_fn=_limit_file_size)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 1
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err
    assert f"cannot write {site}/" in errors[0] and errors[0].endswith(": File too large")
    assert site_files(site) == before and (site / MANIFEST).read_bytes() == manifest
    assert sorted(p.name for p in (tmp_path / ".site.digest").iterdir()) == ["lock"]
