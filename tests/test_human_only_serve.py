"""``digest serve`` and ``digest watch`` follow ``digest build``'s rule for a site of human
translations: no "no model installed" warning while every article has English; the warning
comes the moment an article without English is added, and a model installed while watching
names the tags at the next rebuild. Real processes in an empty Argos home, their output read
line by line; ``digest serve`` answers on loopback."""

from __future__ import annotations

import http.client
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import REPO
from modelkit import argos_home, argosmodel, digest_cli  # noqa: F401  (fixtures)
from test_human_only import NAMES_NOTE, human_site

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

NO_MODEL = "translation model is installed"
ALONE = "---\ntitle: خبر وحيد\n---\nنص بلا ترجمة.\n"


class Running:
    """``digest COMMAND`` in ``root`` in a subprocess; both streams, line by line."""

    def __init__(self, root: Path, env: dict[str, str], *command: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "digest", *command], cwd=root,
                                     env=env | {"PYTHONPATH": str(REPO)}, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, predicate, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(list(self.lines)):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError("never said:\n" + "\n".join(self.lines[-40:]))
            time.sleep(0.05)

    def builds(self) -> int:
        return sum(line.startswith("built ") for line in self.lines)

    def change(self, write) -> str:
        """Run ``write()``, wait for the rebuild it causes; the lines said since ``write``."""
        start, before = len(self.lines), self.builds()
        write()
        self.wait_for(lambda lines: self.builds() > before)
        time.sleep(0.3)  # the summary of what stands follows the "built" line
        return "\n".join(self.lines[start:])

    def close(self) -> str:
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=30)
        self.reader.join(timeout=10)
        assert self.proc.returncode == 0, "\n".join(self.lines)
        return "\n".join(self.lines)


def test_watch_warns_only_once_an_article_without_english_is_added(tmp_path, argos_home):
    root = human_site(tmp_path / "p")
    watch = Running(root, argos_home, "watch")
    try:
        watch.wait_for(lambda lines: any(line.startswith("watching ") for line in lines))
        first = "\n".join(watch.lines)
        assert "warning:" not in first, first
        alone = watch.change(lambda: (root / "content/2026-11-09-alone.md").write_text(ALONE, encoding="utf-8"))
        edited = watch.change(lambda: (root / "content/2026-11-01-a0.en.md").write_text(
            "---\ntitle: News 0\n---\nStory 0, edited.\n", encoding="utf-8"))
    finally:
        output = watch.close()
    assert "changed: content/2026-11-09-alone.md" in alone and NO_MODEL in alone, output
    assert output.count(NO_MODEL) == 1, output  # said once, then neither repeated nor "resolved"
    # build's quiet note on the Arabic tag names, after the first build only
    assert NAMES_NOTE in first and "glossary.toml" in first and output.count(NAMES_NOTE) == 1, output
    assert "resolved" not in edited, output


def test_watch_uses_a_model_installed_while_it_runs(tmp_path, argos_home, argosmodel):
    root = human_site(tmp_path / "p")
    watch = Running(root, argos_home, "watch")
    try:
        watch.wait_for(lambda lines: any(line.startswith("watching ") for line in lines))
        assert "no machine translation" in "\n".join(watch.lines)
        installed = digest_cli("models", "install", "--file", str(argosmodel), env=argos_home)
        assert installed.returncode == 0, installed.stderr
        after = watch.change(lambda: (root / "content/2026-11-01-a0.en.md").write_text(
            "---\ntitle: News 0\n---\nStory 0, edited.\n", encoding="utf-8"))
    finally:
        output = watch.close()
    assert "translated by" in after and NO_MODEL not in output, output


def _get(url: str, path: str) -> int:
    host, port = re.match(r"http://([^:/]+):(\d+)", url).groups()  # type: ignore[union-attr]
    conn = http.client.HTTPConnection(host, int(port), timeout=20)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_serve_says_nothing_of_a_model_until_a_page_needs_one(tmp_path, argos_home):
    root = human_site(tmp_path / "p")
    serve = Running(root, argos_home, "serve", "--port", "0")
    try:
        serve.wait_for(lambda lines: any(line.startswith("serving ") for line in lines))
        url = re.search(r"serving .* at (http://\S+) ", "\n".join(serve.lines)).group(1)  # type: ignore[union-attr]
        assert _get(url, "/") == 200 and _get(url, "/articles/a0/en/") == 200
        quiet = "\n".join(serve.lines)
        alone = serve.change(lambda: (root / "content/2026-11-09-alone.md").write_text(ALONE, encoding="utf-8"))
        assert _get(url, "/articles/alone/en/") == 200
    finally:
        output = serve.close()
    assert "warning:" not in quiet, output
    assert NO_MODEL in alone and output.count(NO_MODEL) == 1, output
    assert NAMES_NOTE in quiet and output.count(NAMES_NOTE) == 1, output


def test_watch_translates_as_soon_as_a_model_is_installed_without_any_file_changing(tmp_path, argos_home, argosmodel):
    root = human_site(tmp_path / "p", machine=True)
    page = root / "site/articles/alone/en/index.html"
    watch = Running(root, argos_home, "watch")
    try:
        watch.wait_for(lambda lines: any(line.startswith("watching ") for line in lines))
        first = "\n".join(watch.lines)
        pending = page.read_text(encoding="utf-8")
        before = watch.builds()
        installed = digest_cli("models", "install", "--file", str(argosmodel), env=argos_home)
        assert installed.returncode == 0, installed.stderr
        # No content file is touched: the idle check of the package folder starts the rebuild.
        watch.wait_for(lambda lines: watch.builds() > before, timeout=30)
        translated = page.read_text(encoding="utf-8")
    finally:
        output = watch.close()
    assert NO_MODEL in first and "in another terminal: this session rebuilds with it once it is installed" in first
    assert "build again" not in first, first
    assert "a translation model was installed: rebuilding with it" in output
    assert "English translation coming soon" in pending
    assert "English translation coming soon" not in translated, translated
    assert "translated by" in output and watch.builds() == before + 1, output


def test_watch_names_the_tags_as_soon_as_a_model_is_installed(tmp_path, argos_home, argosmodel):
    root = human_site(tmp_path / "p")
    watch = Running(root, argos_home, "watch")
    try:
        watch.wait_for(lambda lines: any(line.startswith("watching ") for line in lines))
        first = "\n".join(watch.lines)
        before = watch.builds()
        installed = digest_cli("models", "install", "--file", str(argosmodel), env=argos_home)
        assert installed.returncode == 0, installed.stderr
        watch.wait_for(lambda lines: watch.builds() > before, timeout=30)
    finally:
        output = watch.close()
    assert NAMES_NOTE in first and "this session rebuilds with it once it is installed" in first, first
    assert "a translation model was installed: rebuilding with it" in output and NO_MODEL not in output, output
