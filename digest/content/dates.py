"""Dates for readers: Gregorian everywhere, plus Hijri (Umm al-Qura) on Arabic pages."""

from __future__ import annotations

import calendar
import datetime as dt
import re

GREGORIAN_AR = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس",
                "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر")
HIJRI_AR = ("محرم", "صفر", "ربيع الأول", "ربيع الآخر", "جمادى الأولى", "جمادى الآخرة", "رجب",
            "شعبان", "رمضان", "شوال", "ذو القعدة", "ذو الحجة")
GREGORIAN_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")


def hijri(day: dt.date) -> tuple[int, int, int] | None:
    """``(year, month, day)`` in the Umm al-Qura calendar, or None outside its range."""
    from hijridate import Gregorian  # deferred: only Arabic pages need it

    try:
        h = Gregorian(day.year, day.month, day.day).to_hijri()
    except (ValueError, OverflowError):
        return None
    return h.year, h.month, h.day


def format_date(value: dt.date | dt.datetime, lang: str) -> str:
    """A date as readers of ``lang`` expect it."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if lang == "ar":
        text = f"{day.day} {GREGORIAN_AR[day.month - 1]} {day.year}"
        h = hijri(day)
        if h:
            text += f" م، {h[2]} {HIJRI_AR[h[1] - 1]} {h[0]} هـ"
        return text
    return f"{day.day} {GREGORIAN_EN[day.month - 1]} {day.year}"


def month_label(year: int, month: int, lang: str) -> str:
    """A Gregorian month as a heading; on Arabic pages with the Hijri months it spans."""
    main, secondary = month_labels(year, month, lang)
    return f"{main}، {secondary}" if secondary else main


def month_labels(year: int, month: int, lang: str) -> tuple[str, str | None]:
    """``(Gregorian month, Hijri months it spans)`` for readers of ``lang``: one calendar
    each, for a link and the line under it. The second is None on non-Arabic pages (and
    outside the Umm al-Qura range)."""
    if lang != "ar":
        return f"{GREGORIAN_EN[month - 1]} {year}", None
    first = dt.date(year, month, 1)
    last = first.replace(day=calendar.monthrange(year, month)[1])  # December 9999 has no next month
    start, end = hijri(first), hijri(last)
    span = None
    if start and end:
        if start[:2] == end[:2]:
            span = f"{HIJRI_AR[start[1] - 1]} {start[0]} هـ"
        elif start[0] == end[0]:
            span = f"{HIJRI_AR[start[1] - 1]} – {HIJRI_AR[end[1] - 1]} {end[0]} هـ"
        else:
            span = f"{HIJRI_AR[start[1] - 1]} {start[0]} – {HIJRI_AR[end[1] - 1]} {end[0]} هـ"
    return f"{GREGORIAN_AR[month - 1]} {year} م", span


# Levantine month names, as Syrian, Lebanese, Jordanian and Iraqi sites write them.
_LEVANTINE = ("كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول",
              "تشرين الأول", "تشرين الثاني", "كانون الأول")
_MONTHS = {name: n for names in (GREGORIAN_AR, _LEVANTINE) for n, name in enumerate(names, 1)}
_MONTHS.update({"ابريل": 4, "اغسطس": 8, "ايار": 5, "اذار": 3})  # spelt without hamza or madda
_MONTHS.update({name.lower(): n for n, name in enumerate(GREGORIAN_EN, 1)})
_WEEKDAYS = r"(?:(?:ال)?(?:سبت|أحد|احد|اثنين|إثنين|ثلاثاء|أربعاء|اربعاء|خميس|جمعة)|يوم\s+\S+)"
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_NAMED = re.compile(rf"^(?:{_WEEKDAYS}\s*[،,]?\s*)?(\d{{1,2}})\s+(?:من\s+)?(\S+(?:\s+ال\S+)?)\s*[،,]?\s+(\d{{4}})"
                    r"(?:\s*[،,-]?\s*(?:الساعة\s*)?\d{1,2}[:.]\d{2}(?:\s*\S+)?)?$")
_NUMERIC = re.compile(r"^(?:(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})|(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}))"
                      r"(?:\s+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)?$")


def parse_dateline(line: str) -> dt.date | None:
    """The date a line copied from a news page says when it says nothing else
    (``الأربعاء 14 أكتوبر 2015``, ``14 تشرين الأول 2015``, ``2015-10-14``, ``14/10/2015 10:30``),
    else None."""
    text = " ".join(line.translate(_DIGITS).replace("\u200f", "").replace("\u200e", "").split())
    match = _NAMED.match(text)
    if match:
        day, month, year = int(match.group(1)), _MONTHS.get(match.group(2).lower()), int(match.group(3))
    else:
        match = _NUMERIC.match(text)
        if not match:
            return None
        if match.group(1):
            year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
        else:
            day, month, year = int(match.group(4)), int(match.group(5)), int(match.group(6))
    if month is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
