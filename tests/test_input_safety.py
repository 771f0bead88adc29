"""Input that must not leak or hang: symbolic links out of content/, FIFOs, sockets, devices,
oversized files, unreadable folders, and file names that would forge terminal lines.

Everything here is real: links, FIFOs and sockets made with os calls, ``digest build`` run as
a subprocess under a timeout (a regression hangs or eats memory there, not in the test run).
"""

from __future__ import annotations

import ctypes
import http.client
import json
import os
import re
import resource
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from helpers import FakeTranslator, write_project

from digest.build import Builder
from digest.commands.console import ConsoleReporter
from digest.config import ConfigError, load_config
from digest.events import RecordingReporter
from digest.serve.preview import Preview
from digest.serve.project import Project
from digest.text import printable

pytestmark = pytest.mark.timeout(120)

GOOD = "---\ntitle: خبر جيد\ndate: 2026-11-01\n---\n\nنص الخبر الجيد.\n"
OTHER = "---\ntitle: خبر آخر\ndate: 2026-11-02\n---\n\nنص خبر آخر.\n"
SECRET = "root:x:0:0:SECRET-PASSWORD-LINE:/root:/bin/bash"


def run_build(root: Path, timeout: float = 60, **kw) -> subprocess.CompletedProcess:
    """``digest build`` in ``root``; its address space is capped so a file read without end
    fails the subprocess instead of the machine."""
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        if kw.get("drop"):
            kw["drop"]()

    env = dict(os.environ, HOME=str(root))
    return subprocess.run([sys.executable, "-m", "digest", "build"], cwd=root, env=env, capture_output=True,
                          text=True, timeout=timeout, preexec_fn=cap)


def site_text(root: Path) -> str:
    return "\n".join(p.read_text("utf-8", "replace") for p in (root / "site").rglob("*") if p.is_file())


def errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


@pytest.mark.slow
def test_a_link_inside_content_is_followed_and_a_link_out_is_refused_by_name(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-good.md": GOOD, "content/.store/2026-11-02-kept.md": OTHER,
                             "outside/passwd.txt": SECRET + "\n",
                             "outside/good.en.md": f"---\ntitle: leaked\n---\n\n{SECRET}\n"})
    content = tmp_path / "content"
    (content / "linked.md").symlink_to(content / ".store/2026-11-02-kept.md")
    (content / "passwd.txt").symlink_to(tmp_path / "outside/passwd.txt")
    (content / "2026-11-01-good.en.md").symlink_to(tmp_path / "outside/good.en.md")
    (content / "latest").symlink_to(".store", target_is_directory=True)
    (content / "elsewhere").symlink_to(tmp_path / "outside", target_is_directory=True)
    reporter = RecordingReporter()
    result = Builder(load_config(tmp_path), reporter, translator=FakeTranslator()).build()
    problems = {p.paths[0].name: p.message for p in reporter.of("problem")}
    assert set(problems) == {"passwd.txt", "elsewhere", "2026-11-01-good.en.md"}
    assert "outside the content folder" in problems["passwd.txt"]
    assert "outside the content folder" in problems["elsewhere"]
    assert "outside the content folder" in problems["2026-11-01-good.en.md"]
    # The linked file and the file inside the linked folder are both followed.
    assert {e.article.path.name for e in result.site.entries} == {"2026-11-01-good.md", "linked.md",
                                                                 "2026-11-02-kept.md"}
    assert "SECRET-PASSWORD-LINE" not in site_text(tmp_path)


@pytest.mark.slow
def test_a_folder_link_to_its_parent_does_not_loop_or_list_a_file_twice(tmp_path):
    write_project(tmp_path, {"content/sub/2026-11-01-good.md": GOOD})
    (tmp_path / "content/sub/up").symlink_to("..", target_is_directory=True)
    (tmp_path / "content/again").symlink_to("sub", target_is_directory=True)
    reporter = RecordingReporter()
    result = Builder(load_config(tmp_path), reporter, translator=FakeTranslator()).build(write=False)
    assert reporter.of("problem") == []
    assert [e.article.path for e in result.site.entries] == [tmp_path / "content/sub/2026-11-01-good.md"]


