"""The record of the Arabic each human translation was made from: the file beside
``digest.toml`` (:data:`RECORD_NAME`), read and written; see :mod:`digest.translate.originals`."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import NamedTuple

from ..content.problem import Problem
from ..text import shorten

RECORD_NAME = "translated-from.txt"
HEADER = ("# digest: the Arabic each human translation (name.en.md) was made from, one line each:\n"
          "# <hash of the English> <hash of each Arabic block, comma-separated, or -> <path under content/>.\n"
          "# Written by `digest build`; keep it in version control. Delete a line to accept an\n"
          "# article's English as current again.\n")
_LINE = re.compile(r"([0-9a-f]{12}) ((?:[0-9a-f]{12})(?:,[0-9a-f]{12})*|-) (\S.*)")


class Entry(NamedTuple):
    """What one human translation was made from (a tuple: 10,000 are made, read and
    compared in every build)."""

    english: str
    """The hash of the English (title and blocks)."""
    arabic: tuple[str, ...]
    """The hash of each Arabic block, in order."""


def read_record(path: Path) -> tuple[dict[str, Entry], list[Problem]]:
    """The entries of the record file at ``path`` by content path, and its bad lines.

    A missing file is an empty record. A line that cannot be read is a problem naming the
    file and line; its article is then treated as current.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [Problem((path,), f"cannot be read ({exc}): human translations are taken as current")]
    entries: dict[str, Entry] = {}
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        match = _LINE.fullmatch(line.rstrip())
        if match is None:
            problems.append(Problem((path,), f"line {number}: expected '<hash> <hashes or -> <path>' "
                                    f"(12 hex digits each), got {shorten(line, 60)!r}; that article's "
                                    "translation is taken as current"))
            continue
        english, arabic, name = match.groups()
        if name in entries:
            problems.append(Problem((path,), f"line {number}: {name} is listed twice; taken as current"))
            entries.pop(name)
            continue
        entries[name] = Entry(english, () if arabic == "-" else tuple(arabic.split(",")))
    return entries, problems


def format_record(entries: dict[str, Entry]) -> str:
    """The record file's text: the header, then one line per entry, sorted by path."""
    lines = [f"{e.english} {','.join(e.arabic) or '-'} {name}\n" for name, e in sorted(entries.items())]
    return HEADER + "".join(lines)


def write_record(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a temporary file beside it, then a rename)."""
    # Builds that write hold the output folder's lock: a temporary file left here is a killed one's.
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
