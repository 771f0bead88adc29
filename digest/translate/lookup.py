"""The translator a long-lived builder uses: looked for when first needed, and looked for
again once the package folders change after none was found (``digest models install`` run
beside ``digest serve``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..config import Config
from ..events import Reporter

if TYPE_CHECKING:
    from .stage import Translator


class TranslatorLookup:
    """Holds the translator given (tests, benchmarks) or ``"auto"``: found on first use."""

    def __init__(self, given: "Translator | None | str" = "auto") -> None:
        self.value = given
        self._missing: tuple | None = None
        """The package folders' stamp when no model was found (None: not looked for, or found)."""

    def get(self, config: Config, reporter: Reporter, pages: bool = True) -> "Translator | None":
        """The translator; wanted for tag and source names only (not ``pages``), a missing
        model goes unsaid, and is looked for again next time."""
        if self.appeared():
            self.value, self._missing = "auto", None  # a package was installed (or removed) since
        if self.value == "auto":
            from .engine import load_translator

            found = load_translator(config, reporter, warn_missing=pages)
            if found is None and config.translation.engine != "none":
                from .packages import packages_stamp  # urllib and zipfile: 0.1 s at start-up

                self._missing = packages_stamp()
            if found is None and not pages:
                return None
            self.value = found
        return self.value  # type: ignore[return-value]

    def appeared(self) -> bool:
        """A model was looked for and not found, and the package folders have changed since."""
        if self._missing is None or self.value not in (None, "auto"):
            return False
        from .packages import packages_stamp

        return self._missing != packages_stamp()
