"""``digest build``: one build, its notes, and the --strict verdict."""

from __future__ import annotations

import gc
import sys

from ..buildmemo import MemoBuilder
from ..config import SiteConfig
from ..invocation import command
from ..render.search import release as release_search
from ..translate.glossary import FILE_NAME
from ..workers import worker_count
from . import load
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
    try:
        result = MemoBuilder(config, reporter, workers=worker_count(config.build.workers), stream=True).build()
    finally:
        release_search()
    preview_url = SiteConfig.base_url
    if not args.quiet and config.site.base_url == preview_url:
        print(f"note: site.base_url is {preview_url} (the local preview); set it in digest.toml or "
              "pass --base-url before publishing, so canonical links, feeds and the sitemap are right.",
              file=sys.stderr)
    articles = len(result.site.entries) if result.replayed is None else result.replayed
    if not args.quiet and not articles and not result.problems and not result.drafts_left_out:
        print(f"note: {config.content_dir} holds no articles yet: add a Markdown (.md) or text (.txt) "
              f"file there, or run `{command('new', 'DIR')}` for a sample project to start from.",
              file=sys.stderr)
    if result.translator is None and result.stats.segments and not args.quiet:
        src, tgt = config.site.source_language, config.site.target_language
        install = f"`{command('models', 'install', src, tgt)}`"
        if result.stats.segments > result.stats.labels:
            print(f"note: translations are pending; run {install} (or "
                  f"`{command('models', 'install', '--file', 'PATH.argosmodel')}`) and build again.", file=sys.stderr)
        else:  # only names wait: no page says "coming soon", so no warning (--strict)
            print(f"note: some tag or source names have no translation and are shown as written on the "
                  f"'{tgt}' pages; name them in {config.content_dir / FILE_NAME} ([terms]) or run {install}, "
                  "and build again.", file=sys.stderr)
    if args.strict and (result.problems or reporter.warnings):
        print(f"error: --strict: {len(result.problems)} file error(s) and {reporter.warnings} warning(s) "
              "above count as failures", file=sys.stderr)
        return 1
    return 0
