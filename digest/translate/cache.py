"""The persistent translation cache: content-addressed, in SQLite, outside the output folder.

A key is a hash of everything that shapes one translated sentence: engine, model package
and version, languages, decoding options and the normalised source sentence (with its
protected spans already replaced by placeholders, see :mod:`digest.translate.protect`). Such an entry
cannot go stale, so nothing ever invalidates it; ``digest cache prune`` drops the entries
the current content no longer asks for. WAL mode makes it safe for two builds at once and
keeps it readable after a crash; a corrupt file is moved aside with a warning and rebuilt.

Each entry keeps the model's score of its translation (see :mod:`digest.translate.decode`).
A cache written before scores were kept gains the column on opening; its entries have no
score (None) and stay valid: they are never translated again for want of one.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable

from ..sqlitefile import connect
from ..text import normalise

FILE_NAME = "translations.sqlite3"
SCHEMA = """CREATE TABLE IF NOT EXISTS translations (
    key TEXT PRIMARY KEY, source TEXT NOT NULL, target TEXT NOT NULL, model TEXT NOT NULL,
    created REAL NOT NULL, hits INTEGER NOT NULL DEFAULT 0, problem TEXT, score REAL)"""


def cache_key(context: dict, segment: str) -> str:
    """The key of ``segment`` translated under ``context`` (model, languages, options)."""
    blob = json.dumps([context, normalise(segment)], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class TranslationCache:
    """Sentence translations by key; every method is one short transaction."""

    def __init__(self, folder: Path, warn: Callable[[str], None] | None = None) -> None:
        self.path = Path(folder) / FILE_NAME
        # Printing is the commands' business; without a reporter's callback, Python's warnings.
        self.warn = warn or (lambda message: warnings.warn(message, stacklevel=2))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = self._open()
        except sqlite3.DatabaseError as exc:
            self._move_aside(exc)
            self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = connect(self.path)
        try:
            db.execute(SCHEMA)
            columns = {row[1] for row in db.execute("PRAGMA table_info(translations)")}
            if "score" not in columns:
                try:
                    db.execute("ALTER TABLE translations ADD COLUMN score REAL")
                except sqlite3.OperationalError as exc:
                    if "duplicate column" not in str(exc):  # another build added it first
                        raise
            db.execute("SELECT count(*) FROM translations WHERE key = ''").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _move_aside(self, exc: Exception) -> None:
        aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
        self.warn(f"translation cache {self.path} is unreadable ({exc}); moved to {aside.name}, "
                  "starting an empty one")
        for suffix in ("", "-wal", "-shm"):
            part = Path(str(self.path) + suffix)
            if part.exists():
                part.replace(Path(str(aside) + suffix))

    def get_many(self, keys: Iterable[str]) -> dict[str, tuple[str, str | None, float | None]]:
        """(target, problem, score) of the ``keys`` present, and count the hits.

        ``problem`` is set when the model's output for that sentence was rejected: the same
        model and options would give the same output, so it is not asked again. ``score``
        is None for an entry stored before scores were kept (or a rejected one).
        """
        keys = list(dict.fromkeys(keys))
        found: dict[str, tuple[str, str | None, float | None]] = {}
        try:
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self.db.execute(
                    f"SELECT key, target, problem, score FROM translations WHERE key IN ({marks})", chunk)
                found.update((k, (t, p, s)) for k, t, p, s in rows.fetchall())
            if found:
                with self._transaction():
                    self.db.executemany("UPDATE translations SET hits = hits + 1 WHERE key = ?",
                                        [(k,) for k in found])
        except sqlite3.DatabaseError as exc:
            self._recover(exc)
        return found

    def put_many(self, rows: Iterable[tuple]) -> None:
        """Store (key, source, target, model[, problem[, score]]) rows in one transaction."""
        now = time.time()
        try:
            with self._transaction():
                self.db.executemany(
                    "INSERT OR REPLACE INTO translations (key, source, target, model, problem, score, created, hits) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, 0)", [(*row[:4], *(tuple(row[4:6]) + (None, None))[:2], now)
                                                        for row in rows])
        except sqlite3.DatabaseError as exc:
            self._recover(exc)

    @contextmanager
    def _transaction(self):
        """One write transaction, taken at once so two writers queue instead of deadlocking."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _recover(self, exc: Exception) -> None:
        self.db.close()
        self._move_aside(exc)
        self.db = self._open()

    def stats(self) -> dict:
        """Entry count, total hits, size on disk and entries per model."""
        count, hits, failed = self.db.execute(
            "SELECT count(*), coalesce(sum(hits), 0), count(problem) FROM translations").fetchone()
        models = dict(self.db.execute("SELECT model, count(*) FROM translations GROUP BY model").fetchall())
        size = sum(Path(str(self.path) + s).stat().st_size for s in ("", "-wal")
                   if Path(str(self.path) + s).exists())
        return {"entries": count, "hits": hits, "failed": failed, "bytes": size, "models": models}

    def prune(self, keep: set[str]) -> int:
        """Delete every entry whose key is not in ``keep``; return how many went."""
        with self._transaction():
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM keep")
            self.db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", [(k,) for k in keep])
            removed = self.db.execute("DELETE FROM translations WHERE key NOT IN (SELECT key FROM keep)").rowcount
        self.db.execute("VACUUM")
        return removed

    def close(self) -> None:
        self.db.close()
