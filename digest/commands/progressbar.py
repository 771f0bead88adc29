"""The bar a long build draws while its pages render: on a terminal only, redrawn in place."""

from __future__ import annotations

from typing import TextIO

WIDTH = 24
SHOW_AFTER = 1.0
"""Seconds of rendering before a bar may appear: a short build draws none."""
LONG = 2.0
"""A render expected to take at least this long (or already taking it) gets a bar."""


class PageBar:
    """``rendering [#####   ] 1200/4000 pages, 9 s left`` on ``stream``, redrawn on one line
    with ``\\r`` and wiped when the pages are done; nothing at all unless ``stream`` is a
    terminal (a CI log or a pipe gets no bar)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = False

    def _terminal(self) -> bool:
        try:
            return self.stream.isatty()
        except (AttributeError, ValueError):  # no isatty, or a closed stream
            return False

    def update(self, done: int, total: int, seconds: float) -> None:
        """``done`` of ``total`` pages rendered after ``seconds``."""
        if done >= total:
            self.clear()
            return
        if not self.shown:
            expected = seconds * total / done if done else float("inf")
            if seconds < SHOW_AFTER or (seconds < LONG and expected < LONG) or not self._terminal():
                return
        left = (total - done) * seconds / done if done else 0.0
        bar = "#" * (WIDTH * done // total)
        self.stream.write(f"\rrendering [{bar:<{WIDTH}}] {done}/{total} pages, {_duration(left)} left\x1b[K")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        """Wipe the bar, if one is drawn (before another line is printed, or when done)."""
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"
