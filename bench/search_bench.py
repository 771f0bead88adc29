"""The search stage alone: which way of running Pagefind costs least.

    python bench/search_bench.py --size 1000     # corpus from build_corpus.py, in bench/results

On one corpus (bench/build_corpus.py, written once into ``--work``), in this process:

1. the site is built without search (``write=False``): the model the records are made from;
2. the records are made (:func:`digest.render.search.search_records`);
3. indexing as digest does it, one Pagefind process per language, against one process
   holding both languages: wall time and the peak RSS of Pagefind's processes (this
   process's children, sampled every 20 ms);
4. a whole build (``write=False``) with search, Pagefind's shards indexed beside the render as
   digest does, against one without: wall and CPU time (this process and its children).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import threading
import time
from pathlib import Path

import build_corpus
from build_bench import BENCH, _tree_rss

from digest.build import Builder
from digest.config import load_config
from digest.render import pagefindapi, search


def _children_rss() -> int:
    """Bytes resident in this process's children and their descendants now."""
    total = 0
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/children", encoding="ascii") as fh:
                total += sum(_tree_rss(int(pid))[0] for pid in fh.read().split())
        except OSError:
            continue
    return total


def _children_peak(run):
    """``run()``'s result, its wall seconds and the peak RSS of this process's children."""
    peak, done = [0], threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], _children_rss())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    value = run()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    return value, wall, peak[0]


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--work", type=Path, help="corpus folder (default bench/results/search-<size>)")
    args = parser.parse_args()
    root = args.work or BENCH / "results" / f"search-{args.size}"
    if not (root / "digest.toml").exists():
        build_corpus.write_digest(root, args.size)
    config = load_config(root)
    started = time.perf_counter()
    site = Builder(config).build(write=False, search=False).site
    print(f"{args.size} articles: built without search in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    records = search.search_records(site)
    print(f"records: {len(records)} made in {time.perf_counter() - started:.1f} s, "
          f"{sum(len(r.content) for r in records) / 2**20:.0f} MB of text")

    _, wall, peak = _children_peak(lambda: pagefindapi.build_bundle(records))
    print(f"one Pagefind process per language: {wall:.1f} s, Pagefind peak {peak / 2**20:.0f} MB")

    async def both() -> None:
        await pagefindapi._index_language(records, {}, None)

    _, wall, peak = _children_peak(lambda: asyncio.run(both()))
    print(f"one Pagefind process for both languages: {wall:.1f} s, Pagefind peak {peak / 2**20:.0f} MB")

    for name, with_search in (("with search", True), ("without search", False)):
        search.release()
        cpu, started = _cpu(), time.perf_counter()
        Builder(config).build(write=False, search=with_search)
        print(f"whole build {name}: {time.perf_counter() - started:.1f} s wall, {_cpu() - cpu:.1f} s CPU")

if __name__ == "__main__":
    main()
