"""The glossary: Arabic terms with fixed English renderings, applied in every article.

``content/glossary.toml`` holds one table::

    [terms]
    "داعش" = "ISIS"
    "البنتاغون" = "the Pentagon"

A term is masked before translation (see :mod:`digest.translate.protect`) and comes out as its
rendering, so the model never sees it. Sentences with a term share cache entries with the
same sentences under any rendering, and a new term re-translates only the sentences that
contain it.
"""

from __future__ import annotations

import os
import tomllib

from ..config import Config
from ..content.cleantext import clean
from ..content.safefile import UnsafeFile, read_limited
from ..errors import ConfigError

FILE_NAME = "glossary.toml"


def load_glossary(config: Config) -> dict[str, str]:
    """The project's glossary (Arabic -> English), empty when there is no file.

    A glossary that cannot be used whole raises :class:`~digest.config.ConfigError` listing
    every problem: built without it (or without some terms), every article would silently
    lose the fixed renderings.
    """
    path = config.content_dir / FILE_NAME
    if not os.path.lexists(path):
        return {}
    try:
        # Read like a content file: a link out of content/, a FIFO or a huge file is refused.
        raw, _ = read_limited(path, within=config.content_dir, limit=config.text.max_file_bytes)
        data = clean(tomllib.loads(raw.decode("utf-8-sig")))
    except UnsafeFile as exc:
        raise ConfigError(path, [f"glossary not usable: {exc}"]) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(path, [f"glossary not usable: {exc}"]) from None
    problems = [f"{key}: unknown table (the glossary is one [terms] table)" for key in data if key != "terms"]
    terms = data.get("terms", {})
    if not isinstance(terms, dict):
        problems.append("terms: expected a table of \"Arabic\" = \"English\" strings")
        terms = {}
    good = {}
    for arabic, english in terms.items():
        if not isinstance(english, str) or not english.strip() or not arabic.strip():
            problems.append(f"terms.{arabic!r}: expected a non-empty English string, got {english!r}")
        else:
            good[arabic.strip()] = english.strip()
    if problems:
        raise ConfigError(path, problems)
    return good
