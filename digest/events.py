"""A reporter, not a signal bus: the few things a build tells whoever runs it.

The commands print them (:mod:`digest.commands.console`), tests record them, the preview
server listens for ``finish``. Every stage may import this module; it imports no stage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .config import Config
    from .content.articles import Problem


class Finished(Protocol):
    """What a finished build hands its reporter; :class:`digest.build.BuildResult` is one.

    A protocol, so this module needs nothing from the build that sends it.
    """

    files: dict[str, bytes]
    problems: list
    written: list[str]
    removed: list[str]
    seconds: float
    translator: str | None


class Reporter:
    """Receives build events; the base class ignores them."""

    def start(self, config: "Config") -> None:
        """A build begins."""

    def problem(self, problem: "Problem") -> None:
        """A content file was skipped or partly used; the build goes on."""

    def warning(self, message: str) -> None:
        """Something worth knowing that does not stop the build."""

    def info(self, message: str) -> None:
        """Progress or a hint."""

    def progress(self, done: int, total: int, seconds: float) -> None:
        """Machine translation: ``done`` of ``total`` sentences after ``seconds``."""

    def finish(self, result: Finished) -> None:
        """A build finished and its site was written."""


class RecordingReporter(Reporter):
    """Keeps every event, for tests and for the preview server's error overlay."""

    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def start(self, config):
        self.events.append(("start", config))

    def problem(self, problem):
        self.events.append(("problem", problem))

    def warning(self, message):
        self.events.append(("warning", message))

    def info(self, message):
        self.events.append(("info", message))

    def progress(self, done, total, seconds):
        self.events.append(("progress", (done, total)))

    def finish(self, result):
        self.events.append(("finish", result))

    def of(self, kind: str) -> list:
        return [value for k, value in self.events if k == kind]
