"""What one build did (:meth:`digest.build.Builder.build`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .content.problem import Problem
from .render.kept import Kept
from .translate.stats import TranslationStats

if TYPE_CHECKING:  # the site model's modules are not needed to replay a build
    from .site.model import Site


@dataclass
class BuildResult:
    """What one build did."""

    site: Site | None
    """The site model built; None when the last build was replayed (see ``replayed``)."""
    files: dict[str, bytes | Kept]
    """Path -> bytes, or a :class:`~digest.render.kept.Kept` file (on disk as it should be: not rendered)."""
    problems: list[Problem]
    stats: TranslationStats
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    rendered: int = 0
    seconds: float = 0.0
    translator: str | None = None
    search_pending: bool = False
    """The search index is the last one; :meth:`Builder.index` updates it."""
    drafts_left_out: int = 0
    """Articles marked ``draft: true`` not built (without ``--drafts``)."""
    replayed: int | None = None
    """Nothing changed: the last build's article count, its outcome reported again (``site`` is empty)."""
    built: int | None = None
    """The article count of a lean build, whose ``site`` holds no entries (see :class:`Builder`)."""

    @property
    def articles(self) -> int:
        """How many articles the site holds."""
        return next(n for n in (self.replayed, self.built, len(self.site.entries) if self.site else 0) if n is not None)
