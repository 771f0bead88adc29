"""The English of one article, as the translation stage hands it to the site model."""

from __future__ import annotations

from dataclasses import dataclass

from ..content.markup import Block
from .provenance import Name, Provenance


@dataclass(frozen=True)
class English:
    """The English version of one article.

    For machine translations ``blocks`` is aligned one for one with the article's blocks,
    as are ``block_provenance`` and ``sentences`` (the (source, translation) sentence pairs
    of each block, for highlighting; empty where unknown). A human translation has its own
    blocks, paired by position.
    """

    title: str | None
    blocks: tuple[Block, ...]
    provenance: Provenance
    block_provenance: tuple[Provenance, ...] = ()
    sentences: tuple[tuple[tuple[str, str], ...], ...] = ()
    unplaced: tuple[str, ...] = ()
    """Out-of-date post-edits (their English, as text) that resemble no paragraph now or
    whose paragraph already shows one: the pages list them after the article."""
    tags: tuple[Name | None, ...] = ()
    """The English of each of the article's tags, in order; None while it has none."""
    source: Name | None = None
    """The English of the article's source line; None while it has none."""
    scores: tuple[float | None, ...] = ()
    """Per block: the model's score of a machine-translated block, the lowest of its
    sentences' (the mean natural-log probability per token, 0 at best; see
    :meth:`TranslationResult.score`). None where the model did not make the text shown
    (post-edited, failed, code, human) or the score is unknown (cached before scores were kept)."""
    review: tuple[bool, ...] = ()
    """Per block: its score is below ``translation.review_below``, for an editor to check."""
    outdated: tuple[bool, ...] = ()
    """Per block of a human translation: the Arabic it was made from changed or was removed
    since (see :mod:`digest.translate.originals`)."""
    added: tuple[int, ...] = ()
    """Arabic blocks (0-based) added since the human translation was made: no English."""
    removed: tuple[int, ...] = ()
    """Arabic blocks (0-based, as they were) removed since the human translation was made."""

    def score_of(self, index: int) -> float | None:
        """Block ``index``'s score, or None."""
        return self.scores[index] if index < len(self.scores) else None

    def is_outdated(self, index: int) -> bool:
        """Block ``index`` is a human translation of an original that changed since."""
        return index < len(self.outdated) and self.outdated[index]

    def marks(self, index: int) -> dict[str, str]:
        """The data attributes block ``index`` carries on the pages: ``data-score``,
        ``data-review`` and ``data-outdated`` (each only when it applies)."""
        marks = {}
        score = self.score_of(index)
        if score is not None:
            marks["data-score"] = f"{score:.3f}"
        if index < len(self.review) and self.review[index]:
            marks["data-review"] = ""
        if self.is_outdated(index):
            marks["data-outdated"] = ""
        return marks

    def tag(self, index: int) -> Name | None:
        """The English of the article's tag number ``index`` (None: not known)."""
        return self.tags[index] if index < len(self.tags) else None

    @property
    def pending(self) -> bool:
        return self.provenance.kind == "pending"

    def provenance_of(self, index: int) -> Provenance:
        if index < len(self.block_provenance):
            return self.block_provenance[index]
        return self.provenance
