"""What ``digest watch`` prints on a rebuild: the files that changed, a warning only when it
is new, a count of those still standing, and what was resolved. Real ``digest watch``
processes on real files; the rules themselves on a :class:`Standing` fed real events."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import REPO, write_project

from digest.content.articles import Problem
from digest.events import RecordingReporter
from digest.serve.standing import Standing, name_list

pytestmark = [pytest.mark.timeout(120)]


def article(title: str, body: str, date: str | None = "2026-11-01") -> str:
    dated = f"date: {date}\n" if date else ""
    return f"---\ntitle: {title}\n{dated}tags: [أخبار]\n---\n{body}\n"


class Watching:
    """``digest watch`` on ``root`` in a subprocess; its output, both streams, line by line."""

    def __init__(self, root: Path) -> None:
        # A decoy home and model folder, empty: no translation model is installed.
        decoy = root.parent / "home"
        env = dict(os.environ, PYTHONPATH=str(REPO), HOME=str(decoy), ARGOS_PACKAGES_DIR=str(decoy / "argos"),
                   XDG_DATA_HOME=str(decoy / "d"), XDG_CONFIG_HOME=str(decoy / "c"), XDG_CACHE_HOME=str(decoy / "k"))
        self.proc = subprocess.Popen([sys.executable, "-m", "digest", "watch", "--project", str(root)],
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, predicate, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self.lines):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError("digest watch never said it:\n" + "\n".join(self.lines[-40:]))
            time.sleep(0.05)

    def builds(self) -> int:
        return sum(line.startswith("built ") for line in self.lines)

    def edit(self, path: Path, text: str) -> None:
        """Write ``text`` to ``path`` and wait until the rebuild it causes is reported."""
        before = self.builds()
        path.write_text(text, encoding="utf-8")
        self.wait_for(lambda lines: self.builds() > before)
        time.sleep(0.3)  # the summary follows the "built" line

    def close(self) -> str:
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=30)
        self.reader.join(timeout=10)
        return "\n".join(self.lines)


@pytest.fixture
def project(tmp_path):
    tmp_path = tmp_path / "project"
    write_project(tmp_path, {
        "digest.toml": "[site]\ntitle_ar = \"موجز\"\n",
        "content/2026-11-01-alpha.md": article("ألفا", "نص المقال الأول."),
        "content/2026-11-02-beta.md": article("بيتا", "نص المقال الثاني.", "2026-11-02"),
        "content/gamma.md": article("غاما", "مقال بلا تاريخ.", None),
    })
    return tmp_path


def test_an_undated_warning_is_said_once_counted_while_it_stands_and_resolved(project):
    watch = Watching(project)
    try:
        watch.wait_for(lambda lines: any(line.startswith("watching ") for line in lines))
        for n in range(3):
            watch.edit(project / "content/2026-11-01-alpha.md", article("ألفا", f"تعديل رقم {n}."))
        watch.edit(project / "content/gamma.md", article("غاما", "صار له تاريخ.", "2026-11-03"))
    finally:
        output = watch.close()
    lines = output.splitlines()
    undated = [line for line in lines if line.startswith("warning: ") and "gamma.md: no date" in line]
    assert len(undated) == 1, output
    assert sum("translation model is installed" in line for line in lines) == 1, output
    assert lines.count("changed: content/2026-11-01-alpha.md") == 3, output
    assert lines.count("1 warning still standing (shown before)") == 3, output
    assert "changed: content/gamma.md" in lines, output
    after = lines[lines.index("changed: content/gamma.md"):]
    assert "1 warning resolved" in after, output
    assert any(line.startswith("resolved: ") and "gamma.md: no date" in line for line in after), output
    assert not any("still standing" in line for line in after), output


def test_a_file_error_is_repeated_only_when_its_file_changed(project):
    broken = project / "content/2026-11-04-broken.md"
    broken.write_text("---\ntitle: [غير مغلق\n---\nنص.\n", encoding="utf-8")
    watch = Watching(project)
    try:
        watch.wait_for(lambda lines: any(line.startswith("watching ") for line in lines))
        watch.edit(project / "content/2026-11-01-alpha.md", article("ألفا", "تعديل."))
        watch.edit(broken, "---\ntitle: [ما زال غير مغلق\n---\nنص.\n")
    finally:
        output = watch.close()
    lines = output.splitlines()
    errors = [i for i, line in enumerate(lines) if line.startswith("error: ") and "broken.md" in line]
    assert len(errors) == 2, output
    # Held back when another file changed, said again once its own file did.
    assert "1 file error and 1 warning still standing (shown before)" in lines, output
    assert errors[1] > lines.index("changed: content/2026-11-04-broken.md"), output


def test_changed_names_are_escaped_and_a_long_list_is_shortened(project):
    watch = Watching(project)
    try:
        watch.wait_for(lambda lines: any(line.startswith("watching ") for line in lines))
        before = watch.builds()
        # One batch: the files are written well within the watcher's quiet moment.
        for n in range(12):
            (project / f"content/2026-11-{10 + n}-many.md").write_text(article(f"م{n}", "نص."), encoding="utf-8")
        watch.wait_for(lambda lines: watch.builds() > before)
        watch.edit(project / "content/2026-11-30-odd\x1bname.md", article("غريب", "نص."))
    finally:
        output = watch.close()
    lines = output.splitlines()
    assert "\x1b" not in output
    assert "changed: content/2026-11-30-odd\\x1bname.md" in lines, output
    shortened = [line for line in lines if line.startswith("changed: ") and re.search(r" and \d+ more$", line)]
    assert shortened, output
    assert shortened[0].startswith("changed: content/2026-11-10-many.md, content/2026-11-11-many.md, "), output


def _problem(root: Path, name: str, message: str) -> Problem:
    return Problem((root / name,), message)


def test_the_rules_on_real_events(tmp_path):
    inner = RecordingReporter()
    standing = Standing(inner, tmp_path)
    standing.warning("before any rebuild")  # outside a round: always passed on
    standing.begin(None)
    standing.warning("undated")
    standing.problem(_problem(tmp_path, "content/bad.md", "line 2: broken"))
    standing.end()
    standing.announce(["content/other.md"])
    standing.begin(["content/other.md"])
    standing.warning("undated")
    standing.warning("new one")
    standing.problem(_problem(tmp_path, "content/bad.md", "line 2: broken"))
    standing.end()
    standing.announce(["content"])
    standing.begin(["content"])  # a folder: everything in it changed
    standing.problem(_problem(tmp_path, "content/bad.md", "line 2: broken"))
    standing.warning("new one")
    standing.end()
    warnings = inner.of("warning")
    assert warnings == ["before any rebuild", "undated", "new one"]
    assert len(inner.of("problem")) == 2
    infos = inner.of("info")
    assert infos == ["changed: content/other.md", "1 file error and 1 warning still standing (shown before)",
                     "changed: content", "1 warning still standing (shown before); 1 warning resolved",
                     "resolved: undated"]


def test_a_build_that_stopped_halfway_resolves_nothing(tmp_path):
    inner = RecordingReporter()
    standing = Standing(inner, tmp_path)
    standing.begin(None)
    standing.warning("undated")
    standing.end()
    standing.begin(["digest.toml"])
    standing.end(ok=False)  # stopped before it got to the undated article
    standing.begin(["content/x.md"])
    standing.warning("undated")
    standing.end()
    assert inner.of("warning") == ["undated"]
    assert not any("resolved" in line for line in inner.of("info"))
    assert inner.of("info")[-1] == "1 warning still standing (shown before)"


def test_a_warning_said_by_one_rebuild_only_is_not_claimed_resolved(tmp_path):
    """Some warnings are said once, as a thing happens (a translation cut off when made):
    the next rebuild's silence is no news. One said again is held back, by the rule."""
    inner = RecordingReporter()
    standing = Standing(inner, tmp_path)
    for said in (["cut off"], [], ["cut off"], ["cut off"], []):
        standing.begin(["content/x.md"])
        for message in said:
            standing.warning(message)
        standing.end()
    assert inner.of("warning") == ["cut off", "cut off"]
    assert inner.of("info") == ["1 warning still standing (shown before)", "1 warning resolved",
                                "resolved: cut off"]


def test_name_list_shortens():
    assert name_list(["a", "b"]) == "a, b"
    assert name_list([str(n) for n in range(8)], 3) == "0, 1, 2 and 5 more"
