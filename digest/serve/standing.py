"""What ``digest serve`` and ``digest watch`` print on a rebuild: news, not the same list again.

A long session rebuilds hundreds of times, and most warnings (an undated article, no model
installed) stand unchanged from one rebuild to the next: printed every time, they bury the
one line that is new. :class:`Standing` sits between the project and the console and, for
each rebuild (a *round*, from :meth:`Standing.begin` to :meth:`Standing.end`):

- says which files changed, before anything else;
- prints a warning only when it was not standing already (new, or its wording changed);
- prints a file's error again only when one of its files changed (or the error is new);
- ends with a count of what it held back and what was resolved since the last rebuild.

Outside a round (the first words of a command, the search index catching up) every event
passes through. ``digest build`` does not use this: a one-off build prints everything.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..events import Event, FileProblem, Reporter, Warn

SHOWN_NAMES = 5
"""How many changed files, or resolved warnings, a rebuild names before "and N more"."""


def shown_name(path: Path, root: Path) -> str:
    """``path`` as a person reads it: relative to the project folder when inside it."""
    path, root = Path(os.path.abspath(path)), Path(os.path.abspath(root))
    if path.is_relative_to(root):
        return path.relative_to(root).as_posix() or "."
    return str(path)


def name_list(names: Sequence[str], limit: int = SHOWN_NAMES) -> str:
    """``names`` joined with commas, the first ``limit`` of them and "and N more"."""
    if len(names) <= limit:
        return ", ".join(names)
    return f"{', '.join(names[:limit])} and {len(names) - limit} more"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class Standing(Reporter):
    """Passes events on to ``inner``, holding back, within a round, the warnings and file
    errors that stand unchanged since they were printed. ``root`` is the project folder:
    problems' files are named relative to it, as the changed files are."""

    def __init__(self, inner: Reporter, root: Path) -> None:
        self.inner = inner
        self.root = Path(os.path.abspath(root))
        self._round: set[str] | None = None  # warnings of the round under way
        self._errors: dict[str, tuple[str, ...]] | None = None  # its errors, with their files
        self._changed: tuple[str, ...] | None = None
        self._warnings: set[str] = set()  # those of the last round that ran to its end
        self._repeated: set[str] = set()  # those of the two rounds before this one
        self._last_errors: dict[str, tuple[str, ...]] = {}
        self._held = 0
        self._held_errors = 0

    def announce(self, changed: Iterable[str] | None) -> None:
        """Say which files changed (relative to the project folder), if known."""
        if changed:
            self.inner.info(f"changed: {name_list(sorted(changed))}")

    def begin(self, changed: Iterable[str] | None = None) -> None:
        """A rebuild begins; ``changed`` names the files that changed (relative to the
        project folder, a folder standing for all in it), or is None when not known."""
        self._changed = None if changed is None else tuple(sorted(changed))
        self._round, self._errors = set(), {}
        self._held = self._held_errors = 0

    def end(self, ok: bool = True) -> None:
        """The rebuild is over; ``ok`` when it ran to its end. Prints what was held back
        and what was resolved. A build that stopped halfway resolved nothing: what it did not
        get to say still stands."""
        if self._round is None or self._errors is None:
            return
        current, errors = self._round, self._errors
        self._round = self._errors = None
        if not ok:
            self._warnings |= current
            self._last_errors.update(errors)
            return
        # Resolved: said by the last two rounds, not by this one. A warning said by one
        # round only may be one that is said once (a translation cut off as it was made),
        # whose silence afterwards proves nothing.
        resolved = sorted(self._repeated - current)
        fixed = sorted(set(self._last_errors) - set(errors))
        self._repeated = self._warnings & current
        self._warnings, self._last_errors = current, errors
        held = [_plural(n, word) for n, word in ((self._held_errors, "file error"), (self._held, "warning")) if n]
        parts = []
        if held:
            parts.append(f"{' and '.join(held)} still standing (shown before)")
        gone = [_plural(n, word) for n, word in ((len(fixed), "file error"), (len(resolved), "warning")) if n]
        if gone:
            parts.append(f"{' and '.join(gone)} resolved")
        if parts:
            self.inner.info("; ".join(parts))
        for message in resolved[:SHOWN_NAMES]:
            self.inner.info(f"resolved: {message}")
        if len(resolved) > SHOWN_NAMES:
            self.inner.info(f"and {len(resolved) - SHOWN_NAMES} more resolved")

    def emit(self, event: Event) -> None:
        """Forward ``event`` unless, in a round, it is a warning or error already shown."""
        if self._round is not None and isinstance(event, Warn):
            self._round.add(event.message)
            if event.message in self._warnings:
                self._held += 1
                return
        elif self._errors is not None and isinstance(event, FileProblem):
            message = str(event.problem)
            files = tuple(shown_name(Path(p), self.root) for p in event.problem.paths)
            self._errors[message] = files
            if message in self._last_errors and not self._touched(files):
                self._held_errors += 1
                return
        self.inner.emit(event)

    def _touched(self, files: tuple[str, ...]) -> bool:
        """True if one of ``files`` changed in this round (or what changed is not known)."""
        if self._changed is None:
            return True
        return any(f == c or f.startswith(c.rstrip("/") + "/") for f in files for c in self._changed)
