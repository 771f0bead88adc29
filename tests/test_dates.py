"""Dates: datelines read from raw text and the dates readers see. The cases are in
tests/fixtures/dates; the Hijri calendar is checked against hijridate."""

import datetime as dt

import pytest
from casefile import cases
from hijridate import Gregorian

from digest.content.dates import HIJRI_AR, format_date, month_label, parse_dateline


@pytest.mark.parametrize("case", cases("dates", "datelines"))
def test_dateline(case):
    (expected,) = case.expected
    assert str(parse_dateline(case.input) or "none") == expected


@pytest.mark.parametrize("case", cases("dates", "formatting"))
def test_date_as_readers_see_it(case):
    lang = case.option("lang")
    if case.input.count("-") == 1:
        year, month = map(int, case.input.split("-"))
        shown = month_label(year, month, lang)
    else:
        shown = format_date(dt.date.fromisoformat(case.input), lang)
    assert [shown] == case.expected


def test_hijri_dates_match_hijridate():
    for day in (dt.date(2026, 11, 22), dt.date(2025, 3, 1), dt.date(2024, 12, 31)):
        h = Gregorian(day.year, day.month, day.day).to_hijri()
        assert f"{h.day} {HIJRI_AR[h.month - 1]} {h.year} هـ" in format_date(day, "ar")
