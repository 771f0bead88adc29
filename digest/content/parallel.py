"""Reading many content files at once in worker processes (see :mod:`digest.workers`).

Parsing is independent per file: the workers read and parse, and the parsed articles come
back pickled (at 1,000 articles, 0.45 s of pickling against 2.7 s of parsing). A file that
fails comes back as its exception, raised again when the build asks for that file, so its
problem reads as in one process. From :data:`FRESH_POOL_FILES` files on, the workers are new
processes (``fresh``): a fork would count the build's memory again in each, the text of every
file it just looked up among it (215 MB each at 10,000 articles).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import NamedTuple, TypeVar, cast

from ..config import Config
from ..workers import pool_map, worth_a_pool
from .articles import TRANSLATION_SUFFIX, read_article, read_translation

T = TypeVar("T")
FRESH_POOL_FILES = 4000
"""From this many files to parse on (2,000 articles with their translations), the workers are
new processes: each costs about half a second of CPU to start, against a fork's few
milliseconds, but holds only its own work; a fork's copy of the build grows with the files."""


class ReadFile(NamedTuple):
    """A content file as last read: its stamp (mtime, size, inode, type) and what reading it
    gave (an article or a human translation)."""

    stamp: tuple[int, ...]
    value: object


class Raised(NamedTuple):
    """The exception reading a file raised in a worker."""

    exc: Exception


def read_all(paths: Sequence[str], config: Config, workers: int) -> dict[str, object]:
    """Every file of ``paths`` read (an article, or a human translation by its suffix) by
    ``workers`` processes: path -> what it gave (or :class:`Raised`). Empty when not worth a
    pool, or when the pool itself failed: the files are then read one by one, as usual."""
    if not worth_a_pool(workers, len(paths)):
        return {}
    try:
        return dict(zip(paths, pool_map(_Reader(config), paths, workers, fresh=len(paths) >= FRESH_POOL_FILES)))
    except Exception:  # e.g. an exception that cannot be pickled: reading again meets it in this process
        return {}


class _Reader:
    """Reads one content file in a worker: what :func:`read_all` gives for it."""

    def __init__(self, config: Config) -> None:
        self.config = config

    def __call__(self, path: str) -> object:
        try:
            if path.endswith(TRANSLATION_SUFFIX):
                return read_translation(path, self.config)
            return read_article(path, self.config)
        except Exception as exc:  # noqa: BLE001 - handed to the build, which reports or raises it
            return Raised(exc)


def take(parsed: dict[str, object], path: str, read: Callable[[], T]) -> T:
    """What ``path`` gave in :func:`read_all` (raising its exception), or ``read()`` if it
    was not read there."""
    value = parsed.pop(path, None)
    if value is None:
        return read()
    if isinstance(value, Raised):
        raise value.exc
    return cast(T, value)


def still_listed(listing: tuple[list[str], frozenset[str], list[tuple[str, str]]] | None,
                 changed: frozenset[str] | None) -> tuple[list[str], list[tuple[str, str]]] | None:
    """The last ``listing`` of the content folder (files, the set of them, folders refused)
    as (files, folders refused) if ``changed`` shows it still holds: every changed path is a
    file it listed and still there (an edit). None: list again."""
    if changed is None or listing is None:
        return None
    names, known, refused = listing
    if all(p in known and os.path.isfile(p) for p in changed):
        return names, refused
    return None


def behind(read: dict[str, ReadFile], refused: list[tuple[str, str]], files: list[str]) -> list[str]:
    """The files of ``read`` (read before) in folders that can no longer be listed: read
    again (and kept, if they fail, as their last good version) rather than dropped unseen."""
    folders = tuple(os.path.join(folder, "") for folder, _ in refused)
    listed = set(files)
    return [p for p in read if p.startswith(folders) and p not in listed]
