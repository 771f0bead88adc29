"""``digest build`` in a new process: when nothing changed, the last outcome is reported again.

:class:`MemoBuilder` is the :class:`~digest.build.Builder` of a one-off build. Before loading
anything it stamps every input (:mod:`digest.output.memo`); if a build over the same inputs
was remembered and the output folder still holds what it wrote, the build reports that
build's problems and warnings again (so exit codes and ``--strict`` are unchanged) and
stops (``digest build`` asks that before importing this module: :mod:`digest.replay`, whose
findings a miss hands over). Otherwise it builds, and remembers the outcome if the inputs held still meanwhile;
then the build store drops the entries that build did not use (:meth:`~digest.content.store.BuildStore.prune`).
``digest serve`` and ``watch`` keep their own in-memory reuse and do not use it.
"""

from __future__ import annotations

from pathlib import Path

from .build import Builder
from .buildresult import BuildResult
from .config import Config
from .content.articles import Article, Problem
from .content.cache import ArticleCache
from .content.stamps import plain_stamps
from .output import OutputFolder, memo
from .output.workarea import work_dir
from .render.indexer import Standby
from .render.kept import Kept
from .replay import Recall, replay


class MemoBuilder(Builder):
    """A builder whose written builds are memoised by the stamps of their inputs.

    ``recall``: a :class:`~digest.replay.Recall` that missed; its first build takes the
    output folder, the build store and the inputs' stamps from it instead of asking again."""

    def __init__(self, *args, recall: Recall | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._recall = recall
        if recall is not None and recall.store is not None:
            self._output, self._articles = recall.output, ArticleCache(recall.store)

    _before: dict[str, tuple] = {}
    """The inputs' stamps taken before the build (:func:`~digest.output.memo.inputs`)."""
    _queue: Path | None = None
    """Where Pagefind's first helper is to wait (:meth:`_load` starts it)."""
    _settled: tuple[bool, str, dict[str, list[str]]] | None = None
    """Worked out by :meth:`_meanwhile`: whether the inputs held still, the memo key of
    those after, and the build store's keys (for its prune)."""

    def _build(self, config: Config, started: float, search: bool, changed: frozenset[str] | None,
               output: OutputFolder | None) -> BuildResult:
        if output is None:
            return super()._build(config, started, search, changed, output)
        # The folder's files are checked against its manifest by a child process while this
        # one stamps the inputs: a hit needs that check, and so does a miss's render.
        output.look_ahead()
        try:
            return self._memo_build(config, started, search, changed, output)
        finally:
            output.drop_look()

    def _memo_build(self, config: Config, started: float, search: bool, changed: frozenset[str] | None,
                    output: OutputFolder) -> BuildResult:
        store = self.articles.store
        self._settled = None
        recall, self._recall = self._recall, None
        if recall is not None and recall.before is not None and recall.output is output:
            before = recall.before  # it missed on these stamps
        else:
            before, found = memo.ask(store, config, output.verified)
            if found is not None:
                return replay(config, self.reporter, started, *found)
        self._before = before
        if not self._reads.files:  # a first load: the content files were just stamped
            self.articles.known = plain_stamps(before)
        recorder = memo.Recorder(self.reporter)
        self.reporter = recorder
        store.track()
        self._queue = work_dir(output.out_dir) if self.lean and search and config.site.search else None
        try:
            result = super()._build(config, started, search, changed, output)
        finally:
            self.reporter = recorder.inner
            self._queue = None  # the load was not reached
            if self.standby is not None:
                self.standby.stop()
                self.standby = None
        # A failed translation, or a search index Pagefind failed to make, may not fail
        # again: built again each time.
        unindexed = config.site.search and not any(rel.startswith("pagefind/") for rel in result.files)
        stats = result.stats
        if result.search_pending or stats.failed or unindexed:
            return result
        held, key, listed = self._settled or self._settle(memo.inputs(config), False)
        if held:
            pending = result.translator is None
            outcome = memo.Outcome(recorder.kept, result.articles, result.drafts_left_out, result.translator,
                                   stats.segments if pending else 0, stats.labels if pending else 0)
            memo.remember(store, config, key, outcome)
            # What this build did not ask for is only an older build's (or another
            # configuration's): the store keeps what the next build of these inputs needs.
            store.prune(listed)
        return result

    def _load(self, config: Config, changed: frozenset[str] | None = None) -> tuple[list[Article], list[Problem]]:
        """Also start Pagefind's first helper (:class:`Standby`) once the content is loaded: it
        boots while the site model is made, and an edit's job is taken as soon as written.
        Not sooner: beside the load it took the core of the output folder's check."""
        loaded = super()._load(config, changed)
        if self._queue is not None:
            self.standby, self._queue = Standby(self._queue), None
        return loaded

    def _settle(self, after: dict[str, tuple], listing: bool) -> tuple[bool, str, dict[str, list[str]]]:
        """Whether the inputs held still (``after`` against those before the build), the memo
        key of ``after`` and, with ``listing``, the build store's keys."""
        held = memo.same_but_record(self._before, after, self.config)
        key = memo.key_of(self.config, after) if held else ""
        return held, key, self.articles.store.keys() if held and listing else {}

    def _meanwhile(self, output: OutputFolder | None, files: dict[str, bytes | Kept]) -> None:
        """Also stamp the inputs again (the build has read them all: content, static files,
        theme, images; the write reads none), with what the memo and the store's prune need
        of them: no need to wait for Pagefind first."""
        super()._meanwhile(output, files)
        self._settled = self._settle(memo.inputs(self.config), True)