@pytest.mark.slow
def test_a_link_to_dev_zero_is_refused_quickly(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-good.md": GOOD})
    (tmp_path / "content/zero.txt").symlink_to("/dev/zero")
    done = run_build(tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    (line,) = errors(done.stderr)
    assert line.startswith("error: content/zero.txt: ") and "/dev/zero" in line
    assert (tmp_path / "site/articles/good/ar/index.html").is_file()


@pytest.mark.slow
def test_a_fifo_in_content_is_refused_and_the_build_finishes(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-good.md": GOOD})
    os.mkfifo(tmp_path / "content/2026-11-02-pipe.md")
    done = run_build(tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    assert errors(done.stderr) == ["error: content/2026-11-02-pipe.md: is a named pipe (FIFO), not a regular "
                                   "file: not read"]
    assert (tmp_path / "site/articles/good/ar/index.html").is_file()


def _rebuild_within(builder: Builder, seconds: float = 30):
    """``builder.build()`` in a thread; fails instead of hanging the test run."""
    out: dict = {}
    worker = threading.Thread(target=lambda: out.update(result=builder.build()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "the rebuild hangs"
    return out["result"]


@pytest.mark.slow
def test_a_rebuild_keeps_the_last_good_version_when_a_fifo_takes_a_files_place(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-good.md": GOOD, "content/2026-11-02-other.md": OTHER})
    reporter = RecordingReporter()
    builder = Builder(load_config(tmp_path), reporter, translator=FakeTranslator(), keep_last_good=True)
    builder.build()
    other = tmp_path / "content/2026-11-02-other.md"
    other.unlink()
    os.mkfifo(other)
    os.mkfifo(tmp_path / "content/2026-11-03-new.md")
    result = _rebuild_within(builder)
    messages = {p.paths[0].name: p.message for p in result.problems}
    assert set(messages) == {"2026-11-02-other.md", "2026-11-03-new.md"}
    assert "named pipe" in messages["2026-11-02-other.md"] and "last good version" in messages["2026-11-02-other.md"]
    assert {e.article.slug for e in result.site.entries} == {"good", "other"}
    assert "نص خبر آخر" in (tmp_path / "site/articles/other/ar/index.html").read_text("utf-8")


@pytest.mark.slow
def test_a_socket_is_refused_by_name(tmp_path, monkeypatch):
    write_project(tmp_path, {"content/2026-11-01-good.md": GOOD})
    monkeypatch.chdir(tmp_path / "content")  # a socket's path must be short
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind("2026-11-02-sock.md")
        reporter = RecordingReporter()
        result = Builder(load_config(tmp_path), reporter, translator=FakeTranslator()).build(write=False)
    (problem,) = reporter.of("problem")
    assert problem.paths[0].name == "2026-11-02-sock.md" and "is a socket, not a regular file" in problem.message
    assert [e.article.slug for e in result.site.entries] == ["good"]


@pytest.mark.slow
def test_a_file_over_the_configured_limit_is_refused_and_one_at_it_is_read(tmp_path):
    body = "---\ntitle: حد\n---\n\n"
    at_limit = body + "ن" * ((1000 - len(body.encode())) // 2)
    at_limit += "." * (1000 - len(at_limit.encode()))
    write_project(tmp_path, {"digest.toml": "[text]\nmax_file_bytes = 1000\n",
                             "content/2026-11-01-at.md": at_limit, "content/2026-11-02-over.md": at_limit + "x"})
    assert (tmp_path / "content/2026-11-01-at.md").stat().st_size == 1000
    reporter = RecordingReporter()
    result = Builder(load_config(tmp_path), reporter, translator=FakeTranslator()).build(write=False)
    (problem,) = reporter.of("problem")
    assert problem.paths[0].name == "2026-11-02-over.md"
    assert problem.message.startswith("is 1001 bytes, over the limit of 1000 (text.max_file_bytes")
    assert [e.article.path.name for e in result.site.entries] == ["2026-11-01-at.md"]


def test_the_size_limit_must_be_a_positive_integer(tmp_path):
    write_project(tmp_path, {"digest.toml": "[text]\nmax_file_bytes = 0\n"})
    with pytest.raises(ConfigError, match=r"text\.max_file_bytes: must be at least 1"):
        load_config(tmp_path)
    write_project(tmp_path, {"digest.toml": '[text]\nmax_file_bytes = "10MB"\n'})
    with pytest.raises(ConfigError, match=r"text\.max_file_bytes: expected an integer"):
        load_config(tmp_path)
    assert load_config(tmp_path / "none").text.max_file_bytes == 10_000_000


def _drop_root_file_access():
    """Take from root the two capabilities that let it read any folder (CAP_DAC_OVERRIDE,
    CAP_DAC_READ_SEARCH): dropped from the bounding set before exec, the new program runs
    as root without them, and a chmod 000 folder stops it as it stops anyone."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


PR_CAPBSET_DROP = 24


@pytest.mark.slow
def test_an_unreadable_folder_is_reported_by_name(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-good.md": GOOD, "content/locked/2026-11-02-hidden.md": OTHER})
    locked = tmp_path / "content/locked"
    locked.chmod(0o000)
    try:
        done = run_build(tmp_path, drop=_drop_root_file_access if os.geteuid() == 0 else None)
    finally:
        locked.chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert errors(done.stderr) == ["error: content/locked: folder cannot be read: Permission denied; "
                                   "its articles are left out"]
    assert (tmp_path / "site/articles/good/ar/index.html").is_file()
    assert not (tmp_path / "site/articles/hidden").exists()


KEEP_WHAT_WAS_READ = """
import os, sys
from digest.build import Builder
from digest.config import load_config
builder = Builder(load_config(sys.argv[1]), translator=None, keep_last_good=True)
builder.build()
os.chmod(os.path.join(sys.argv[1], "content", "locked"), 0)
result = builder.build()
print(*sorted(e.slug for e in result.site.entries))
for problem in result.problems:
    print(problem)
"""


@pytest.mark.slow
def test_a_folder_that_turns_unreadable_keeps_its_articles_in_a_long_session(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-good.md": GOOD, "content/locked/2026-11-02-hidden.md": OTHER})
    try:
        done = subprocess.run([sys.executable, "-c", KEEP_WHAT_WAS_READ, str(tmp_path)], capture_output=True,
                              text=True, timeout=60,
                              preexec_fn=_drop_root_file_access if os.geteuid() == 0 else None)
    finally:
        (tmp_path / "content/locked").chmod(0o755)
    assert done.returncode == 0, done.stderr
    slugs, *problems = done.stdout.splitlines()
    assert slugs == "good hidden"
    assert sorted(problems) == [
        f"{tmp_path}/content/locked/2026-11-02-hidden.md: cannot be read: Permission denied (its last good "
        "version is still shown)",
        f"{tmp_path}/content/locked: folder cannot be read: Permission denied; its articles are left out"]


EVIL = "2026-11-02-x\nerror: forged.md: pwned \x1b[31mred\u202e.md"


@pytest.mark.slow
def test_a_file_name_with_a_newline_and_an_escape_prints_escaped_on_one_line(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-good.md": GOOD, f"content/{EVIL}": "---\ntitle: [\n---\n"})
    done = run_build(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stderr and "\u202e" not in done.stderr
    (line,) = [line for line in done.stderr.splitlines() if "forged" in line]
    assert line.startswith("error: content/2026-11-02-x\\nerror: forged.md: pwned \\x1b[31mred\\u202e.md: ")
    assert len(errors(done.stderr)) == 1


def test_console_reporter_escapes_warnings_and_info_too(tmp_path):
    out, err = (tmp_path / "out").open("w+"), (tmp_path / "err").open("w+")
    reporter = ConsoleReporter(out=out, err=err)
    reporter.warning(f"content/{EVIL}: no date")
    reporter.info(f"watching {EVIL}")
    out.seek(0), err.seek(0)
    assert err.read().count("\n") == 1 and out.read().count("\n") == 1
    assert printable("tab\there\r\x00\x9b ok عربي") == "tab\\there\\r\\x00\\x9b ok عربي"


@pytest.mark.slow
def test_the_browser_overlay_shows_the_name_escaped(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-good.md": GOOD, f"content/{EVIL}": "---\ntitle: [\n---\n"})
    project = Project(load_config(tmp_path), translator=FakeTranslator())
    preview = Preview(tmp_path / "site", project.rebuild, "127.0.0.1", 0).start()
    try:
        preview.rebuild()
        conn = http.client.HTTPConnection(*preview.httpd.server_address[:2], timeout=20)
        conn.request("GET", "/__digest__/state")
        state = json.loads(conn.getresponse().read())
        conn.close()
    finally:
        preview.close()
    (error,) = state["errors"]
    assert error["file"] == "content/2026-11-02-x\\nerror: forged.md: pwned \\x1b[31mred\\u202e.md"
    assert not re.search("[\x00-\x1f\u202e]", error["file"] + error["reason"])
