"""The glossary: Arabic terms with fixed English renderings, applied in every article.

``content/glossary.toml`` holds one table::

    [terms]
    "داعش" = "ISIS"
    "البنتاغون" = "the Pentagon"

A term is masked before translation (see :mod:`digest.protect`) and comes out as its
rendering, so the model never sees it. Sentences with a term share cache entries with the
same sentences under any rendering, and a new term re-translates only the sentences that
contain it.
"""

from __future__ import annotations

import tomllib
from typing import Callable

from .config import Config

FILE_NAME = "glossary.toml"


def load_glossary(config: Config, warn: Callable[[str], None] = lambda message: None) -> dict[str, str]:
    """The project's glossary (Arabic -> English); empty, with a warning, if unreadable."""
    path = config.content_dir / FILE_NAME
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        warn(f"{path}: glossary not used: {exc}")
        return {}
    terms = data.get("terms", {})
    good = {k.strip(): v.strip() for k, v in terms.items() if isinstance(v, str) and k.strip() and v.strip()}
    if len(good) != len(terms) or set(data) - {"terms"}:
        warn(f"{path}: only a [terms] table of \"Arabic\" = \"English\" strings is read")
    return good
