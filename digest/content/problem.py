"""A content file the build could not use, and why: light, for the events and the memo."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """Something wrong with one or more content files; the build goes on without them."""

    paths: tuple[Path, ...]
    message: str

    def __str__(self) -> str:
        return f"{', '.join(str(p) for p in self.paths)}: {self.message}"
