"""A made-up archive for the ``digest translate`` and Ray tests: many articles of distinct sentences.

Sentences are drawn from the fixture corpus's words with a fixed seed, so every run makes
the same archive, and almost no sentence repeats (each is a cache miss the first time).
"""

from __future__ import annotations

import random
from pathlib import Path

from helpers import write_project

CORPUS = Path(__file__).resolve().parent / "data" / "fixture_corpus.txt"

SETTINGS = "[translation]\nmax_decoding_length = 24\ninter_threads = 1\nintra_threads = 1\nbeam_size = 2\n"
"""Small and quick: the random-weight model never ends a sentence, so each decodes 24 tokens."""


def archive(root: Path, articles: int, sentences: int = 6, settings: str = SETTINGS, seed: int = 16) -> Path:
    """A project under ``root`` with ``articles`` Markdown articles of ``sentences`` sentences each."""
    words = [w.strip(":،.") for w in CORPUS.read_text(encoding="utf-8").split() if w.strip(":،.")]
    rng = random.Random(seed)
    files = {"digest.toml": settings}
    for n in range(articles):
        title = " ".join(rng.choice(words) for _ in range(5))
        body = " ".join(" ".join(rng.choice(words) for _ in range(9)) + "." for _ in range(sentences))
        files[f"content/2026-10-{n % 28 + 1:02d}-item{n:04d}.md"] = f"---\ntitle: {title}\n---\n{body}\n"
    return write_project(root, files)
