"""Which file names digest looks at, and which it leaves alone.

:func:`classify` decides what a changed path means to ``digest serve`` and ``digest watch``:
a content change, a theme change, a configuration change, or nothing to rebuild for. It
only compares paths (no file system access), so it is the same on every platform and easy
to test.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..config import CONFIG_NAME
from ..content.names import is_ignored_name
from ..render.themedirs import chosen_theme
from ..site.staticfiles import static_folder

CONTENT = "content"
THEME = "theme"
CONFIG = "config"
IGNORED = "ignored"


@dataclass(frozen=True)
class Layout:
    """The absolute places of one project that a change can touch."""

    config_file: Path
    content: Path
    themes: tuple[Path, ...] = ()
    excluded: tuple[Path, ...] = ()
    """Folders whose changes never matter: the output folder and the translation cache."""
    theme_places: tuple[Path, ...] = ()
    """The themes folder and the chosen theme's folder, which may not exist yet: their
    appearing or going changes the theme search path."""

    @classmethod
    def of(cls, config, themes: Iterable[Path]) -> "Layout":
        """The layout of a :class:`~digest.config.Config` and its theme search path.

        The project's ``static/`` folder counts with the themes: it is read whole each build."""
        def full(p: Path) -> Path:
            return Path(os.path.abspath(p))

        return cls(config_file=full(config.root / CONFIG_NAME), content=full(config.content_dir),
                   themes=tuple(full(t) for t in themes) + (full(static_folder(config)),),
                   excluded=(full(config.output_dir), full(config.cache_dir)),
                   theme_places=(full(config.themes_dir), full(chosen_theme(config))))


def _inside(path: Path, folder: Path) -> tuple[str, ...] | None:
    """The parts of ``path`` below ``folder``, or None when it is not inside it."""
    try:
        return path.relative_to(folder).parts
    except ValueError:
        return None


def classify(path: Path | str, layout: Layout) -> str:
    """What a change to the absolute ``path`` means: CONTENT, THEME, CONFIG or IGNORED.

    The output folder, the cache, and anything hidden or temporary below a watched folder
    (``.git``, ``*.swp``, ``*~``, ``.#*``, ``4913``, ``*.part``...) are IGNORED, as is anything
    outside the watched places. The watched folders themselves count as changed content or
    theme (a folder removed as a whole reports only itself).
    """
    path = Path(os.path.abspath(path))
    for folder in layout.excluded:
        if _inside(path, folder) is not None:
            return IGNORED
    if path == layout.config_file:
        return CONFIG
    if path in layout.theme_places:
        return THEME
    for kind, folders in ((CONTENT, (layout.content,)), (THEME, layout.themes)):
        for folder in folders:
            parts = _inside(path, folder)
            if parts is not None:
                return IGNORED if any(is_ignored_name(p) for p in parts) else kind
    return IGNORED
