"""Where an English text came from, for every text the translation stage hands on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Provenance:
    """Where an English text came from: ``machine``, ``human``, ``post-edit``, ``failed``, ``pending``,
    ``glossary`` (a name the glossary or the built-in agency table gives) or ``original`` (a
    name with no Arabic in it, used as written).

    ``failed``: the machine output was rejected by the guards and the source is shown
    (``note`` says why). ``stale``: an editor's correction of this block that no longer
    matches its Arabic, not applied, to be shown as out of date.
    """

    kind: str
    model: str | None = None
    version: str | None = None
    note: str | None = None
    stale: str | None = None

    @property
    def label(self) -> str:
        if self.kind in ("machine", "failed"):
            return f"{self.model} {self.version}".strip()
        return self.kind


PENDING = Provenance("pending", note="no translation model is installed")
NAMED = Provenance("glossary")
"""A name from the glossary or the built-in table of agencies."""


@dataclass(frozen=True)
class Name:
    """The English of a short label (a tag or a source) and where it came from."""

    text: str
    provenance: Provenance
