"""Raw text copied from a news site: title, paragraphs, agency line and page chrome.

The first non-empty line is the title and every following line a paragraph. Leftover
widgets of the page (comment, share, print...) are dropped wherever they stand, a
trailing line naming a news agency becomes the article's source, and a line that is only
a date (``الأربعاء 14 أكتوبر 2015``), above the title or right under it, becomes its date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..errors import SourceError
from ..text import fold_arabic
from .dates import parse_dateline
from .markup import Block

_SOURCE_PREFIX = re.compile(r"^(?:المصدر|مصدر|source)\s*[:：]\s*", re.I)


@dataclass(frozen=True)
class RawArticle:
    """What a raw text file says."""

    title: str
    blocks: tuple[Block, ...]
    source: str | None
    date: dt.date | None = None


def _key(line: str) -> str:
    """Compare lines ignoring diacritics, punctuation, spacing and alef/ya/ta-marbuta variants."""
    line = fold_arabic(line)
    line = re.sub(r"[^\w]+", " ", line)
    return " ".join(line.split()).lower()


def _agency(line: str, agency_keys: set[str]) -> str | None:
    """The agency a short closing line names (``رويترز``, ``المصدر: ...``, ``رويترز - أ ف ب``)."""
    if len(line) > 60:
        return None
    candidate = _SOURCE_PREFIX.sub("", line).strip()
    names = [n for n in re.split(r"\s*(?:[-/|،,]|و(?=\s))\s*", candidate) if n.strip()]
    if candidate and (_SOURCE_PREFIX.match(line) or (names and all(_key(n) in agency_keys for n in names))):
        return candidate
    return None


def parse_raw_text(text: str, agencies: tuple[str, ...], chrome: tuple[str, ...]) -> RawArticle:
    """Parse raw news text; ``agencies`` and ``chrome`` are the configured line lists."""
    chrome_keys = {_key(c) for c in chrome}
    agency_keys = {_key(a) for a in agencies}
    lines = [" ".join(line.split()) for line in text.split("\n")]
    lines = [line for line in lines if line and _key(line) not in chrome_keys]
    date = None
    while lines and (day := parse_dateline(lines[0])) is not None:  # a dateline above the title
        date, lines = date or day, lines[1:]
    if len(lines) > 1 and (day := parse_dateline(lines[1])) is not None:  # or right under it
        date, lines = date or day, lines[:1] + lines[2:]
    if not lines:
        raise SourceError("has no text besides page chrome")
    title, body = lines[0], lines[1:]
    source = _agency(body[-1], agency_keys) if body else None
    if source is not None:
        body.pop()
    if not body:
        raise SourceError("has a title but no paragraphs")
    blocks = tuple(Block("paragraph", (line,), plain=True) for line in body)
    return RawArticle(title=title, blocks=blocks, source=source, date=date)
