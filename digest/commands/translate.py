"""``digest translate``: fill the translation cache for the whole archive (or some files), no site."""

from __future__ import annotations

import os
import sys
import time

from ..content.articles import load_articles
from ..invocation import command
from ..translate.archive import archive_texts, select
from ..translate.engine import load_translator
from ..translate.labels import load_labels
from ..workers import sigterm_interrupts
from . import load, said
from .console import ConsoleReporter


def run(args) -> int:
    """Translate every text a build would need into the cache; 130 when interrupted."""
    reporter = ConsoleReporter(quiet=args.quiet)
    config = load(args)
    articles, problems = load_articles(config)
    for problem in problems:
        reporter.problem(problem)
    if args.files:
        articles, unknown = select(articles, args.files)
        for path in unknown:
            print(said(f"error: {path}: not an article of {config.content_dir} (or it has errors above)"),
                  file=sys.stderr)
        if unknown and not articles:
            return 1
    else:
        unknown = []
    translator = load_translator(config, reporter)
    if translator is None:
        print("error: nothing translated: no translation model (see the warning above)", file=sys.stderr)
        return 1
    texts = archive_texts(articles, load_labels(config))
    cache = translator.cache
    assert cache is not None  # load_translator always gives one
    before = cache.stats()["entries"]
    if not args.quiet:
        where = f"on the Ray cluster {config.translation.cluster}" if config.translation.cluster else "here"
        print(f"translating {len(texts)} texts of {len(articles)} articles {where} into {cache.path}", flush=True)
    started = time.perf_counter()
    try:
        # A kill is an interrupt like Ctrl-C: what is stored is said, then digest exits.
        with sigterm_interrupts():
            result = translator.translate(texts)
    except KeyboardInterrupt:
        stored = cache.stats()["entries"] - before
        print(f"\ninterrupted after {time.perf_counter() - started:.1f} s: {stored} new sentence translations are "
              f"in the cache; `{command('translate')}` again continues from there", file=sys.stderr, flush=True)
        if config.translation.cluster:
            from ..translate.cluster import disconnect

            disconnect()  # os._exit below skips Ray's own exit handler
        # The model may still be decoding queued batches: their results would be thrown away anyway.
        os._exit(130)
    s = result.stats
    print(f"translated {len(texts)} texts of {len(articles)} articles: {s.unique} unique sentences, "
          f"{s.hits} already in the cache, {s.translated} sent to the model"
          f"{f' ({len(s.failed)} failed, shown in the original)' if s.failed else ''} "
          f"in {time.perf_counter() - started:.1f} s", flush=True)
    return 1 if problems or unknown else 0
