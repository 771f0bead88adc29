"""Plain-string helpers every stage shares: normalising, Arabic folding, shortening, direction.

Strings in, strings out: this module imports nothing from digest, so any layer may use it.
The search page's script (themes/default/static/search.js) folds queries the way
:func:`fold_arabic` folds the index; the two must change together.
"""

from __future__ import annotations

import re
import unicodedata

RTL_LANGUAGES = {"ar", "fa", "he", "ur", "ps", "ku", "yi", "dv", "sd", "ug"}

# Quranic annotation marks, harakat, superscript alef and tatweel: none changes the word.
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD = (("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ٱ", "ا"), ("ة", "ه"), ("ى", "ي"))
"""Letter -> the letter it folds to. No result is itself folded, so replacing one pair after
the other is the same as replacing all at once."""


def direction(lang: str) -> str:
    """``rtl`` or ``ltr`` for a language code."""
    return "rtl" if lang.split("-")[0] in RTL_LANGUAGES else "ltr"


def normalise(text: str) -> str:
    """The form of a sentence that is hashed and compared: NFC, whitespace collapsed, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def fold_arabic(text: str) -> str:
    """Arabic text with no diacritics or tatweel, and alef, teh marbuta and yeh folded."""
    if text.isascii():  # nothing to fold (every character above is beyond ASCII)
        return text
    text = _DIACRITICS.sub("", text)
    # One str.replace per letter: a scan in C each, where str.translate looked every
    # character up in a table (10x slower on Arabic, 60,000 record texts at 10,000 articles).
    for letter, folded in _FOLD:
        text = text.replace(letter, folded)
    return text


def shorten(text: str, limit: int, strip: str = "") -> str:
    """``text``, or its first ``limit`` characters cut back to a whole word (then ``strip``
    trimmed from the end), with "…"."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(strip) + "…"


# Control characters (C0, DEL, C1), line and paragraph separators, and the bidi embeddings,
# overrides and isolates that reorder what follows them: in a file name any of these could
# print a forged line, or colour one, at the editor's terminal.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def printable(text: str) -> str:
    """``text`` on one line, its control characters shown as escapes (``\\n``, ``\\x1b``)."""
    return _UNPRINTABLE.sub(_escape, text)


def shown_here(text: str, here: str) -> str:
    """``text`` with every path under the absolute folder ``here`` shown relative to it: a
    message names ``content/a.md``, not the whole path from the root. Only where a path
    starts (not inside a longer path or a ``file://`` address); nothing under ``/``, under
    which every path is."""
    here = here.rstrip("/")
    return re.sub(r"(?<![\w/.:~-])" + re.escape(here + "/"), "", text) if here else text
