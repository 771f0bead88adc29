"""What ``digest translate`` hands the engine: every text a build would ask it for, nothing rendered."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from ..content.articles import Article
from .labels import Labels, label_texts
from .postedits import load_post_edits
from .stage import pending_texts


def archive_texts(articles: Sequence[Article], labels: Labels) -> list[str]:
    """The unique texts a build of ``articles`` sends to the translator, in article order.

    The same texts as the translation stage gathers (titles, paragraphs an editor has not
    corrected, tags and sources the glossary does not name), so a later build finds each
    of their sentences in the cache.
    """
    wanted: list[str] = []
    for article in articles:
        if article.human is None:
            edits, _ = load_post_edits(article.path)  # the build reports an edits file's problems
            wanted.extend(pending_texts(article, edits))
        wanted.extend(label_texts(article, labels))
    return list(dict.fromkeys(wanted))


def select(articles: Sequence[Article], files: Sequence[Path]) -> tuple[list[Article], list[Path]]:
    """The articles read from ``files`` (a human translation names its article too), and
    the files that are no article of the content folder."""
    by_path: dict[Path, Article] = {}
    for article in articles:
        by_path[Path(article.path).resolve()] = article
        if article.human is not None:
            by_path[Path(article.human.path).resolve()] = article
    chosen: dict[str, Article] = {}
    unknown = []
    for name in files:
        found = by_path.get(Path(name).resolve())
        if found is None:
            unknown.append(Path(name))
        else:
            chosen.setdefault(found.slug, found)
    return list(chosen.values()), unknown
