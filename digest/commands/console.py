"""The reporter for a person at a terminal: what ``digest build``, ``watch`` and ``serve`` print."""

from __future__ import annotations

import sys
from typing import TextIO

from ..buildresult import BuildResult
from ..config import Config
from ..events import Event, FileProblem, Finish, Info, Progress, Reporter, Warn
from ..invocation import command
from ..text import printable
from ..translate.glossary import FILE_NAME
from . import said
from .progressbar import PageBar


class ConsoleReporter(Reporter):
    """Prints events for a person at a terminal (errors and warnings to stderr), each on
    one line with its control characters escaped (see :func:`printable`)."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None, quiet: bool = False) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.quiet = quiet
        self.problems = 0
        self.warnings = 0
        self.bar = PageBar(self.err)

    def emit(self, event: Event) -> None:
        """Print ``event`` (a :class:`~digest.events.Start` prints nothing)."""
        if isinstance(event, FileProblem):
            self._problem(event.problem)
        elif isinstance(event, Warn):
            self._warning(event.message)
        elif isinstance(event, Info):
            self._info(event.message)
        elif isinstance(event, Progress) and event.unit == "pages":
            if not self.quiet:
                self.bar.update(event.done, event.total, event.seconds)
        elif isinstance(event, Progress):
            self._progress(event.done, event.total, event.seconds)
        elif isinstance(event, Finish):
            # Only a build (digest.build) finishes here; its summary needs all of BuildResult.
            assert isinstance(event.result, BuildResult)
            self._finish(event.result)

    def notes(self, config: Config, result: BuildResult | None, live: bool = False) -> None:
        """Print the :func:`site_notes` of ``result`` (if a build made one) unless quiet."""
        if self.quiet or result is None:
            return
        self.bar.clear()
        for note in site_notes(config, result, live):
            print(f"note: {said(note)}", file=self.err, flush=True)

    def _problem(self, problem):
        self.bar.clear()
        self.problems += 1
        print(f"error: {printable(said(str(problem)))}", file=self.err, flush=True)

    def _warning(self, message):
        self.bar.clear()
        self.warnings += 1
        print(f"warning: {printable(said(message))}", file=self.err, flush=True)

    def _info(self, message):
        if not self.quiet:
            self.bar.clear()
            print(printable(said(message)), file=self.out, flush=True)

    def _progress(self, done, total, seconds):
        if self.quiet:
            return
        rate = done / seconds if seconds > 0 else 0.0
        left = (total - done) / rate if rate else 0.0
        line = f"translating: {done}/{total} sentences, {rate:.1f}/s, {left:.0f} s left"
        if getattr(self.out, "isatty", lambda: False)():
            width = 24
            bar = "#" * (width * done // max(total, 1))
            end = "\n" if done >= total else ""
            print(f"\r[{bar:<{width}}] {line}", end=end, file=self.out, flush=True)
        elif done >= total or seconds - getattr(self, "_last_line", -10.0) >= 5:
            self._last_line = seconds if done < total else -10.0  # the next build starts afresh
            print(line, file=self.out, flush=True)

    def _finish(self, result: BuildResult) -> None:
        if self.quiet:
            return
        stats = result.stats
        pages = sum(1 for p in result.files if p.endswith(".html"))
        articles = result.articles
        translated = (f"{stats.unique} unique texts translated by {result.translator}"
                      if stats.calls else "no machine translation")
        if stats.calls and getattr(stats, "sentences", 0):
            translated += (f": {stats.sentences} sentences, {stats.cache_hits} from the cache, "
                           f"{stats.model_calls} model calls in {stats.model_seconds:.1f} s"
                           f"{f', {stats.failed} failed' if stats.failed else ''}")
        print(
            f"built {articles} articles, {pages} pages in {result.seconds:.2f} s "
            f"({len(result.written)} files written, {len(result.removed)} removed, {translated}"
            f"{f', {len(result.problems)} file(s) with errors' if result.problems else ''}"
            f"{_drafts(result.drafts_left_out)})",
            file=self.out, flush=True,
        )


def _drafts(left_out: int) -> str:
    if not left_out:
        return ""
    them = "them" if left_out > 1 else "it"
    return f", {left_out} draft{'s' if left_out > 1 else ''} left out (--drafts includes {them})"


def site_notes(config: Config, result: BuildResult, live: bool = False) -> list[str]:
    """What a person should know about the site ``result`` built, beyond its warnings: an
    empty content folder, translations waiting for a model, names shown untranslated.
    ``digest build`` prints them after every build, ``watch`` and ``serve`` (``live``: they
    rebuild by themselves once a model is installed) after their first."""
    then = " in another terminal: this session rebuilds with it once it is installed" if live else ", and build again"
    notes = []
    articles = result.articles
    if not articles and not result.problems and not result.drafts_left_out:
        notes.append(f"{config.content_dir} holds no articles yet: add a Markdown (.md) or text (.txt) "
                     f"file there, or run `{command('new', 'DIR')}` for a sample project to start from.")
    if result.translator is None and result.stats.segments:
        src, tgt = config.site.source_language, config.site.target_language
        install = f"`{command('models', 'install', src, tgt)}`"
        if result.stats.segments > result.stats.labels:
            notes.append(f"translations are pending; run {install} (or "
                         f"`{command('models', 'install', '--file', 'PATH.argosmodel')}`){then}.")
        else:  # only names wait: no page says "coming soon", so no warning (--strict)
            notes.append(f"some tag or source names have no translation and are shown as written on the "
                         f"'{tgt}' pages; name them in {config.content_dir / FILE_NAME} ([terms]) or run "
                         f"{install}{then}.")
    return notes
