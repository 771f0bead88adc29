"""Streamed rendering: each page written to disk as soon as it is rendered, not held.

A ``digest build`` renders every page of the site once and writes most of them; holding all
their bytes until the write (in the parent, after the workers sent them back) made the
build's memory grow with the site: 2.56 GB at 10,000 articles. Instead each page goes to a
spool folder in the output's work area (beside the output folder, on its file system) the
moment it is rendered, by the process that rendered it, and only its record, a
:class:`~digest.render.cache.Spooled` (path, SHA-256, size), travels on. The write stage
then moves the spooled files into the staged site with a rename each (or links the old file
when the page did not change), so the swap stays atomic: a killed build leaves the spool in
the work area, which the next build clears, and the last good site as it was; a build
that fails before its write discards its spool at once.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from .kept import Spooled

SPOOL = "spool"
"""The spool folder's name in the work area."""


def spooled_name(rel: str) -> str:
    """The file name of page ``rel`` in the spool: the spool is one flat folder (a folder
    per article, made by the workers and removed after the write, cost more than the pages:
    20,000 ``rmdir`` took 40 s on a busy disk), so ``/`` is escaped, and ``%`` with it."""
    return rel.replace("%", "%25").replace("/", "%2F")


class Spool:
    """Writes rendered pages under ``root``; forked workers each use their copy.
    ``plain(rel)``: whether ``rel`` is a path the output folder would write (its own check)."""

    def __init__(self, root: Path, plain: Callable[[str], bool]) -> None:
        self.root = root
        self.plain = plain

    def put(self, rel: str, data: bytes) -> bytes | Spooled:
        """Write ``data`` as page ``rel``; its record, or the bytes themselves when ``rel`` is
        not a plain path inside the site or cannot be written here, so the write stage checks
        it and reports it as it does any page."""
        if not self.plain(rel):
            return data
        target = os.path.join(self.root, spooled_name(rel))
        try:
            with open(target, "wb") as fh:
                fh.write(data)
        except OSError:  # a name too long for the file system, among others
            return data
        return Spooled(rel, hashlib.sha256(data).hexdigest(), len(data))

    def discard(self) -> None:
        """Delete the spool and every page in it (their site will not be written)."""
        shutil.rmtree(self.root, ignore_errors=True)


