"""Dates for readers: Gregorian everywhere, plus Hijri (Umm al-Qura) on Arabic pages."""

from __future__ import annotations

import datetime as dt

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
    if lang != "ar":
        return f"{GREGORIAN_EN[month - 1]} {year}"
    text = f"{GREGORIAN_AR[month - 1]} {year} م"
    first = dt.date(year, month, 1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    start, end = hijri(first), hijri(last)
    if start and end:
        if start[:2] == end[:2]:
            text += f"، {HIJRI_AR[start[1] - 1]} {start[0]} هـ"
        elif start[0] == end[0]:
            text += f"، {HIJRI_AR[start[1] - 1]} – {HIJRI_AR[end[1] - 1]} {end[0]} هـ"
        else:
            text += f"، {HIJRI_AR[start[1] - 1]} {start[0]} – {HIJRI_AR[end[1] - 1]} {end[0]} هـ"
    return text
