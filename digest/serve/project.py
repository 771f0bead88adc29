"""A project being edited: its configuration, its builder, and the rebuild function that
``digest serve`` and ``digest watch`` call, which never raises and reports what went wrong
as :class:`Failure` items an editor can act on.
"""

from __future__ import annotations

import gc
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from ..errors import BUILD_STOPPERS, ConfigError, SearchCancelled
from ..events import Event, Reporter, Start, Warn
from ..workers import release_freed_memory
from .standing import Standing, shown_name

if TYPE_CHECKING:
    from ..buildresult import BuildResult


@dataclass(frozen=True)
class Failure:
    """One error to show an editor: where (if known) and why."""

    reason: str
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = ", ".join(x for x in (self.file, self.line and f"line {self.line}") if x)
        return f"{where}: {self.reason}" if where else self.reason


@dataclass
class Outcome:
    """What one rebuild left behind: ``ok`` when a site was written, and what went wrong."""

    ok: bool
    failures: list[Failure] = field(default_factory=list)
    result: BuildResult | None = None

    @property
    def changed(self) -> bool:
        """True if the rebuild wrote or removed a file (so open pages should reload)."""
        return bool(self.result is not None and (self.result.written or self.result.removed))


_LINE = re.compile(r"^line (\d+): (.*)$", re.S)


def _shown(path: Path, root: Path | None) -> str:
    if root is not None and path.is_relative_to(root):
        return path.relative_to(root).as_posix()
    return str(path)


def failure_of_problem(problem, root: Path | None = None) -> Failure:
    """A content :class:`~digest.content.articles.Problem` as a :class:`Failure` with its line.

    Paths are shown relative to ``root`` (the project folder) when they are inside it.
    """
    match = _LINE.match(problem.message)
    file = ", ".join(_shown(p, root) for p in problem.paths) or None
    if match:
        return Failure(match.group(2), file, int(match.group(1)))
    return Failure(problem.message, file)


def failure_of_error(exc: BaseException) -> Failure:
    """A build-stopping exception (theme, config, output) as a :class:`Failure`."""
    if isinstance(exc, ConfigError):
        return Failure("; ".join(exc.problems), str(exc.path) if exc.path else None)
    cause = exc.__cause__
    lineno = getattr(cause, "lineno", None)
    if cause is not None and lineno:
        reason = getattr(cause, "message", None) or str(cause)
        return Failure(reason, getattr(cause, "filename", None), lineno)
    return Failure(str(exc) if isinstance(exc, BUILD_STOPPERS) else f"{type(exc).__name__}: {exc}")


class _Warnings(Reporter):
    """Passes every event on to ``inner`` and keeps this build's warnings."""

    def __init__(self, inner: Reporter) -> None:
        self.inner = inner
        self.warnings: list[str] = []

    def emit(self, event: Event) -> None:
        """Forward ``event``; a new build's :class:`Start` clears the kept warnings."""
        if isinstance(event, Start):
            self.warnings = []
        elif isinstance(event, Warn):
            self.warnings.append(event.message)
        self.inner.emit(event)


