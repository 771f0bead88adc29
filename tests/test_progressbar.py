"""The page bar of a long build: drawn on a real pseudo-terminal, never into a pipe."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
import threading
import time

import pytest
from helpers import write_project

from digest.build import Builder
from digest.commands import progressbar
from digest.commands.console import ConsoleReporter
from digest.config import load_config
from digest.render import pages

PARAGRAPH = "بدأ المزارعون حصاد القمح في الجزيرة وسط توقعات بإنتاج وفير هذا العام. " * 6
ENGLISH = "Farmers began the wheat harvest in the region, expecting a good yield this year. " * 6


def _project(root, articles: int):
    """``articles`` articles, each with a human translation (no model needed)."""
    files = {"digest.toml": '[translation]\nengine = "none"\n'}
    for i in range(articles):
        name = f"content/2026-10-{1 + i % 28:02d}-story-{i}"
        files[f"{name}.md"] = f"---\ntitle: خبر رقم {i}\ntags: [زراعة]\n---\n" + f"{PARAGRAPH}\n\n" * 8
        files[f"{name}.en.md"] = f"---\ntitle: Story {i}\n---\n" + f"{ENGLISH}\n\n" * 8
    return write_project(root, files)


class _Terminal:
    """A pseudo-terminal: the slave end as a text stream, the master end read in a thread
    (its buffer is a few kilobytes: unread, a writer would block)."""

    def __init__(self) -> None:
        master, slave = pty.openpty()
        self.master, self.slave = master, slave
        self.stream = os.fdopen(slave, "w", encoding="utf-8", closefd=False)
        self.data = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # the slave end closed
                return
            if not chunk:
                return
            self.data += chunk

    def close(self) -> str:
        self.stream.flush()
        os.close(self.slave)
        self._reader.join(10)
        os.close(self.master)
        return self.data.decode("utf-8")


def _quick_bar(monkeypatch) -> None:
    # A small site renders in well under the 2 s a bar waits for: draw at once, often.
    monkeypatch.setattr(progressbar, "SHOW_AFTER", 0.0)
    monkeypatch.setattr(progressbar, "LONG", 0.0)
    monkeypatch.setattr(pages, "PROGRESS_EVERY", 0.0)


def test_a_terminal_gets_one_line_redrawn_in_place_and_wiped_at_the_end(tmp_path, monkeypatch):
    _quick_bar(monkeypatch)
    project = _project(tmp_path / "p", 20)
    terminal, out = _Terminal(), io.StringIO()
    Builder(load_config(project, {"site": {"search": False}}), ConsoleReporter(out=out, err=terminal.stream)).build()
    shown = terminal.close()
    assert "\n" not in shown  # nothing printed per page: one line, redrawn
    draws = [d for d in shown.split("\r") if d.startswith("rendering [")]
    assert len(draws) > 5
    done = [int(d.split("] ")[1].split("/")[0]) for d in draws]
    assert done == sorted(done) and all(d.endswith(" left\x1b[K") for d in draws)
    total = int(draws[0].split("/")[1].split(" ")[0])
    assert total >= 60  # 20 articles: a parallel page and two language pages each, and listings
    assert shown.endswith("\r\x1b[K")  # wiped: the summary line follows on a clean line
    assert out.getvalue().startswith("built 20 articles") and "\r" not in out.getvalue()


def test_a_pipe_gets_no_bar(tmp_path, monkeypatch):
    _quick_bar(monkeypatch)
    project = _project(tmp_path / "p", 20)
    read, write = os.pipe()
    err = os.fdopen(write, "w", encoding="utf-8")
    Builder(load_config(project, {"site": {"search": False}}), ConsoleReporter(out=io.StringIO(), err=err)).build()
    err.close()
    with os.fdopen(read, "rb") as pipe:
        assert pipe.read() == b""


def test_quiet_draws_no_bar(tmp_path, monkeypatch):
    _quick_bar(monkeypatch)
    project = _project(tmp_path / "p", 5)
    terminal = _Terminal()
    reporter = ConsoleReporter(out=io.StringIO(), err=terminal.stream, quiet=True)
    Builder(load_config(project, {"site": {"search": False}}), reporter).build()
    assert terminal.close() == ""


def test_time_left_reads_in_minutes_past_a_minute():
    stream = io.StringIO()
    stream.isatty = lambda: True  # type: ignore[method-assign]
    bar = progressbar.PageBar(stream)
    bar.update(100, 1000, 10.0)  # 900 pages at 10 a second
    assert stream.getvalue() == "\rrendering [##                      ] 100/1000 pages, 1 min 30 s left\x1b[K"
    bar.update(1000, 1000, 100.0)
    assert stream.getvalue().endswith("\r\x1b[K") and not bar.shown


def test_a_short_render_draws_nothing():
    stream = io.StringIO()
    stream.isatty = lambda: True  # type: ignore[method-assign]
    bar = progressbar.PageBar(stream)
    bar.update(500, 1000, 0.5)  # not a second yet
    bar.update(900, 1000, 1.2)  # 1.3 s expected in all
    bar.update(1000, 1000, 1.3)
    assert stream.getvalue() == ""


@pytest.mark.slow
def test_digest_build_on_a_terminal_draws_the_bar_and_into_a_pipe_does_not(tmp_path):
    """The real command, with the real thresholds, on a site whose pages take seconds."""
    project = _project(tmp_path / "p", 3000)
    master, slave = pty.openpty()
    seen = bytearray()

    def read() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            seen.extend(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "digest", "build", "--project", str(project), "--no-search",
                           "--workers", "1"],  # one process: seconds of rendering even on an idle machine
                          stdout=subprocess.PIPE, stderr=slave, timeout=600)
    took = time.monotonic() - started
    os.close(slave)
    reader.join(10)
    os.close(master)
    assert done.returncode == 0
    shown = seen.decode("utf-8")
    assert "\rrendering [" in shown and " pages, " in shown, (took, shown[-300:])
    last = shown.rindex("\rrendering [")
    assert "\n" not in shown[:last]  # one line, redrawn
    assert shown.index("\r\x1b[K", last) < shown.find("\n", last) % (len(shown) + 1)  # wiped before any other line
    assert b"\r" not in done.stdout and b"rendering" not in done.stdout
    # The same build with stderr into a pipe: no bar.
    piped = subprocess.run([sys.executable, "-m", "digest", "build", "--project", str(project), "--no-search",
                           "--workers", "1"],  # one process: seconds of rendering even on an idle machine
                           capture_output=True, timeout=600)
    assert piped.returncode == 0 and b"rendering" not in piped.stderr and b"\r" not in piped.stderr
