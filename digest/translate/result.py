"""What one ``translate(texts)`` call hands back: the contract between a translator and the stage.

A translator returns one :class:`TranslationResult`; the stage reads everything it needs
from it (outputs, which texts failed and why, the sentence alignment for the parallel page,
the counts for the build summary) and never reads the translator's attributes after the call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

Alignment = tuple[tuple[str, str], ...]
"""(source sentence, translation) pairs of one text, in order."""


@dataclass(frozen=True)
class EngineStats:
    """What one call did, counted in sentences (a text is split into sentences first)."""

    sentences: int = 0
    unique: int = 0
    hits: int = 0
    translated: int = 0
    calls: int = 0
    retried: int = 0
    failed: tuple[tuple[str, str], ...] = ()
    """(source sentence, reason) of each sentence whose translation was rejected."""
    model_seconds: float = 0.0


@dataclass(frozen=True)
class TranslationResult:
    """One output per text, in order, and what the translator knows about them.

    ``failures[text]``: why a text's translation (or one of its sentences) was rejected; its
    output is then the original. ``alignment[text]``: its sentence pairs, for the parallel
    page's highlighting (empty when the translator does not align). ``scores[text]``: the
    model's score of each translated sentence of a text (the mean log-probability per token,
    0 at best; None where unknown: an entry cached before scores were kept), in order;
    missing when the translator gives none.
    """

    outputs: tuple[str, ...]
    failures: Mapping[str, str] = field(default_factory=dict)
    alignment: Mapping[str, Alignment] = field(default_factory=dict)
    stats: EngineStats = field(default_factory=EngineStats)
    scores: Mapping[str, tuple[float | None, ...]] = field(default_factory=dict)

    @classmethod
    def plain(cls, outputs: Sequence[str]) -> "TranslationResult":
        """The result of a translator that knows only its outputs: each text one sentence,
        all of them translated in one call."""
        n = len(outputs)
        return cls(tuple(outputs), stats=EngineStats(n, n, 0, n, 1 if n else 0))

    def score(self, text: str) -> float | None:
        """The lowest known score of ``text``'s sentences, or None when none is known.

        The lowest, not the mean: one garbled sentence is what an editor must find, and a
        mean over a long paragraph would hide it."""
        known = [s for s in self.scores.get(text, ()) if s is not None]
        return min(known) if known else None
