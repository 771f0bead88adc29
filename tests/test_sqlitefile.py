"""The build store's SQLite files: their write-ahead log does not keep the size of the
largest write. Real SQLite files in a temporary folder."""

import os

from digest import sqlitefile


def test_the_write_ahead_log_is_cut_back_after_a_large_write(tmp_path, monkeypatch):
    monkeypatch.setattr(sqlitefile, "WAL_LIMIT", 256 * 1024)
    path = tmp_path / "store.sqlite3"
    db = sqlitefile.connect(path)
    db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)")
    db.execute("BEGIN")  # one transaction of 8 MB: the log holds all of it until it commits
    db.executemany("INSERT INTO t (v) VALUES (?)", [(os.urandom(4096),) for _ in range(2048)])
    db.execute("COMMIT")
    wal = path.with_name(path.name + "-wal")
    assert wal.stat().st_size > 4 * 1024 * 1024
    db.execute("PRAGMA wal_checkpoint")  # what SQLite does by itself once the log is long
    db.execute("INSERT INTO t (v) VALUES (x'00')")  # the next write starts the log over
    assert wal.stat().st_size <= 256 * 1024
    assert db.execute("SELECT count(*) FROM t").fetchone()[0] == 2049
    db.close()
