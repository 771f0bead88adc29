"""The SQLite files digest keeps in ``.digest-cache/``, all opened the same way.

Autocommit (each statement its own transaction unless a caller opens one), a write-ahead
log so a reader never waits for a writer, and 30 s of patience for another build's lock:
two builds of one project may run at once, and a ``kill -9`` loses at most the write in flight.
The log is cut back to :data:`WAL_LIMIT` each time it is emptied into the database: it is
never shrunk otherwise, and a cold build of 30,000 articles left one of 392 MB beside the
818 MB build store.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

WAL_LIMIT = 64 * 1024 * 1024
"""Bytes of write-ahead log kept after a checkpoint (``PRAGMA journal_size_limit``)."""


def connect(path: Path) -> sqlite3.Connection:
    """An open connection to the database at ``path`` (made if missing). Raises
    :class:`sqlite3.DatabaseError` for a file that is not a database, closing it first."""
    db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    try:
        db.execute("PRAGMA busy_timeout = 30000")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute(f"PRAGMA journal_size_limit = {int(WAL_LIMIT)}")
    except sqlite3.DatabaseError:
        db.close()
        raise
    return db
