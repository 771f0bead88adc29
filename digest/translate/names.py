"""English names for short labels: news agencies and sources, and tag names.

A source line such as ``رويترز`` or ``أ ف ب`` is a name, not a sentence: a model asked to
translate it alone guesses, so the common agencies come from :data:`AGENCIES`, which the
glossary's ``[names]`` table extends (and overrides). Labels are compared folded (no
diacritics, alef/teh marbuta/yeh folded, dots and dashes as spaces), with or without a
leading ``وكالة`` ("agency"). A source naming several agencies (``رويترز + الجزيرة``,
``أ ف ب، رويترز``) is looked up name by name.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Mapping

from ..text import fold_arabic, normalise

# The agencies and outlets Arabic news copy names most often, each with its usual spellings.
_TABLE: dict[str, tuple[str, ...]] = {
    "agencies": ("وكالات", "وكالات الأنباء", "وكالات انباء"),
    "Reuters": ("رويترز", "رويتر"),
    "AFP": ("أ ف ب", "أ.ف.ب", "فرانس برس", "فرانس بريس", "الفرنسية", "الصحافة الفرنسية"),
    "AP": ("أ ب", "أسوشيتد برس", "أسوشيتيد برس", "اسوشيتد برس", "أسوشييتد برس"),
    "Anadolu": ("الأناضول", "الاناضول"),
    "WAFA": ("وفا", "وكالة الأنباء الفلسطينية", "وكالة الأنباء والمعلومات الفلسطينية"),
    "SANA": ("سانا", "الوكالة العربية السورية للأنباء"),
    "QNA": ("قنا", "وكالة الأنباء القطرية"),
    "KUNA": ("كونا", "وكالة الأنباء الكويتية"),
    "WAM": ("وام", "وكالة أنباء الإمارات"),
    "SPA": ("واس", "وكالة الأنباء السعودية"),
    "MENA": ("أ ش أ", "وكالة أنباء الشرق الأوسط"),
    "Petra": ("بترا", "وكالة الأنباء الأردنية"),
    "INA": ("واع", "وكالة الأنباء العراقية"),
    "MAP": ("ومع", "وكالة المغرب العربي للأنباء"),
    "APS": ("واج", "وكالة الأنباء الجزائرية"),
    "TAP": ("وات", "وكالة تونس أفريقيا للأنباء"),
    "BNA": ("بنا", "وكالة أنباء البحرين"),
    "ONA": ("العمانية", "وكالة الأنباء العمانية"),
    "Saba": ("سبأ", "وكالة الأنباء اليمنية"),
    "SUNA": ("سونا", "وكالة السودان للأنباء"),
    "Xinhua": ("شينخوا", "شينغهوا"),
    "dpa": ("د ب أ", "الألمانية", "وكالة الأنباء الألمانية"),
    "EFE": ("إفي", "إيفي", "الإسبانية"),
    "TASS": ("تاس",),
    "Sputnik": ("سبوتنيك",),
    "IRNA": ("إرنا", "ارنا"),
    "Kyodo": ("كيودو",),
    "BBC": ("بي بي سي",),
    "BBC Arabic": ("بي بي سي عربي",),
    "Al Jazeera": ("الجزيرة", "الجزيرة نت"),
    "Al Arabiya": ("العربية", "العربية نت"),
    "Sky News Arabia": ("سكاي نيوز عربية",),
    "CNN": ("سي إن إن", "سي ان ان"),
    "France 24": ("فرانس 24",),
    "Asharq Al-Awsat": ("الشرق الأوسط",),
    "Al-Ahram": ("الأهرام",),
}

_PUNCT = re.compile(r"[.\-ـ•·()\[\]«»\"']+")
_AGENCY = ("وكاله انباء ", "وكاله ")
_SEPARATORS = re.compile(r"\s*(?:[+/،,؛;&|]|\s-\s)\s*")
_AND = re.compile(r"\s+و(?=\S)")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")


@lru_cache(maxsize=4096)  # asked for every tag and source of every article, every build
def label_key(text: str) -> str:
    """What two spellings of a name are compared by."""
    return " ".join(_PUNCT.sub(" ", fold_arabic(normalise(text))).split()).casefold()


def _keys(text: str) -> list[str]:
    key = label_key(text)
    keys = [key]
    for prefix in _AGENCY:
        if key.startswith(prefix) and len(key) > len(prefix):
            keys.append(key[len(prefix):])
    return keys


AGENCIES: dict[str, str] = {label_key(arabic): english for english, spellings in _TABLE.items()
                            for arabic in spellings}
"""The built-in table: folded Arabic spelling -> English name."""


def name_table(*extra: Mapping[str, str], base: Mapping[str, str] = AGENCIES) -> dict[str, str]:
    """``base`` (folded, such as :data:`AGENCIES`) with the ``extra`` tables (Arabic -> English)
    over it, later ones winning."""
    table = dict(base)
    for mapping in extra:
        table.update((label_key(arabic), english) for arabic, english in mapping.items())
    return table


def known_name(text: str, table: Mapping[str, str]) -> str | None:
    """The English of label ``text`` from ``table`` (see :func:`name_table`): itself when it
    has no Arabic letter, else None when the table does not know it."""
    if not _ARABIC.search(text):
        return text.strip() or None
    for key in _keys(text):
        if key in table:
            return table[key]
    return None


def source_parts(source: str, table: Mapping[str, str]) -> list[str]:
    """The names a source line gives: ``رويترز + الجزيرة`` is two, and so is ``رويترز ووكالات``
    when ``table`` knows both names (an unknown name keeps its ``و``, which may be its own)."""
    parts = []
    for part in _SEPARATORS.split(source):
        part = part.strip()
        if not part:
            continue
        pieces = _AND.split(part)
        if known_name(part, table) is None and len(pieces) > 1 and all(known_name(p, table) for p in pieces):
            parts.extend(pieces)
        else:
            parts.append(part)
    return parts or [source.strip()]
