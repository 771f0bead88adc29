"""Where a theme's files are: the chosen theme's folder, then the default theme's.

Light on purpose (no template engine): the whole-build memo stamps these folders and the
watcher watches them before anything is rendered.
"""

from __future__ import annotations

from pathlib import Path

from ..config import Config


def _builtin_theme() -> Path:
    """The default theme digest ships: ``themes/default`` of this checkout, or the copy a
    wheel installs as ``digest/_theme`` (see ``pyproject.toml``)."""
    package = Path(__file__).resolve().parent.parent  # digest/, above digest/render/
    checkout = package.parent / "themes" / "default"
    return checkout if (checkout / "templates").is_dir() else package / "_theme"


DEFAULT_THEME = _builtin_theme()


def chosen_theme(config: Config) -> Path:
    """The folder of the theme the configuration (or ``--theme``) names."""
    return config.theme_dir or config.themes_dir / config.site.theme


def theme_dirs(config: Config) -> list[Path]:
    """The theme search path: the chosen theme first, then the default theme."""
    chosen = chosen_theme(config)
    default = config.themes_dir / "default"
    if not default.is_dir():
        default = DEFAULT_THEME
    dirs = [chosen] if chosen.is_dir() else []
    if default.resolve() not in [d.resolve() for d in dirs]:
        dirs.append(default)
    return dirs
