"""What a person sees of translation: progress lines, the summary, a fast ``digest --help``."""

from __future__ import annotations

import io
import subprocess
import sys

from helpers import REPO

from digest.commands.console import ConsoleReporter


def test_progress_is_plain_lines_when_not_a_terminal():
    out = io.StringIO()
    reporter = ConsoleReporter(out=out)
    reporter.progress(10, 100, 1.0)
    reporter.progress(20, 100, 2.0)  # within 5 s of the last line: not printed
    reporter.progress(100, 100, 10.0)
    lines = out.getvalue().splitlines()
    assert lines == ["translating: 10/100 sentences, 10.0/s, 9 s left",
                     "translating: 100/100 sentences, 10.0/s, 0 s left"]


def test_progress_is_one_redrawn_bar_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    out = Tty()
    reporter = ConsoleReporter(out=out)
    reporter.progress(50, 100, 5.0)
    reporter.progress(100, 100, 10.0)
    text = out.getvalue()
    assert text.startswith("\r[############            ] translating: 50/100")
    assert text.endswith("0 s left\n") and text.count("\n") == 1


def test_help_does_not_import_the_translation_stack():
    code = ("import sys; from digest.cli import make_parser; make_parser().format_help(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('argostranslate', 'ctranslate2', 'torch', 'sentencepiece')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
