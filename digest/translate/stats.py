"""What the translation stage did, for the build summary: light, for a replayed build's result."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TranslationStats:
    """What the stage did, for the build summary."""

    segments: int = 0
    unique: int = 0
    calls: int = 0
    sentences: int = 0
    cache_hits: int = 0
    model_calls: int = 0
    model_seconds: float = 0.0
    failed: int = 0
    post_edits: int = 0
    stale_post_edits: int = 0
    labels: int = 0
    """Of ``segments``, the tag and source names (pages wait for the others)."""
