"""The build store's size over many one-edit builds: ``digest build`` in a new process each time.

    python bench/store_growth.py REPO FOLDER [--articles 1000] [--edits 40]

Writes the benchmark corpus (``build_corpus``) to FOLDER, builds it once with the ``digest``
of REPO, then appends a sentence to the first article and builds again, ``--edits`` times.
Prints the size of ``build.sqlite3`` (with its WAL), each table's rows and value bytes, and
each build's wall and CPU time (the process and its children: workers, Pagefind).
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import build_corpus

TABLES = ("articles", "pages", "bundles", "memo")


def size(root: Path) -> tuple[int, dict[str, tuple[int, int]]]:
    """The store's bytes on disk and, per table, (rows, bytes of values)."""
    base = root / ".digest-cache/build/build.sqlite3"
    total = sum(p.stat().st_size for p in base.parent.glob("build.sqlite3*"))
    db = sqlite3.connect(f"file:{base}?mode=ro", uri=True)
    try:
        rows = {t: db.execute(f"SELECT count(*), coalesce(sum(length(value)), 0) FROM {t}").fetchone()
                for t in TABLES}
    finally:
        db.close()
    return total, rows


def build(root: Path, repo: str) -> tuple[float, float]:
    """One ``digest build`` of ``root``: (wall, CPU) seconds."""
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "digest", "build", "-q"], cwd=root, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=repo))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return time.perf_counter() - started, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=40)
    args = parser.parse_args()
    build_corpus.write_digest(args.folder, args.articles)
    wall, cpu = build(args.folder, args.repo)
    total, rows = size(args.folder)
    print(f"cold: wall {wall:.1f} s, CPU {cpu:.1f} s, store {total / 1e6:.1f} MB, {rows}", flush=True)
    cpus = []
    for n in range(1, args.edits + 1):
        build_corpus.edit_one(args.folder, hugo=False)
        wall, cpu = build(args.folder, args.repo)
        cpus.append(cpu)
        if n in (1, 5, 10, 20, 40, 80) or n == args.edits:
            total, rows = size(args.folder)
            print(f"after {n} edits: store {total / 1e6:.1f} MB, {rows}; this build: wall {wall:.1f} s, "
                  f"CPU {cpu:.1f} s", flush=True)
    print(f"edit builds: mean CPU {sum(cpus) / len(cpus):.2f} s", flush=True)


if __name__ == "__main__":
    main()
