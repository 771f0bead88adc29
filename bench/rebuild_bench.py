"""How fast one edited article reaches the disk, and whether memory stays flat.

Generates a site of N Arabic articles in a temp folder, builds it once with an instant fake
translator (standing in for a warm translation cache), then edits one article at a time:

- ``build``: edit, then ``Project.rebuild()`` (what serve and watch call); the time until it
  returns with the page written.
- ``serve``: the real ``digest serve`` parts in this process: the preview server on
  127.0.0.1, the watchdog loop, and a browser stand-in holding the live-reload long poll.
  Edit a file; the time until the page's new text is on disk (quiet period included), and
  resident memory every 10% of ``--serve-edits``.

    python bench/rebuild_bench.py --articles 1000 --edits 200 --serve-edits 1000 --no-search
    python bench/rebuild_bench.py --articles 10000 --edits 20 --serve-edits 50 --no-search

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
        from digest.translate.result import TranslationResult

        return TranslationResult.plain([f"EN {len(t)}" for t in texts])


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


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    return (f"median {statistics.median(times) * 1000:.0f} ms, p90 {ordered[int(len(times) * 0.9)] * 1000:.0f} ms, "
            f"max {ordered[-1] * 1000:.0f} ms")


def bench_build(project, root: Path, n: int, edits: int, profile: bool) -> None:
    times = []
    prof = cProfile.Profile() if profile else None
    for k in range(1, edits + 1):
        page, text = edit(root, (k * 37) % n, k)
        started = time.perf_counter()
        if prof:
            prof.enable()
        outcome = project.rebuild()
        if prof:
            prof.disable()
        times.append(time.perf_counter() - started)
        assert outcome.ok and text in page.read_text(encoding="utf-8"), outcome
    print(f"build: edit -> page on disk over {edits} edits: {summary(times)}")
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(18)


def bench_serve(project, root: Path, n: int, edits: int, search: bool = True) -> None:
    import json
    import urllib.request

    from digest.serve.preview import Preview
    from digest.serve.watcher import Watcher

    preview = Preview(project.config.output_dir, project.rebuild, "127.0.0.1", 0).start()
    watcher = Watcher(project, preview.rebuild).start()
    threading.Thread(target=watcher.run, daemon=True).start()
    stop = threading.Event()

    def browser():  # an open tab: always one live-reload request waiting
        since = 0
        while not stop.is_set():
            try:
                with urllib.request.urlopen(f"{preview.url}__digest__/wait?since={since}", timeout=60) as r:
                    since = json.load(r)["build"]
            except OSError:  # http.client's disconnects are OSErrors too
                if stop.is_set():  # the server closed under the waiting request: the bench is over
                    return
                raise

    threading.Thread(target=browser, daemon=True).start()
    times, indexed, memory, every = [], [], [], max(1, edits // 10)
    try:
        for k in range(1, edits + 1):
            page, text = edit(root, (k * 53) % n, 10_000 + k)
            started = time.perf_counter()
            while text not in page.read_text(encoding="utf-8"):
                time.sleep(0.002)
            times.append(time.perf_counter() - started)
            served = urllib.request.urlopen(preview.url + f"articles/a{(k * 53) % n:05d}/ar/").read()
            assert text in served.decode("utf-8")
            while watcher.rebuilds < preview.builds:  # the loop is idle (search index included)
                time.sleep(0.005)
            if search:
                indexed.append(time.perf_counter() - started)
            time.sleep(0.05)
            if k % every == 0:
                memory.append(round(rss_mb(), 1))
    finally:
        stop.set()
        watcher.stop()
        preview.close()
    print(f"serve: edit -> page on disk (quiet period included) over {edits} edits: {summary(times)}")
    if indexed:
        print(f"serve: edit -> search index up to date (background) over {len(indexed)} edits: {summary(indexed)}")
    print(f"serve: memory (RSS MB) every {every} rebuilds: {memory}")
    if len(memory) > 2:
        print(f"serve: RSS change from the first 10% to the end: {memory[-1] - memory[0]:+.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--serve-edits", type=int, default=100)
    parser.add_argument("--cycle", type=int, default=0,
                        help="serve: edit only the first N articles, again and again (default: all)")
    parser.add_argument("--no-search", action="store_true", help="leave Pagefind out")
    parser.add_argument("--profile", action="store_true", help="profile the rebuilds")
    args = parser.parse_args()

    import dataclasses

    from digest.config import load_config
    from digest.serve.project import Project

    with tempfile.TemporaryDirectory(prefix="digest-bench-") as tmp:
        root = Path(tmp)
        make_site(root, args.articles)
        config = load_config(root)
        if args.no_search:  # site.search = false: no Pagefind, neither in the rebuild nor while idle
            config = dataclasses.replace(config, site=dataclasses.replace(config.site, search=False))
        project = Project(config, translator=InstantTranslator())
        started = time.perf_counter()
        outcome = project.rebuild()
        assert outcome.ok, outcome.failures
        result = outcome.result
        print(f"{args.articles} articles, {len(result.files)} files; first build "
              f"{time.perf_counter() - started:.2f} s, RSS {rss_mb():.0f} MB"
              f"{' (no search)' if args.no_search else ''}")
        if args.edits:
            bench_build(project, root, args.articles, args.edits, args.profile)
        if args.serve_edits:
            bench_serve(project, root, args.cycle or args.articles, args.serve_edits, not args.no_search)


if __name__ == "__main__":
    main()
