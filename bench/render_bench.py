"""The render's CPU per page kind, in one process: what the render workers spend on each page.

    python bench/render_bench.py PROJECT              # 3 rounds, the fastest of each kept
    python bench/render_bench.py PROJECT --rounds 8 --profile render.prof

The project is built without writing (and without search) to get its site model; then every
page is rendered in this process, as a render worker does, ``--rounds`` times, each round with
a new fragment memo (digest/render/memo.py) so cards and page chrome render as in a build.
Reported per page template and language: pages, CPU seconds and milliseconds per page, the
fastest round's (CPU time, not wall: on a shared machine the minimum over rounds is the figure
least distorted by other processes); then the sitemap files and the feeds. The heap of the site
model is frozen first (``gc.freeze()``), as in a forked render worker (digest/workers.py).
``--profile FILE`` writes a cProfile of the last round.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import time
from collections import Counter, defaultdict
from pathlib import Path

from digest.build import Builder
from digest.config import load_config
from digest.render.extras import extra_files
from digest.render.memo import FragmentMemo
from digest.render.pages import Renderer, page_context
from digest.render.sitemap import SitemapURL
from digest.render.theme import load_theme


def main() -> None:
    """Render every page of the project ``--rounds`` times and print the CPU per page kind."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", type=Path, help="write a cProfile of the last round here")
    args = parser.parse_args()
    config = load_config(args.project)
    site = Builder(config, translator=None).build(write=False, search=False).site
    gc.collect()
    gc.freeze()
    theme = load_theme(config)
    renderer = Renderer()  # only its _render: it keeps nothing of a page
    kinds = Counter((page.template, page.lang) for page in site.pages)
    best: dict[tuple[str, str], float] = defaultdict(lambda: float("inf"))
    profile = cProfile.Profile() if args.profile else None
    for round_ in range(args.rounds):
        memo, spent = FragmentMemo(), defaultdict(float)
        if profile is not None and round_ == args.rounds - 1:
            profile.enable()
        for page in site.pages:
            started = time.process_time()
            renderer._render(theme, page.template, page_context(site, page, theme, memo))
            spent[page.template, page.lang] += time.process_time() - started
        started = time.process_time()
        # A new renderer: one keeps the sitemap parts it made.
        Renderer()._sitemap(site, theme, [row for row in map(SitemapURL.of, site.pages) if row is not None], None)
        spent["sitemap", ""] = time.process_time() - started
        started = time.process_time()
        extra_files(site, theme, {})
        spent["feeds", ""] = time.process_time() - started
        if profile is not None:
            profile.disable()
        spent["all", ""] = sum(spent.values())
        for kind, seconds in spent.items():
            best[kind] = min(best[kind], seconds)
    print(f"{len(site.entries)} articles, {len(site.pages)} pages, fastest of {args.rounds} rounds (CPU)")
    for (template, lang), seconds in sorted(best.items(), key=lambda item: -item[1]):
        count = kinds.get((template, lang))
        per_page = f"{count:6} pages {1000 * seconds / count:7.3f} ms/page" if count else ""
        print(f"  {template:14} {lang:3} {seconds:7.2f} s {per_page}")
    if profile is not None:
        profile.dump_stats(args.profile)


if __name__ == "__main__":
    main()
