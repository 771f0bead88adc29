"""How the ``digest`` program ends (:func:`digest.cli.program`): with the exit code its
command gave, its output flushed and every exit handler run, but without Python's teardown
of the heap (half a second of a 10,000-article edit build)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, write_project

# A process that runs digest with an object kept to the end, whose finaliser writes a file
# when Python's teardown frees it, and an exit handler registered while the command runs.
SCRIPT = """
import atexit, sys
from pathlib import Path
from digest import cli

class Kept:
    def __del__(self):
        Path({torn!r}).write_text("freed")

KEPT = Kept()
real_main = cli.main

def main():
    atexit.register(lambda: Path({handled!r}).write_text("ran"))
    print("said before the end", end="")  # no newline: only a flush writes it to a pipe
    return real_main()

cli.main = main
sys.argv = ["digest", *{argv!r}]
{call}
"""


def run_digest(tmp_path: Path, argv: list[str], call: str) -> tuple[subprocess.CompletedProcess, bool, bool]:
    torn, handled = tmp_path / "torn-down", tmp_path / "handler-ran"
    for marker in (torn, handled):
        marker.unlink(missing_ok=True)
    code = SCRIPT.format(torn=str(torn), handled=str(handled), argv=argv, call=call)
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, PYTHONPATH=str(REPO)))
    return done, torn.exists(), handled.exists()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path, {"content/2026-11-01-a.md": "---\ntitle: أ\n---\nنص.\n",
                                    "content/2026-11-01-a.en.md": "---\ntitle: A\n---\nText.\n",
                                    "digest.toml": '[translation]\nengine = "none"\n'})


def test_the_program_skips_the_heap_teardown_but_not_the_exit_handlers(project):
    # The control: main() in a process that ends as Python ends it frees the kept object.
    plain, torn, handled = run_digest(project, ["build", "-q"], "sys.exit(cli.main())")
    assert plain.returncode == 0, plain.stderr
    assert torn and handled
    done, torn, handled = run_digest(project, ["build", "-q"], "cli.program()")
    assert done.returncode == 0, done.stderr
    assert not torn, "the program's end freed the heap object by object"
    assert handled, "an exit handler registered by the command did not run"
    assert done.stdout.startswith("said before the end")
    assert (project / "site/index.html").is_file()


@pytest.mark.parametrize(("argv", "code", "said"), [
    (["--version"], 0, "stdout"),
    (["build", "--no-such-option"], 2, "stderr"),
    (["build", "--project", "missing-folder"], 2, "stderr"),
])
def test_the_program_exits_with_the_code_its_command_gave(project, argv, code, said):
    done, _, handled = run_digest(project, argv, "cli.program()")
    assert done.returncode == code, done.stderr
    assert getattr(done, said).strip(), "nothing said"
    assert handled


def test_an_uncaught_exception_still_prints_its_traceback_and_fails(project):
    done, _, _ = run_digest(project, ["build"], "cli.main = lambda: 1 / 0\ncli.program()")
    assert done.returncode == 1
    assert "ZeroDivisionError" in done.stderr


HELD = """
import sys
from digest import buildmemo, cli
from digest.commands import build

freed = []

class Watched(buildmemo.MemoBuilder):
    def __del__(self):
        freed.append(True)

buildmemo.MemoBuilder = Watched  # what the command imports when the memo misses
real_run = build.run

def run(args):
    code = real_run(args)
    print("freed" if freed else "held", "when the command returned")
    return code

build.run = run
sys.argv = ["digest", "build", "-q"]
{call}
"""


@pytest.mark.parametrize(("call", "said"), [("cli.program()", "held"), ("sys.exit(cli.main())", "freed")])
def test_the_programs_build_holds_its_builder_to_the_end_and_main_frees_it(project, call, said):
    done = subprocess.run([sys.executable, "-c", HELD.format(call=call)], cwd=project, capture_output=True,
                          text=True, timeout=120, env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{said} when the command returned"
