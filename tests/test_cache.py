"""The translation cache: keys, corruption, two writers at once, a writer killed mid-build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO

from digest.translate.cache import TranslationCache, cache_key

CONTEXT = {"package": "p", "version": "1", "beam": 4}


def test_keys_depend_on_everything_that_shapes_a_translation():
    key = cache_key(CONTEXT, "قال   الوزير ")
    assert key == cache_key(CONTEXT, "قال الوزير")  # normalised whitespace
    assert key != cache_key(CONTEXT | {"version": "2"}, "قال الوزير")
    assert key != cache_key(CONTEXT | {"beam": 1}, "قال الوزير")
    assert key != cache_key(CONTEXT, "قال الوزير.")


def test_round_trip_and_hits(tmp_path):
    cache = TranslationCache(tmp_path)
    cache.put_many([("k1", "س", "t1", "m 1"), ("k2", "ص", "t2", "m 1"), ("k4", "ع", "", "m 1", "empty")])
    assert cache.get_many(["k1", "k3", "k4"]) == {"k1": ("t1", None, None), "k4": ("", "empty", None)}
    stats = cache.stats()
    assert stats["entries"] == 3 and stats["hits"] == 2 and stats["failed"] == 1 and stats["models"] == {"m 1": 3}
    assert cache.prune({"k2"}) == 2 and cache.get_many(["k1", "k2"]) == {"k2": ("t2", None, None)}


def test_a_corrupt_cache_is_moved_aside_with_a_warning_and_rebuilt(tmp_path):
    TranslationCache(tmp_path).put_many([("k", "s", "t", "m")])
    path = tmp_path / "translations.sqlite3"
    for extra in ("-wal", "-shm"):
        Path(str(path) + extra).unlink(missing_ok=True)
    path.write_bytes(b"this is not a database" * 100)
    warnings = []
    cache = TranslationCache(tmp_path, warnings.append)
    assert len(warnings) == 1 and "unreadable" in warnings[0]
    assert cache.get_many(["k"]) == {}
    cache.put_many([("k", "s", "t2", "m")])
    assert cache.get_many(["k"]) == {"k": ("t2", None, None)}
    assert list(tmp_path.glob("translations.sqlite3.corrupt-*"))


WRITER = """
import os, sys
sys.path.insert(0, {repo!r})
from digest.translate.cache import TranslationCache
cache = TranslationCache({folder!r})
name = sys.argv[1]
for batch in range(20):
    cache.put_many([(f"{{name}}-{{batch}}-{{i}}", "s", "t", "m") for i in range(25)])
    if name == "killed" and batch == 9:
        os._exit(9)  # no close, no cleanup: like a build killed mid-translation
"""


@pytest.mark.slow
def test_two_writers_at_once_and_one_killed_mid_build(tmp_path):
    script = WRITER.format(repo=str(REPO), folder=str(tmp_path))
    procs = [subprocess.Popen([sys.executable, "-c", script, name]) for name in ("a", "b", "killed")]
    codes = [p.wait(timeout=60) for p in procs]
    assert codes == [0, 0, 9]
    stats = TranslationCache(tmp_path).stats()
    assert stats["entries"] == 2 * 20 * 25 + 10 * 25
