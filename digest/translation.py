"""The translation stage: every article's English, from a human, or from one machine batch.

A build gathers every text that still needs English across all articles, hands them to the
translator in one call, and maps the results back. The translator is a small protocol, so
the Argos engine, a test fake, or nothing at all (translation pending) can stand behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence, runtime_checkable

from .articles import Article
from .markup import Block


@runtime_checkable
class Translator(Protocol):
    """Turns source-language texts into target-language texts, one for one, in order.

    Texts are inline Markdown (or plain text); link targets, code and the like must come
    back as they went in.
    """

    name: str
    version: str

    def translate(self, texts: Sequence[str]) -> list[str]:
        """Translate ``texts`` in one batch."""
        ...


@dataclass(frozen=True)
class Provenance:
    """Where an English text came from: ``machine``, ``human``, ``post-edit`` or ``pending``."""

    kind: str
    model: str | None = None
    version: str | None = None
    note: str | None = None

    @property
    def label(self) -> str:
        if self.kind == "machine":
            return f"{self.model} {self.version}".strip()
        return self.kind


PENDING = Provenance("pending", note="no translation model is installed")


@dataclass(frozen=True)
class English:
    """The English version of one article.

    For machine translations ``blocks`` is aligned one for one with the article's blocks;
    a human translation has its own blocks, paired by position.
    """

    title: str | None
    blocks: tuple[Block, ...]
    provenance: Provenance
    block_provenance: tuple[Provenance, ...] = ()

    @property
    def pending(self) -> bool:
        return self.provenance.kind == "pending"

    def provenance_of(self, index: int) -> Provenance:
        if index < len(self.block_provenance):
            return self.block_provenance[index]
        return self.provenance


@dataclass(frozen=True)
class TranslationStats:
    """What the stage did, for the build summary."""

    segments: int = 0
    unique: int = 0
    calls: int = 0


def pending_texts(article: Article) -> list[str]:
    """Every text of ``article`` that needs machine translation, title first."""
    if article.human is not None:
        return []
    texts = [article.title]
    for block in article.blocks:
        if block.translatable:
            texts.extend(block.texts)
    return texts


def translate_articles(
    articles: Sequence[Article], translator: Translator | None
) -> tuple[dict[str, English], TranslationStats]:
    """Give every article its English, calling ``translator`` at most once.

    Returns English versions keyed by slug. With no translator, machine-translated
    articles are marked pending and keep only their original text.
    """
    result: dict[str, English] = {}
    wanted: list[str] = []
    for article in articles:
        if article.human is not None:
            human = Provenance("human")
            result[article.slug] = English(article.human.title, article.human.blocks, human)
        else:
            wanted.extend(pending_texts(article))
    unique = list(dict.fromkeys(wanted))
    if translator is None or not unique:
        for article in articles:
            if article.slug not in result:
                result[article.slug] = English(None, (), PENDING)
        return result, TranslationStats(len(wanted), len(unique), 0)
    outputs = translator.translate(unique)
    if len(outputs) != len(unique):
        raise RuntimeError(f"translator {translator.name} returned {len(outputs)} texts for {len(unique)}")
    english = dict(zip(unique, outputs))
    machine = Provenance("machine", translator.name, translator.version)
    for article in articles:
        if article.slug in result:
            continue
        blocks = tuple(
            b.with_texts([english[t] for t in b.texts]) if b.translatable else b for b in article.blocks
        )
        result[article.slug] = English(english[article.title], blocks, machine)
    return result, TranslationStats(len(wanted), len(unique), 1)
