"""A reporter, not a signal bus: the few things a build tells whoever runs it.

Every event is a frozen dataclass (:class:`Start`, :class:`FileProblem`, :class:`Warn`,
:class:`Info`, :class:`Progress`, :class:`Finish`) and a reporter has one way in,
:meth:`Reporter.emit`. The named methods (``reporter.warning(...)``) only build an event and
emit it, and a subclass may not override them: so an adapter that forwards ``emit`` forwards
every kind of event, including kinds added later (the serve-side adapter once forwarded
every method but ``progress``, and ``digest serve`` never showed translation progress).

The commands print events (:mod:`digest.commands.console`), tests record them, the preview
server listens for :class:`Finish`. Every stage may import this module; it imports no stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, Union

if TYPE_CHECKING:
    from .config import Config
    from .content.problem import Problem


class Finished(Protocol):
    """What a finished build hands its reporter; :class:`digest.buildresult.BuildResult` is one.

    A protocol, so this module needs nothing from the build that sends it.
    """

    files: dict
    """Path -> bytes (or a record of a file kept as it was on disk)."""
    problems: list
    written: list[str]
    removed: list[str]
    seconds: float
    translator: str | None


@dataclass(frozen=True)
class Start:
    """A build begins with this configuration."""

    config: "Config"


@dataclass(frozen=True)
class FileProblem:
    """A content file was skipped or partly used; the build goes on."""

    problem: "Problem"


@dataclass(frozen=True)
class Warn:
    """Something worth knowing that does not stop the build."""

    message: str


@dataclass(frozen=True)
class Info:
    """Progress in words, or a hint."""

    message: str


@dataclass(frozen=True)
class Progress:
    """``done`` of ``total`` after ``seconds``: sentences machine-translated, or (``unit``
    ``"pages"``) pages rendered."""

    done: int
    total: int
    seconds: float
    unit: str = "sentences"


@dataclass(frozen=True)
class Finish:
    """A build finished and its site was written."""

    result: Finished


Event = Union[Start, FileProblem, Warn, Info, Progress, Finish]
EVENT_TYPES: tuple[type, ...] = (Start, FileProblem, Warn, Info, Progress, Finish)

# The shorthands below; a subclass that redefined one could swallow its events unseen.
_SHORTHANDS = ("start", "problem", "warning", "info", "progress", "finish")


class Reporter:
    """Receives build events through :meth:`emit`; the base class ignores them."""

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        overridden = [name for name in _SHORTHANDS if name in vars(cls)]
        if overridden:
            raise TypeError(f"{cls.__name__} overrides {', '.join(overridden)}: a reporter receives "
                            "every event through emit(event) and overrides only that")

    def emit(self, event: Event) -> None:
        """Receive one event. Subclasses override this, and only this."""

    def start(self, config: "Config") -> None:
        """A build begins."""
        self.emit(Start(config))

    def problem(self, problem: "Problem") -> None:
        """A content file was skipped or partly used; the build goes on."""
        self.emit(FileProblem(problem))

    def warning(self, message: str) -> None:
        """Something worth knowing that does not stop the build."""
        self.emit(Warn(message))

    def info(self, message: str) -> None:
        """Progress or a hint."""
        self.emit(Info(message))

    def progress(self, done: int, total: int, seconds: float, unit: str = "sentences") -> None:
        """``done`` of ``total`` sentences (or ``unit``: pages) after ``seconds``."""
        self.emit(Progress(done, total, seconds, unit))

    def finish(self, result: Finished) -> None:
        """A build finished and its site was written."""
        self.emit(Finish(result))


_KIND = {Start: "start", FileProblem: "problem", Warn: "warning", Info: "info", Progress: "progress",
         Finish: "finish"}
_VALUE = {Start: "config", FileProblem: "problem", Warn: "message", Info: "message", Finish: "result"}


class RecordingReporter(Reporter):
    """Keeps every event, for tests and for the preview server's error overlay."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def emit(self, event: Event) -> None:
        """Keep ``event``."""
        self.events.append(event)

    def of(self, kind: str) -> list:
        """The events of one kind by its shorthand's name (``"warning"``): their message,
        problem, config or result; for ``"progress"``, (done, total) pairs."""
        found = []
        for event in self.events:
            if _KIND[type(event)] != kind:
                continue
            if isinstance(event, Progress):
                found.append((event.done, event.total))
            else:
                found.append(getattr(event, _VALUE[type(event)]))
        return found
