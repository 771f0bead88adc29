"""The search index in shards: what Pagefind costs for one bundle against shards of N articles.

    python bench/shard_bench.py --project /tmp/x/digest --sizes 0,1000,2000,4000 [--site BUILT --out DIR]

``--project`` is a copy of a corpus from build_corpus.py (``content/`` and ``digest.toml``).
The site is built once without search and without writing (the model the records are made
from); its records are kept in ``--work``. Then, for each shard size (0: the whole site in
one bundle, as before shards), every shard is indexed by a fresh Python process of its own
(:func:`digest.render.pagefindapi.build_bundle`: one Pagefind process per language, one after
the other), which reports the CPU time (user + system) and the largest resident set of its
Pagefind children (``RUSAGE_CHILDREN``). The table gives, per size: the shards, the CPU of
indexing all of them, the largest Pagefind process, the CPU of re-indexing the newest shard
(what adding or editing a recent article costs) and the bundle's files and bytes.

With ``--site`` (a built site of the same project) and ``--out``, each size's index is also
written as a site of its own, ``DIR/<size>/``: the bundles in ``pagefind/`` and links to the
rest of the built site, for ``search_requests.py`` to count what a search costs the browser.
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from digest.build import Builder
from digest.config import load_config
from digest.render import pagefindapi, search
from digest.render.shards import ROOT, around, group, shard_files


def records(project: Path, work: Path) -> Path:
    """Every article's date and records, made once and pickled into ``work``."""
    kept = work / "records.pickle"
    if not kept.exists():
        config = load_config(project, {})
        started = time.perf_counter()
        site = Builder(config, translator=None).build(write=False, search=False).site
        dated = [(e.article.date, search.entry_records(e, site.source_lang, site.target_lang)) for e in site.entries]
        print(f"site model and records: {time.perf_counter() - started:.1f} s", file=sys.stderr)
        work.mkdir(parents=True, exist_ok=True)
        kept.write_bytes(pickle.dumps(dated))
    return kept


def index_one(kept: Path, size: int, number: int, out: Path | None = None) -> None:
    """Index shard ``number`` of size ``size`` in this process; print its costs as JSON;
    write its bundle into the site ``out`` if given."""
    shards = group(pickle.loads(kept.read_bytes()), size or 10**9)
    shard = shards[number]
    started = time.perf_counter()
    files = pagefindapi.build_bundle(shard.records, timeout=3600)
    wall = time.perf_counter() - started
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"name": shard.name, "records": len(shard.records), "wall": wall,
                      "cpu": used.ru_utime + used.ru_stime, "rss_mb": used.ru_maxrss / 1024,
                      "files": len(files), "bytes": sum(len(d) for d in files.values())}))
    if out is not None:
        for rel, data in shard_files(shard, files).items():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            (out / rel).write_bytes(data)


def measure(kept: Path, size: int, site: Path | None = None, out: Path | None = None) -> dict:
    """Every shard of ``size`` indexed, each in a process of its own (and written as a site
    into ``out/<size>`` when ``site`` and ``out`` are given)."""
    shards = group(pickle.loads(kept.read_bytes()), size or 10**9)
    folder = out / str(size) if site is not None and out is not None else None
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for item in site.iterdir():
            if item.name != ROOT:
                (folder / item.name).symlink_to(item.resolve())
    runs = []
    for number in range(len(shards)):
        done = subprocess.run([sys.executable, __file__, "--one", str(kept), str(size), str(number)]
                              + ([str(folder)] if folder is not None else []),
                              capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout))
        print(f"  size {size}: {runs[-1]}", file=sys.stderr)
    if folder is not None:
        written = {str(p.relative_to(folder)): p.read_bytes() for p in (folder / ROOT).rglob("*") if p.is_file()}
        for rel, data in around(shards, written).items():
            (folder / rel).write_bytes(data)
    newest = max(runs, key=lambda r: r["name"])
    return {"size": size, "shards": len(runs), "cpu": sum(r["cpu"] for r in runs),
            "wall": sum(r["wall"] for r in runs), "max_records": max(r["records"] for r in runs),
            "max_cpu": max(r["cpu"] for r in runs), "max_wall": max(r["wall"] for r in runs),
            "rss_mb": max(r["rss_mb"] for r in runs), "newest_cpu": newest["cpu"],
            "newest_rss_mb": newest["rss_mb"], "newest_records": newest["records"],
            "files": sum(r["files"] for r in runs), "mb": sum(r["bytes"] for r in runs) / 2**20}


def main() -> None:
    """Parse the arguments, measure, print a Markdown table."""
    if len(sys.argv) in (5, 6) and sys.argv[1] == "--one":
        out = Path(sys.argv[5]) if len(sys.argv) == 6 else None
        index_one(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), out)
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--work", type=Path, default=Path("/tmp/shard-bench"))
    parser.add_argument("--sizes", default="0,1000,2000,4000")
    parser.add_argument("--site", type=Path, help="a built site of the project: write each size's index beside it")
    parser.add_argument("--out", type=Path, default=Path("/tmp/shard-bench-sites"))
    args = parser.parse_args()
    if search.executable() is None:
        sys.exit("no Pagefind binary")
    kept = records(args.project, args.work)
    print("| articles per shard | shards | Pagefind CPU, wall, all shards (s) | largest shard: records, CPU, wall (s) "
          "| largest Pagefind process (MB) | newest shard: records, CPU (s), RSS (MB) | files | MB |")
    print("|---|---|---|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        r = measure(kept, size, args.site, args.out)
        newest = f"{r['newest_records']}, {r['newest_cpu']:.1f}, {r['newest_rss_mb']:.0f}"
        largest = f"{r['max_records']}, {r['max_cpu']:.1f}, {r['max_wall']:.1f}"
        print(f"| {size or 'one bundle'} | {r['shards']} | {r['cpu']:.1f}, {r['wall']:.1f} | {largest} "
              f"| {r['rss_mb']:.0f} | {newest} | {r['files']} | {r['mb']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
