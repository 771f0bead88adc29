"""Files a build does not hold the bytes of: on disk as they should be, or spooled there.

Light on purpose: the output folder, its manifest check and a replayed build's result use
these without the renderer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Kept:
    """A file the output folder already holds as it should be: its path, SHA-256 and size."""

    path: str
    sha: str
    size: int

    def __eq__(self, other: object) -> bool:
        """Equal to another record of the same file, or to the very bytes it stands for."""
        if isinstance(other, Kept):
            return (self.path, self.sha, self.size) == (other.path, other.sha, other.size)
        if isinstance(other, bytes):
            return len(other) == self.size and hashlib.sha256(other).hexdigest() == self.sha
        return NotImplemented

    __hash__ = object.__hash__  # never a key; equal to bytes, so no hash could agree with theirs


@dataclass(frozen=True, slots=True, eq=False)
class Spooled(Kept):
    """A page a streamed build rendered and wrote straight to its spool folder (see
    :mod:`digest.render.spool`) rather than holding its bytes: once the site is written it is
    in the output folder like any :class:`Kept` file."""
