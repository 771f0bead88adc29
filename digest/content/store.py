"""The persistent build cache's storage: content-addressed JSON values in one SQLite file.

``.digest-cache/build/build.sqlite3`` holds one table per kind of entry (parsed articles,
the text hash of each content file's stamp, rendered pages' hashes, the search bundle's,
search records). A key is a hash of everything that shapes its value, digest's version
and a schema number included, so an entry never goes stale and nothing invalidates one:
another version, theme or configuration simply asks other keys.

Values are JSON text, never pickles: a cache folder may come from a CI cache or a shared
drive, and unpickling it would run its code. A value that does not decode, or decodes to
something the reader does not expect, is a miss. WAL mode lets two builds share the file and
keeps it whole after a kill; a file SQLite cannot open is set aside quietly and started
again. Deleting ``.digest-cache/`` is always safe.

Entries of old builds are not kept for ever: ``digest build`` has the store :meth:`~BuildStore.track`
the keys it reads and writes, and once a build is done :meth:`~BuildStore.prune` deletes
the entries no longer asked for (an edited article's old parse and pages, an old search
bundle, the memo of the build before), in each table that build used. A build of another
configuration asks other keys: its pages are rendered again, never wrong.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sqlite3
import time
from pathlib import Path
from typing import Iterable, Iterator

from .. import __version__
from ..sqlitefile import connect

FOLDER = "build"
FILE_NAME = "build.sqlite3"
SCHEMA = 1
"""Raised whenever what an entry holds, or what its key covers, changes meaning."""

TABLES = ("articles", "stamps", "pages", "bundles", "memo", "records")


def cache_key(*parts: object) -> str:
    """A key over ``parts`` (strings, or anything with a stable ``repr``), digest's version
    and :data:`SCHEMA`."""
    # One text, encoded once: the bytes of one "\0" + part after another (a page key has eight).
    text = "".join([f"{__version__}\0{SCHEMA}"] + ["\0" + (part if isinstance(part, str) else repr(part))
                                                  for part in parts])
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class BuildStore:
    """Key -> JSON value tables in ``<cache>/build/build.sqlite3``; each call is one short
    transaction. Any database error turns the store off for the rest of the process (a
    build without a cache is slower, never wrong)."""

    def __init__(self, cache_dir: Path) -> None:
        self.path = Path(cache_dir) / FOLDER / FILE_NAME
        self.db: sqlite3.Connection | None = None
        self.used: dict[str, set[str]] | None = None
        """Table -> the keys read (found) or written since :meth:`track`; None: not tracked."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self.db = self._open()
            except sqlite3.DatabaseError:
                self._set_aside()
                self.db = self._open()
        except (OSError, sqlite3.Error):
            self.db = None

    def _open(self) -> sqlite3.Connection:
        db = connect(self.path)
        try:
            for table in TABLES:
                db.execute(f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
                           "used REAL NOT NULL)")
                db.execute(f"SELECT count(*) FROM {table} WHERE key = ''").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _set_aside(self) -> None:
        """Move an unreadable database out of the way (kept for a look, never read again)."""
        aside = self.path.with_name(f"{self.path.name}.unreadable-{int(time.time())}")
        for suffix in ("", "-wal", "-shm"):
            part = Path(str(self.path) + suffix)
            if part.exists():
                part.replace(Path(str(aside) + suffix))

    def get_many(self, table: str, keys: Iterable[str]) -> dict[str, object]:
        """The decoded values of the ``keys`` present in ``table``; an undecodable value is left out."""
        found: dict[str, object] = {}
        if self.db is None:
            return found
        keys = list(dict.fromkeys(keys))
        try:
            for start in range(0, len(keys), 900):
                chunk = keys[start:start + 900]
                marks = ",".join("?" * len(chunk))
                for key, value in self.db.execute(f"SELECT key, value FROM {table} WHERE key IN ({marks})", chunk):
                    try:
                        found[key] = json.loads(value)
                    except (ValueError, TypeError, RecursionError):
                        continue
        except sqlite3.Error:
            self.close()
        if self.used is not None:
            self.used[table].update(found)
        return found

    def get(self, table: str, key: str) -> object | None:
        """The decoded value of ``key`` in ``table``, or None."""
        if self.db is None:
            return None
        try:
            row = self.db.execute(f"SELECT value FROM {table} WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            self.close()
            return None
        if row is not None and self.used is not None:
            self.used[table].add(key)
        try:
            return json.loads(row[0]) if row is not None else None
        except (ValueError, TypeError, RecursionError):
            return None

    def put_many(self, table: str, items: Iterable[tuple[str, object]]) -> None:
        """Store ``(key, value)`` pairs in ``table`` in one transaction."""
        if self.db is None:
            return
        now = time.time()
        # Encoded one at a time as SQLite takes them: every search record of a site at once
        # was 120 MB of text at 10,000 articles, held by the build (and its forked workers).
        used = self.used[table] if self.used is not None else None

        def encoded() -> Iterator[tuple[str, str, float]]:
            for key, value in items:
                if used is not None:
                    used.add(key)
                yield key, json.dumps(value, ensure_ascii=False, separators=(",", ":")), now

        rows = encoded()
        first = next(rows, None)
        if first is None:
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                self.db.executemany(f"INSERT OR REPLACE INTO {table} (key, value, used) VALUES (?, ?, ?)",
                                    itertools.chain([first], rows))
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        except sqlite3.Error:
            self.close()

    def keep(self, table: str, keys: Iterable[str]) -> None:
        """Note ``keys`` of ``table`` as in use without reading them: :meth:`prune` keeps
        their entries (the search records of shards whose bundles were kept)."""
        if self.used is not None:
            self.used[table].update(keys)

    def track(self) -> None:
        """From now on, note which keys of each table are read or written (for :meth:`prune`)."""
        self.used = {table: set() for table in TABLES}

    def keys(self) -> dict[str, list[str]]:
        """Every key of each table (from the primary key's index, without reading a value):
        for a :meth:`prune` later, listed while the build waits for something else."""
        if self.db is None:
            return {}
        try:
            return {table: [key for (key,) in self.db.execute(f"SELECT key FROM {table}")] for table in TABLES}
        except sqlite3.Error:
            self.close()
            return {}

    def prune(self, listed: dict[str, list[str]] | None = None) -> int:
        """Delete, in each table a key was read or written in since :meth:`track`, the entries
        of every other key; return how many. A table left untouched (no search index made,
        say) keeps all it holds. ``listed``: the tables' keys as :meth:`keys` gave them since
        :meth:`track` (an entry written after it is one this build used); read now without."""
        if self.db is None or self.used is None:
            return 0
        gone = 0
        try:
            for table, used in self.used.items():
                if not used:
                    continue
                keys = listed[table] if listed and table in listed else (
                    key for (key,) in self.db.execute(f"SELECT key FROM {table}"))
                stale = [key for key in keys if key not in used]
                if not stale:
                    continue
                self.db.execute("BEGIN IMMEDIATE")
                try:
                    for start in range(0, len(stale), 900):
                        chunk = stale[start:start + 900]
                        self.db.execute(f"DELETE FROM {table} WHERE key IN ({','.join('?' * len(chunk))})", chunk)
                except BaseException:
                    self.db.execute("ROLLBACK")
                    raise
                self.db.execute("COMMIT")
                gone += len(stale)
        except sqlite3.Error:
            self.close()
        return gone

    def close(self) -> None:
        if self.db is not None:
            try:
                self.db.close()
            except sqlite3.Error:
                pass
        self.db = None
