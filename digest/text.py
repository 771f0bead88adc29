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
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي"})


def direction(lang: str) -> str:
    """``rtl`` or ``ltr`` for a language code."""
    return "rtl" if lang.split("-")[0] in RTL_LANGUAGES else "ltr"


def normalise(text: str) -> str:
    """The form of a sentence that is hashed and compared: NFC, whitespace collapsed, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def fold_arabic(text: str) -> str:
    """Arabic text with no diacritics or tatweel, and alef, teh marbuta and yeh folded."""
    return _DIACRITICS.sub("", text).translate(_FOLD)


def shorten(text: str, limit: int, strip: str = "") -> str:
    """``text``, or its first ``limit`` characters cut back to a whole word (then ``strip``
    trimmed from the end), with "…"."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(strip) + "…"
