"""``digest build`` when nothing changed: the last build's outcome, without digest's stages.

A one-off build first asks the whole-build memo (:mod:`digest.output.memo`) whether a build
over these very inputs was remembered and the output folder still holds what it wrote. That
takes a tenth of a second at 1,000 articles, and importing the stages (parsing, translating,
the site model, the renderer, Markdown and Jinja) took longer than the question itself: so
:class:`Recall` asks it with none of them imported. On a hit it reports the remembered
outcome again (problems and warnings included, so exit codes and ``--strict`` are unchanged);
on a miss it hands what it found out (the output folder, locked and its check begun, the
build store and the inputs' stamps) to :class:`~digest.buildmemo.MemoBuilder`, which builds.
"""

from __future__ import annotations

import time

from .buildresult import BuildResult
from .config import Config
from .content.store import BuildStore
from .events import Reporter
from .output import OutputFolder, memo
from .output.guard import places_of
from .render.kept import Kept
from .translate.stats import TranslationStats


class Recall:
    """The memo's answer for one ``digest build``, and what it found out on the way.

    Used as a context manager: on entry the output folder is checked and locked (as for a
    build: the lock is held until the build that follows a miss is written) and its files
    are checked against its manifest in a child process (:meth:`OutputFolder.look_ahead`)
    while this one stamps the inputs."""

    def __init__(self, config: Config, reporter: Reporter) -> None:
        self.config, self.reporter = config, reporter
        self.started = time.perf_counter()
        self.output = OutputFolder(config.output_dir, places_of(config), config.force_output,
                                   waiting=reporter.info)
        self.store: BuildStore | None = None
        """The build store, opened by :meth:`replayed` (not before the output folder is checked)."""
        self.before: dict[str, tuple] | None = None
        """The inputs' stamps (:func:`~digest.output.memo.inputs`), once :meth:`replayed` missed."""

    def __enter__(self) -> Recall:
        self.output.check()
        self.output.lock.acquire(self.output.waiting)
        try:
            self.output.look_ahead()
        except BaseException:
            self.output.lock.release()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.output.drop_look()
        finally:
            self.output.lock.release()

    def replayed(self) -> BuildResult | None:
        """The last build's result reported again, if nothing changed since; None otherwise
        (then :attr:`before` holds the inputs' stamps)."""
        config = self.config
        self.store = BuildStore(config.cache_dir)
        before, found = memo.ask(self.store, config, self.output.verified)
        if found is None:
            self.before = before
            return None
        return replay(config, self.reporter, self.started, *found)


def replay(config: Config, reporter: Reporter, started: float, outcome: memo.Outcome,
           listed: dict[str, list]) -> BuildResult:
    """Report ``outcome`` (:func:`~digest.output.memo.recall`'s) again as this build's, the
    output folder's files (``listed``, from its manifest) kept as they are."""
    reporter.start(config)
    problems = outcome.replay(reporter)
    reporter.info(f"{config.output_dir}: nothing changed since the last build; the site is kept as it is")
    files: dict[str, bytes | Kept] = {rel: Kept(rel, item[1], item[0]) for rel, item in listed.items()}
    stats = TranslationStats(segments=outcome.pending, labels=outcome.labels)
    result = BuildResult(None, files, problems, stats, translator=outcome.translator,
                         drafts_left_out=outcome.drafts_left_out, replayed=outcome.articles,
                         seconds=time.perf_counter() - started)
    reporter.finish(result)
    return result
