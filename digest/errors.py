"""Every error type digest raises, in one module every layer may import.

Each stage raises its own type; the commands and the preview server decide what a person
sees, so they match on these classes rather than on names or messages.
"""

from __future__ import annotations

from pathlib import Path


class ConfigError(Exception):
    """Every problem found in a configuration, reported at once.

    ``path`` names the one file at fault; None when each problem names its own source
    (a flag, a line of ``digest.toml``), as :func:`~digest.config.load_config`'s do.
    """

    def __init__(self, path: Path | str | None, problems: list[str]):
        self.path = Path(path) if path is not None else None
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{f'{path}: ' if path is not None else ''}invalid configuration:\n{lines}")


class SourceError(Exception):
    """A content file that cannot be used; the message says why."""


class TranslationError(Exception):
    """The translator cannot work at all (for example, its model does not load).

    It stops the build: publishing every page as "translation pending" would replace good
    English already on the site.
    """


class PackageError(Exception):
    """A package file or index entry that cannot be installed; the message says why."""


class ThemeError(Exception):
    """A theme that cannot be used: missing folder, bad template, bad strings table."""


class SearchUnavailable(Exception):
    """Pagefind is not installed or could not build an index."""


class SearchCancelled(Exception):
    """An index build was given up because newer pages are on their way."""


class OutputError(Exception):
    """A file map that cannot be written (bad path, or an output folder in the way)."""


# Errors that stop a build and whose message alone says what to fix.
BUILD_STOPPERS = (ConfigError, ThemeError, OutputError, TranslationError)
