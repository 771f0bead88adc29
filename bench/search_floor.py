"""The floor search puts under a cold build: Pagefind's own work for every record of a site.

    python bench/search_floor.py PROJECT            # a copy of build_corpus.py's corpus, built once

The site model is made once (no search, nothing written), then every shard's bundle is made
in turn, one at a time with nothing else running (:func:`digest.render.pagefindapi.build_bundle`:
one Pagefind process per language). Reported: the records, the wall time of all bundles, the
CPU time (user + system) of the Pagefind processes (``RUSAGE_CHILDREN``) and of this process
while it fed them and read their bundles back. Divided by the cores, the CPU is the least
wall time any cold build with search can take here, however the rest of it is arranged:
compare it with Hugo's cold build (``build_bench.py``), which makes no search index.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

from digest.build import Builder
from digest.config import load_config
from digest.render import search
from digest.render.pagefindapi import build_bundle


def cpu(who: int) -> tuple[float, float]:
    usage = resource.getrusage(who)
    return usage.ru_utime, usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    args = parser.parse_args()
    site = Builder(load_config(args.project), translator=None).build(write=False, search=False).site
    shards = search.plan(site)
    languages = (site.source_lang, site.target_lang)
    children, own, started, count = cpu(resource.RUSAGE_CHILDREN), cpu(resource.RUSAGE_SELF), time.perf_counter(), 0
    for planned in shards:
        records = [r for entry in planned.entries for r in search.entry_records(entry, *languages)]
        count += len(records)
        build_bundle(records)
    wall = time.perf_counter() - started
    user, system = (a - b for a, b in zip(cpu(resource.RUSAGE_CHILDREN), children))
    feeding = sum(cpu(resource.RUSAGE_SELF)) - sum(own)
    cores = len(os.sched_getaffinity(0))
    print(f"{len(shards)} shards, {count} records: bundles made one at a time in {wall:.1f} s; Pagefind CPU "
          f"{user + system:.1f} s (user {user:.1f}, system {system:.1f}), feeding and reading back {feeding:.1f} s; "
          f"on {cores} cores at least {(user + system + feeding) / cores:.1f} s of any cold build's wall")


if __name__ == "__main__":
    main()
