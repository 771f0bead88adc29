"""The glossary: Arabic terms with fixed English renderings, applied in every article.

``content/glossary.toml`` holds one table::

    [terms]
    "داعش" = "ISIS"
    "البنتاغون" = "the Pentagon"

An optional ``[names]`` table adds or corrects English names of sources and agencies
(:mod:`digest.translate.names` knows the common ones)::

    [names]
    "وكالة سبأ" = "Saba"

Names and terms both give tag names that are a whole term or name their English without
asking the machine.

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
TABLES = ("terms", "names")


def load_glossary(config: Config) -> dict[str, str]:
    """The project's glossary terms (Arabic -> English), empty when there is no file.

    A glossary that cannot be used whole raises :class:`~digest.config.ConfigError` listing
    every problem: built without it (or without some terms), every article would silently
    lose the fixed renderings.
    """
    return read_glossary(config)["terms"]


def load_names(config: Config) -> dict[str, str]:
    """The glossary's ``[names]`` table (Arabic -> English), empty when there is none."""
    return read_glossary(config)["names"]


def read_glossary(config: Config) -> dict[str, dict[str, str]]:
    """Both tables of the glossary, ``terms`` and ``names``; raises like :func:`load_glossary`."""
    path = config.content_dir / FILE_NAME
    tables: dict[str, dict[str, str]] = {name: {} for name in TABLES}
    if not os.path.lexists(path):
        return tables
    try:
        # Read like a content file: a link out of content/, a FIFO or a huge file is refused.
        raw, _ = read_limited(path, within=config.content_dir, limit=config.text.max_file_bytes)
        data = clean(tomllib.loads(raw.decode("utf-8-sig")))
    except (UnsafeFile, OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(path, [f"glossary not usable: {exc}"]) from None
    problems = [f"{key}: unknown table (the glossary has a [terms] and a [names] table)"
                for key in data if key not in TABLES]
    for name in TABLES:
        entries = data.get(name, {})
        if not isinstance(entries, dict):
            problems.append(f"{name}: expected a table of \"Arabic\" = \"English\" strings")
            continue
        for arabic, english in entries.items():
            if not isinstance(english, str) or not english.strip() or not arabic.strip():
                problems.append(f"{name}.{arabic!r}: expected a non-empty English string, got {english!r}")
            else:
                tables[name][arabic.strip()] = english.strip()
    if problems:
        raise ConfigError(path, problems)
    return tables
