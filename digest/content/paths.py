"""Paths of many content files at once, made as cheaply as pathlib allows."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


class Paths:
    """``Path(name)`` for many file names of a few folders: each folder's path is parsed
    once and its files' paths made from it (20,000 parses took a tenth of a one-edit
    build's load). The same paths, equal and printed alike; plain ``Path`` where the
    interpreter's pathlib lacks the way to do so."""

    def __init__(self) -> None:
        self._folders: dict[str, Path] = {}

    def __call__(self, name: str) -> Path:
        head, _, base = name.rpartition(os.sep)
        if not head or _CHILD is None:
            return Path(name)
        folder = self._folders.get(head)
        if folder is None:
            folder = self._folders[head] = Path(head)
            if str(folder) != head:  # not written as pathlib writes it: parsed whole
                self._folders[head] = folder = _WHOLE
        return Path(name) if folder is _WHOLE else _CHILD(folder, base)


def _child_maker() -> Callable[[Path, str], Path] | None:
    """pathlib's own maker of a folder's child path from the folder's parsed path (what its
    directory walks use), if it is there and gives the path ``Path()`` does."""
    child = getattr(Path, "_make_child_relpath", None)
    if child is None:
        return None
    try:
        made = child(Path("/a/b"), "c.md")
    except Exception:
        return None
    return child if made == Path("/a/b/c.md") and str(made) == "/a/b/c.md" and type(made) is type(Path()) else None


_CHILD = _child_maker()
_WHOLE = Path()
