"""``digest build``: one build, its notes, and the --strict verdict."""

from __future__ import annotations

import gc
import sys

from ..config import SiteConfig
from ..replay import Recall
from ..workers import worker_count
from . import hold, load
from .console import ConsoleReporter


def run(args) -> int:
    """Build the site once; 1 when --strict finds file errors or warnings."""
    reporter = ConsoleReporter(quiet=args.quiet)
    config = load(args)
    # A build keeps nearly all it makes (articles, blocks, pages) until it ends, so full
    # passes of the collector over that growing heap find little: at the default thresholds
    # they took 3.5 s of a 10,000-article one-edit build, 0.5 s when they come 100 times
    # rarer. The young generations keep their default size, so memory does not grow.
    gc.set_threshold(700, 10, 1000)
    with Recall(config, reporter) as recall:
        # Nothing changed: answered before digest's stages are even imported.
        result = recall.replayed()
        if result is None:
            from ..buildmemo import MemoBuilder
            from ..render.search import release as release_search

            builder = MemoBuilder(config, reporter, workers=worker_count(config.build.workers), stream=True,
                                  lean=True, recall=recall)
            hold(builder)
            try:
                result = builder.build()
            finally:
                release_search()
    preview_url = SiteConfig.base_url
    if not args.quiet and config.site.base_url == preview_url:
        print(f"note: site.base_url is {preview_url} (the local preview); set it in digest.toml or "
              "pass --base-url before publishing, so canonical links, feeds and the sitemap are right.",
              file=sys.stderr)
    reporter.notes(config, result)
    if args.strict and (result.problems or reporter.warnings):
        print(f"error: --strict: {len(result.problems)} file error(s) and {reporter.warnings} warning(s) "
              "above count as failures", file=sys.stderr)
        return 1
    return 0
