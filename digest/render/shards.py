"""The search index in shards: one Pagefind bundle per run of consecutive months.

Pagefind holds a whole bundle in memory while it indexes it (1.46 GB for the 20,000 records
of 10,000 articles), and the bundle of one language changes throughout when one record does.
So the articles are grouped by date: months, oldest first, are added to a shard as long as
it stays within ``site.search_shard_articles`` articles; the month that would take it past
that starts the next shard (a month alone larger than that is a shard of its own), and the
newest shard stays open. The size bounds what an edit costs: Pagefind's time and memory grow
with the records of the shard it indexes (about 1.4 ms an Arabic article). A shard is named
after its first month (``2025-01``) and its bundle lives in ``pagefind/<name>/``. Adding
today's articles touches the newest shard only (once, in a month, the one before it too: the
article that takes it past the size moves the month to a shard of its own), and an edit
touches the shard of the edited article's month: the others keep their records, so the build
store's key for them (:mod:`digest.render.bundlecache`) is unchanged and Pagefind is not run.

The search page loads Pagefind's UI from ``pagefind/`` (a copy of the newest shard's), reads
``pagefind/shards.json`` (the shards, newest first) and merges the older shards into the
newest one in the browser (Pagefind's ``mergeIndex``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import NamedTuple, Protocol, Sequence, TypeVar

from .pagefindapi import Record

ROOT = "pagefind"
LISTING = f"{ROOT}/shards.json"
UI_FILES = ("pagefind-ui.js", "pagefind-ui.css")
"""What the search page loads from ``pagefind/`` itself; every shard's copies are the same."""
UNUSED = ("pagefind-component-ui.", "pagefind-modular-ui.", "pagefind-highlight.")
"""Pagefind's other UIs: the theme uses none of them, and each shard would repeat 280 kB."""

T = TypeVar("T")


class Placed(Protocol):
    """A shard as far as its place in the site goes."""

    @property
    def name(self) -> str: ...
    @property
    def prefix(self) -> str: ...


class Shard(NamedTuple):
    """The records of a run of consecutive months."""

    name: str
    """The first month, ``YYYY-MM``: the shard's folder under ``pagefind/``."""
    records: tuple[Record, ...]
    key: str = ""
    """What the build store keeps its bundle under (:mod:`digest.render.bundlecache`): a
    hash of what its records are made of; empty for records given as they are."""

    @property
    def prefix(self) -> str:
        """Where the shard's bundle lives in the site, with a trailing ``/``."""
        return f"{ROOT}/{self.name}/"


def group(dated: Iterable[tuple[dt.date, tuple[Record, ...]]], size: int) -> list[Shard]:
    """``dated`` (each article's date and records, in the site's order) in shards of at most
    ``size`` articles, oldest first (see :func:`by_months`)."""
    return [Shard(name, tuple(r for each in items for r in each)) for name, items in by_months(dated, size)
            if any(items)]


def by_months(dated: Iterable[tuple[dt.date, T]], size: int) -> list[tuple[str, list[T]]]:
    """``dated`` (each article's date and what stands for it, in the site's order) in runs
    of consecutive months of at most ``size`` articles, oldest first, each with its name.

    A run only ends at the end of a month, so one month is never split (one larger than
    ``size`` is a run of its own): where an article goes depends on its month and the months
    around it, not on the order of the files.
    """
    months: dict[tuple[int, int], list[T]] = {}
    for day, item in dated:
        months.setdefault((day.year, day.month), []).append(item)
    out: list[tuple[str, list[T]]] = []
    name, items = "", list[T]()
    for (year, month), more in sorted(months.items()):
        if items and len(items) + len(more) > size:
            out.append((name, items))
            name, items = "", []
        if not name:
            name = f"{year:04d}-{month:02d}"
        items.extend(more)
    if name:
        out.append((name, items))
    return out


def shard_files(shard: Shard, bundle: Mapping[str, bytes]) -> dict[str, bytes]:
    """Pagefind's ``bundle`` of ``shard`` at its place in the site, without the unused UIs."""
    return {shard.prefix + path: data for path, data in bundle.items() if not path.startswith(UNUSED)}


def listing(shards: Iterable[Placed]) -> bytes:
    """``pagefind/shards.json``: the shards' folders, newest first (the one the UI starts from)."""
    names = sorted((s.name for s in shards), reverse=True)
    return json.dumps({"shards": names}, separators=(",", ":")).encode()


def around(shards: Sequence[Placed], files: Mapping[str, T]) -> dict[str, T | bytes]:
    """What goes beside the shards' bundles ``files``: the list of shards and the UI's files."""
    if not shards:
        return {}
    newest = max(shards, key=lambda s: s.name)
    return {LISTING: listing(shards), **ui_files(newest, files)}


def ui_files(newest: Placed, files: Mapping[str, T]) -> dict[str, T]:
    """The UI's files in ``pagefind/``, taken from the newest shard's bundle ``files``."""
    return {f"{ROOT}/{name}": files[newest.prefix + name] for name in UI_FILES if newest.prefix + name in files}
