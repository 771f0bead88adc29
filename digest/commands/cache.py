"""``digest cache stats`` and ``digest cache prune``."""

from __future__ import annotations

import sys

from ..config import Config
from ..content.articles import load_articles
from ..translate.cache import FILE_NAME, TranslationCache
from ..translate.engine import load_translator
from ..translate.labels import label_texts, load_labels
from ..translate.stage import pending_texts
from . import load, said
from .console import ConsoleReporter


def run(args) -> int:
    """Dispatch ``stats`` and ``prune``."""
    config = load(args)
    return stats(config) if args.cache_command == "stats" else prune(config)


def stats(config: Config) -> int:
    """``digest cache stats``."""
    if not (config.cache_dir / FILE_NAME).exists():
        print(said(f"{config.cache_dir / FILE_NAME}: no translation cache yet (a build with a model makes it)"))
        return 0
    cache = TranslationCache(config.cache_dir, ConsoleReporter().warning)
    s = cache.stats()
    print(said(f"{cache.path}: {s['entries']} sentences ({s['failed']} the model failed on), {s['hits']} hits, "
               f"{s['bytes'] / 1024:.0f} KiB"))
    for model, count in sorted(s["models"].items()):
        print(f"  {model}: {count}")
    return 0


def prune(config: Config) -> int:
    """``digest cache prune``: keep only what the current content and model would look up."""
    reporter = ConsoleReporter()
    articles, problems = load_articles(config)  # a missing content folder: ConfigError
    if problems:
        # An article that does not load now may be fixed in a minute: its entries stay.
        for problem in problems:
            reporter.problem(problem)
        print(f"error: {len(problems)} content file(s) have errors: nothing pruned (their translations "
              "would go too); fix them and prune again", file=sys.stderr)
        return 1
    if not (config.cache_dir / FILE_NAME).exists():
        print("no translation cache yet: nothing to prune")
        return 0
    translator = load_translator(config, reporter)
    if translator is None:
        print("no translation model is installed: nothing pruned (entries may still be needed)",
              file=sys.stderr)
        return 1
    labels = load_labels(config)  # tags and sources the glossary does not name are cached too
    texts = [t for a in articles for t in pending_texts(a) + label_texts(a, labels)]
    cache = TranslationCache(config.cache_dir, reporter.warning)
    removed = cache.prune(set(translator.keys(texts)))
    print(f"pruned {removed} {'entry' if removed == 1 else 'entries'}; {cache.stats()['entries']} remain")
    return 0
