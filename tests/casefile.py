"""Reads the input/expected cases in ``tests/fixtures/<area>/*.txt`` (format: tests/fixtures/README.md).

One reader for every area, so each area's test is a parametrised loop over cases whose ids
are their titles: a failure names the file, the line and the case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


@dataclass(frozen=True)
class Case:
    """One case: its title, its options (``:name value`` lines), its input and expected lines."""

    title: str
    options: dict[str, list[str]]
    input: str
    expected: list[str]
    where: str

    def option(self, name: str, default: str | None = None) -> str | None:
        """The last value given for option ``name``, or ``default``."""
        return self.options.get(name, [default])[-1]


def _text(line: str) -> str:
    # Stand-ins for what a text file cannot show: a trailing space and invisible marks.
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), line).replace("␣", " ")


def read_cases(path: Path) -> list[Case]:
    """Every case in one fixture file; a malformed file raises ValueError naming the line."""
    lines = path.read_text(encoding="utf-8").split("\n")
    cases: list[Case] = []
    i = 0

    def fail(reason: str):
        raise ValueError(f"{path}:{start}: case {title!r}: {reason} (line {i + 1})")

    while i < len(lines):
        line = lines[i]
        if not line.strip() or line.startswith("#"):
            i += 1
            continue
        title, start, options = line.strip(), i + 1, {}  # start: the title's line
        i += 1
        while i < len(lines) and lines[i].startswith(":"):
            name, _, value = lines[i][1:].partition(" ")
            options.setdefault(name, []).append(_text(value))
            i += 1
        sections = []
        for _ in range(2):
            if i >= len(lines) or lines[i] != ".":
                fail("expected a line '.'")
            i += 1
            body = []
            while i < len(lines) and lines[i] != ".":
                body.append(_text(lines[i]))
                i += 1
            sections.append(body)
        if i >= len(lines):
            fail("its expected part has no closing '.'")
        i += 1
        cases.append(Case(title, options, "\n".join(sections[0]), sections[1], f"{path.name}:{start}"))
    return cases


def cases(area: str, name: str = "*") -> list:
    """pytest parameters for every case of ``tests/fixtures/<area>/<name>.txt``, with the
    file's name and the case's title as the id."""
    params, seen = [], set()
    for path in sorted((FIXTURES / area).glob(f"{name}.txt")):
        for case in read_cases(path):
            case_id = f"{path.stem}: {case.title}"
            if case_id in seen:
                raise ValueError(f"{path}: two cases are titled {case.title!r}")
            seen.add(case_id)
            params.append(pytest.param(case, id=case_id))
    if not params:
        raise ValueError(f"no cases in {FIXTURES / area}/{name}.txt")
    return params
