"""Tags and sources in English, translated with the article text they belong to.

A tag's English comes from the glossary (a whole ``[terms]`` or ``[names]`` entry), else
from the machine, in the same ``translate()`` call (and so the same cache) as the article
text. A source line comes from the glossary's ``[names]``, the built-in agency table
(:mod:`digest.translate.names`) or the glossary's terms, else from the machine, name by
name. A label with no Arabic letter (``BBC``) is used as written. Until the machine has
answered, an unknown label has no English (None) and pages show it in Arabic.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping

from ..config import Config
from ..content.articles import Article
from .glossary import read_glossary
from .names import known_name, name_table, source_parts
from .provenance import NAMED, Name, Provenance

ORIGINAL = Provenance("original")


@dataclass(frozen=True)
class Labels:
    """What a build knows of labels without the machine: folded Arabic -> English."""

    tags: Mapping[str, str] = field(default_factory=dict, compare=False)
    sources: Mapping[str, str] = field(default_factory=lambda: name_table(), compare=False)
    key: str = ""
    """Equal for equal tables: cheap to compare for every article of a rebuild."""

    @classmethod
    def of(cls, terms: Mapping[str, str], names: Mapping[str, str]) -> Labels:
        """The labels of a glossary's ``terms`` and ``names`` tables."""
        tags = name_table(terms, names, base={})
        sources = name_table(terms, names)
        key = hashlib.sha256(repr((sorted(tags.items()), sorted(sources.items()))).encode()).hexdigest()
        return cls(tags, sources, key)


def load_labels(config: Config) -> Labels:
    """The labels of ``config``'s glossary (raises like :func:`~digest.translate.glossary.load_glossary`)."""
    tables = read_glossary(config)
    return Labels.of(tables["terms"], tables["names"])


def label_texts(article: Article, labels: Labels) -> list[str]:
    """The labels of ``article`` only the machine can put into English."""
    unknown = _unknown if labels.key else _unknown.__wrapped__  # a table without a key is not cached
    return list(unknown(article.tags, article.source, labels))


# Asked for every article of every build, though a site has few distinct tags and sources.
@lru_cache(maxsize=4096)
def _unknown(tags: tuple[str, ...], source: str | None, labels: Labels) -> tuple[str, ...]:
    items = [(tag, labels.tags) for tag in tags]
    if source:
        items.extend((part, labels.sources) for part in source_parts(source, labels.sources))
    return tuple(text for text, table in items if known_name(text, table) is None)


def _name(text: str, table: Mapping[str, str], machine: Mapping[str, str], failed: Mapping[str, str],
          provenance: Provenance | None) -> Name | None:
    known = known_name(text, table)
    if known is not None:
        return Name(known, NAMED if known != text.strip() else ORIGINAL)
    output = machine.get(text)
    if provenance is None or output is None or text in failed:
        return None
    output = " ".join(output.split()).rstrip(".")
    return Name(output, provenance) if output else None


def names_of(article: Article, labels: Labels, machine: Mapping[str, str] | None = None,
             failed: Mapping[str, str] | None = None,
             provenance: Provenance | None = None) -> tuple[tuple[Name | None, ...], Name | None]:
    """``(tags, source)`` of ``article`` in English: from ``labels``, else from ``machine``
    (label -> output, labelled ``provenance``) unless its output was ``failed``."""
    if not machine and not failed and provenance is None:
        known = _known if labels.key else _known.__wrapped__  # a table without a key is not cached
        return known(article.tags, article.source, labels)
    return _names(article.tags, article.source, labels, machine or {}, failed or {}, provenance)


@lru_cache(maxsize=4096)
def _known(tags: tuple[str, ...], source: str | None,
           labels: Labels) -> tuple[tuple[Name | None, ...], Name | None]:
    """:func:`names_of` from ``labels`` alone, as asked for every article of every build."""
    return _names(tags, source, labels, {}, {}, None)


def _names(tags_in: tuple[str, ...], source_in: str | None, labels: Labels, machine: Mapping[str, str],
           failed: Mapping[str, str], provenance: Provenance | None) -> tuple[tuple[Name | None, ...], Name | None]:
    tags = tuple(_name(tag, labels.tags, machine, failed, provenance) for tag in tags_in)
    if not source_in:
        return tags, None
    parts = [_name(part, labels.sources, machine, failed, provenance)
             for part in source_parts(source_in, labels.sources)]
    if not parts or any(p is None for p in parts):
        return tags, None
    named = [p for p in parts if p is not None]
    kinds = [p.provenance for p in named if p.provenance.kind == "machine"]
    source = Name(", ".join(p.text for p in named), kinds[0] if kinds else named[0].provenance)
    return tags, source
