"""How fast one edited article reaches the disk, and whether memory stays flat.

Generates a site of N Arabic articles in a temp folder, builds it once with an instant fake
translator (standing in for a warm translation cache), then edits one article at a time:

- ``build``: edit, then ``Builder.build()``; the time until it returns (page written).
- ``watch``: edit while a :class:`~digest.watcher.Watcher` runs; the time until the page's
  new text is on disk, quiet period included.
- memory: resident set size every 10% of ``--edits`` rebuilds.

    python bench/rebuild_bench.py --articles 1000 --edits 1000
    python bench/rebuild_bench.py --articles 10000 --edits 20 --no-search

``--no-search`` leaves Pagefind out (it re-indexes every article page on each content change).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import tempfile
import threading
import time
from pathlib import Path

TAGS = [f"وسم{i}" for i in range(40)]
WORDS = "أعلنت الحكومة اليوم عن خطة جديدة لتطوير البنية التحتية في المدن الساحلية والقرى".split()


class InstantTranslator:
    """Answers at once, like a translation cache that already holds every text."""

    name = "bench"
    version = "1"

    def translate(self, texts):
        return [f"EN {len(t)}" for t in texts]


def article(i: int, edit: int = 0) -> str:
    day = f"2026-{i % 12 + 1:02d}-{i % 28 + 1:02d}"
    body = "\n\n".join(" ".join(WORDS[(i + k + j) % len(WORDS)] for j in range(25)) + "." for k in range(4))
    return (f"---\ntitle: خبر رقم {i}\ndate: {day}\ntags: [{TAGS[i % 40]}, {TAGS[(i * 7) % 40]}]\n---\n"
            f"{body}\n\nتحديث {edit}.\n")


def make_site(root: Path, n: int) -> None:
    content = root / "content"
    content.mkdir(parents=True)
    for i in range(n):
        (content / f"a{i:05d}.md").write_text(article(i), encoding="utf-8")


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def edit(root: Path, i: int, n: int) -> tuple[Path, str]:
    """Rewrite article ``i`` with a new last line; return its page and the new text."""
    path = root / "content" / f"a{i:05d}.md"
    path.write_text(article(i, n), encoding="utf-8")
    return root / "site" / "articles" / f"a{i:05d}" / "ar" / "index.html", f"تحديث {n}."


def bench_build(builder, root: Path, n: int, edits: int, profile: bool) -> None:
    times, memory = [], []
    prof = cProfile.Profile() if profile else None
    for k in range(1, edits + 1):
        page, text = edit(root, (k * 37) % n, k)
        started = time.perf_counter()
        if prof:
            prof.enable()
        builder.build()
        if prof:
            prof.disable()
        times.append(time.perf_counter() - started)
        assert text in page.read_text(encoding="utf-8")
        if k % max(1, edits // 10) == 0:
            memory.append(round(rss_mb(), 1))
    print(f"build: edit -> page on disk over {edits} edits: median {statistics.median(times) * 1000:.0f} ms, "
          f"p90 {sorted(times)[int(len(times) * 0.9)] * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")
    print(f"memory (RSS MB) every {max(1, edits // 10)} rebuilds: {memory}")
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(18)


def bench_watch(project, root: Path, n: int, edits: int) -> None:
    from digest.watcher import Watcher

    watcher = Watcher(project, project.rebuild).start()
    loop = threading.Thread(target=watcher.run, daemon=True)
    loop.start()
    times = []
    try:
        for k in range(1, edits + 1):
            page, text = edit(root, (k * 53) % n, 10_000 + k)
            started = time.perf_counter()
            while text not in page.read_text(encoding="utf-8"):
                time.sleep(0.002)
            times.append(time.perf_counter() - started)
            time.sleep(0.3)  # let the loop go idle before the next edit
    finally:
        watcher.stop()
    print(f"watch: edit -> page on disk (quiet period included) over {edits} edits: median "
          f"{statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--watch-edits", type=int, default=10)
    parser.add_argument("--no-search", action="store_true", help="leave Pagefind out")
    parser.add_argument("--profile", action="store_true", help="profile the rebuilds")
    args = parser.parse_args()

    from digest import build as build_module
    from digest.config import load_config
    from digest.search import SearchUnavailable
    from digest.watcher import Project

    if args.no_search:
        def no_search(files):
            raise SearchUnavailable("left out by --no-search")
        build_module.search_files = no_search
    with tempfile.TemporaryDirectory(prefix="digest-bench-") as tmp:
        root = Path(tmp)
        make_site(root, args.articles)
        project = Project(load_config(root), translator=InstantTranslator())
        started = time.perf_counter()
        result = project.builder.build()
        print(f"{args.articles} articles, {len(result.files)} files; first build "
              f"{time.perf_counter() - started:.2f} s, RSS {rss_mb():.0f} MB"
              f"{' (no search)' if args.no_search else ''}")
        bench_build(project.builder, root, args.articles, args.edits, args.profile)
        if args.watch_edits:
            bench_watch(project, root, args.articles, args.watch_edits)


if __name__ == "__main__":
    main()