class Project:
    """A project being edited: its configuration, its builder, and the rebuild function.

    ``reload`` reads the configuration again after ``digest.toml`` changed (the CLI passes
    one that re-applies its options); by default the file is read without overrides.
    ``strict`` shows warnings as errors. ``standing``: ``reporter`` hears a warning that
    stands unchanged from one rebuild to the next only once (see :mod:`.standing`).
    """

    def __init__(self, config, reporter: Reporter | None = None, translator="auto",
                 reload: Callable[[], object] | None = None, strict: bool = False,
                 standing: bool = False) -> None:
        from ..config import load_config

        self.config = config
        reporter = reporter or Reporter()
        self.standing = Standing(reporter, config.root) if standing else None
        # The strict list and the preview's overlay see every warning; only the console is spared.
        self.reporter = _Warnings(self.standing or reporter)
        self._changes: list[str] | None = None
        self.strict = strict
        self._translator = translator
        self._reload = reload or (lambda: load_config(config.root))
        self.builder = self._builder(config)
        self._frozen = False
        self._index_pending = False
        self.first: Outcome | None = None
        """The outcome of the first rebuild (what ``serve`` says of the site once it is up)."""

    def _builder(self, config):
        from ..build import Builder

        return Builder(config, self.reporter, self._translator, keep_last_good=True)

    def rebuild(self, reload: bool = False, changed: frozenset[str] | None = None) -> Outcome:
        """Build once (reloading the configuration first if ``reload``); never raises.

        ``changed``: the content files changed since the last rebuild, if known (see
        :meth:`~digest.build.Builder.build`).

        After the first build the search index is left behind for :meth:`index`, so the
        pages are on disk (and open tabs reload) seconds sooner.
        """
        changes, self._changes = self._changes, None
        standing = self.standing
        if standing is not None:
            standing.announce(changes)
        try:
            if reload:
                self.config = self._reload()
                self.builder.close()
                self.builder = self._builder(self.config)
                self._frozen = False
            if standing is not None:
                # The builder looks for a model when a build needs one, and says "no model
                # installed" once, in that round: only when some article has no English, as
                # ``digest build`` does. Said by one round only, it is never claimed resolved.
                standing.begin(changes)
            # No garbage collection while a rebuild makes its pages: at 10,000 articles the
            # collector's passes over the young objects took half of the render stage. What
            # the rebuild left is scanned once, by the first collection after it. (Not in the
            # first build: the cyclic garbage of a whole site's rendering would pile up.)
            if self._frozen:
                gc.disable()
            try:
                result = self.builder.build(search=not self._frozen, changed=None if reload else changed)
            finally:
                gc.enable()
            self._index_pending = result.search_pending
            if not self._frozen:
                # The first build made most of what the session keeps (articles, pages, their
                # bytes). Frozen, they are no longer scanned by every full garbage collection,
                # which at 10,000 articles took ~180 ms of a rebuild; they are still freed
                # when dropped (they hold no reference cycles).
                gc.collect()
                gc.freeze()
                self._frozen = True
            release_freed_memory()
        except Exception as exc:  # a preview session must outlive any one bad build
            failure = failure_of_error(exc)
            if standing is not None:
                standing.end(ok=False)  # the failure itself is said every time
            self.reporter.warning(f"build failed, the last good site stays: {failure}")
            return Outcome(False, [failure])
        if standing is not None:
            standing.end()
        failures = [failure_of_problem(p, self.config.root) for p in result.problems]
        if self.strict:
            failures += [Failure(w) for w in self.reporter.warnings]
        outcome = Outcome(True, failures, result)
        if self.first is None:
            self.first = outcome
        return outcome

    def close(self) -> None:
        """The session ends: what its builds read is kept for the next process (the article pack)."""
        try:
            self.builder.close()
        except Exception as exc:  # a cache not written is no reason to fail on the way out
            self.reporter.warning(f"the build cache's article pack is not written: {type(exc).__name__}: {exc}")

    def model_appeared(self) -> bool:
        """The last rebuild found no translation model and one may have been installed since."""
        return self.builder.model_appeared()

    def note_changes(self, paths: Iterable[Path]) -> None:
        """The files (absolute paths) that changed since the last rebuild, for the next one
        to name; added to any noted before it ran."""
        root = self.config.root
        self._changes = sorted({*(self._changes or ()), *(shown_name(p, root) for p in paths)})

    def index(self, cancel: threading.Event | None = None) -> bool:
        """Bring the search index up to date if the last rebuild left it behind (the pages
        go to disk first). Stops as soon as ``cancel`` is set (a new change came in) and
        returns False; True when the index is current."""
        if not self._index_pending:
            return True
        try:
            self.builder.index(cancel)
        except SearchCancelled:
            return False
        except Exception as exc:  # the session goes on; the next rebuild tries again
            self.reporter.warning(f"search index not updated: {type(exc).__name__}: {exc}")
        self._index_pending = False
        release_freed_memory()
        return True
