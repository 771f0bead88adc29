"""What needs an editor's eye, from the site model: the items of the review page of ``digest serve``.

Each kind of item is one small function of an article's :class:`~digest.site.model.Entry`
listed in :data:`KINDS`; :func:`review` runs them all over the site and groups what they
find by article, newest first. Each item points at its paragraph on the parallel page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from ..content.markup import plain_text
from ..text import shorten
from .model import Entry, Site

FAILED = "failed"
"""A block whose machine translation was rejected: the original is shown."""
STALE_EDIT = "stale-edit"
"""A post-edit whose Arabic changed: not applied, shown beside the paragraph it resembles."""
UNPLACED_EDIT = "unplaced-edit"
"""An out-of-date post-edit that resembles no paragraph now (listed after the article)."""
PENDING = "pending"
"""An article with no English yet."""
LOW_CONFIDENCE = "low-confidence"
"""A machine-translated paragraph whose score is below ``translation.review_below``."""
OUTDATED = "outdated"
"""A human-translation paragraph whose Arabic changed, was added or was removed since it was made."""


@dataclass(frozen=True)
class Item:
    """One thing to look at: its kind, where it is, the Arabic it concerns and why it is listed."""

    kind: str
    url: str
    """The parallel page, with the paragraph's anchor when the item is one paragraph."""
    block: int | None
    """The paragraph's position in the article (from 0); None for the article as a whole."""
    text: str
    """The start of the Arabic paragraph (empty for the article as a whole)."""
    detail: str
    """Why it is listed: the rejection's reason, the out-of-date English, ..."""


@dataclass(frozen=True)
class ArticleReview:
    """An article with something to look at, and its items in the order of the article."""

    slug: str
    title: str
    published: datetime
    path: Path
    url: str
    items: tuple[Item, ...]


def paragraph_anchor(index: int) -> str:
    """The id of block ``index`` (from 0) on the parallel page: ``p1`` for the first, as
    the default theme's ``parallel.html`` numbers its pairs."""
    return f"p{index + 1}"


def _block_item(entry: Entry, index: int, kind: str, detail: str) -> Item:
    blocks = entry.article.blocks
    text = " ".join(plain_text(t, blocks[index].plain) for t in blocks[index].texts) if index < len(blocks) else ""
    return Item(kind, f"{entry.url()}#{paragraph_anchor(index)}", index, shorten(text, 80), detail)


def failed_blocks(entry: Entry) -> Iterable[Item]:
    """Blocks whose machine translation the guards rejected, with the reason."""
    english = entry.english
    for i, prov in enumerate(english.block_provenance):
        if prov.kind == "failed":
            yield _block_item(entry, i, FAILED, prov.note or "no reason given")


def stale_post_edits(entry: Entry) -> Iterable[Item]:
    """Out-of-date post-edits: beside the paragraph they resemble, or after the article."""
    english = entry.english
    for i, prov in enumerate(english.block_provenance):
        if prov.stale:
            yield _block_item(entry, i, STALE_EDIT, prov.stale)
    for text in english.unplaced:
        yield Item(UNPLACED_EDIT, entry.url(), None, "", text)


def pending(entry: Entry) -> Iterable[Item]:
    """The article itself while it has no English."""
    if entry.english.pending:
        yield Item(PENDING, entry.url(), None, "", entry.english.provenance.note or "no English yet")


def low_confidence(entry: Entry) -> Iterable[Item]:
    """Machine-translated paragraphs the model was unsure of, with their score."""
    english = entry.english
    for i, flagged in enumerate(english.review):
        score = english.score_of(i)
        if flagged and score is not None:
            yield _block_item(entry, i, LOW_CONFIDENCE, f"score {score:.2f}")


def outdated(entry: Entry) -> Iterable[Item]:
    """Paragraphs of a human translation made from an Arabic that has changed since."""
    english = entry.english
    for i, stale in enumerate(english.outdated):
        if stale:
            yield _block_item(entry, i, OUTDATED, "the original changed after this translation")
    for i in english.added:
        yield _block_item(entry, i, OUTDATED, "a paragraph added to the original: no English for it")
    for i in english.removed:
        yield Item(OUTDATED, entry.url(), None, "",
                   f"paragraph {i + 1} of the original was removed after this translation")


KINDS: tuple[Callable[[Entry], Iterable[Item]], ...] = (failed_blocks, low_confidence, stale_post_edits, outdated,
                                                         pending)
"""Every kind of item, each a function of one entry."""


def review(site: Site, kinds: tuple[Callable[[Entry], Iterable[Item]], ...] = KINDS) -> tuple[ArticleReview, ...]:
    """The articles of ``site`` with something to look at, newest first, each with its items
    in the order of the article (whole-article items last)."""
    found = []
    for entry in site.entries:
        items = [item for kind in kinds for item in kind(entry)]
        if not items:
            continue
        items.sort(key=lambda item: (item.block is None, item.block or 0))
        article = entry.article
        found.append(ArticleReview(entry.slug, article.title, article.published, article.path, entry.url(),
                                   tuple(items)))
    found.sort(key=lambda group: group.published, reverse=True)
    return tuple(found)
