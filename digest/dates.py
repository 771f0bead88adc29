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
