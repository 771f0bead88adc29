"""Where each setting came from, so a configuration problem names its true source.

A value set by a command-line flag is named by the flag (``--theme nosuch``), one read from
``digest.toml`` by the file and line (``digest.toml:3: site.page_size``), and a default by
its key alone. tomllib keeps no line numbers, so :func:`key_lines` finds them in the text:
simply, by table headers and ``key =`` lines, which is all a hand-written config holds.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

_TABLE = re.compile(r"^\s*\[\[?\s*([^\[\]#]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-.\s])+?)\s*=""")
_PART = re.compile(r"""\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_\-]+))\s*""")
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def _dotted(name: str) -> str:
    """A TOML key or table name with its quotes and spaces taken out: ``"site" . x`` -> ``site.x``."""
    return ".".join(next(g for g in m.groups() if g is not None) for m in _PART.finditer(name)
                    if any(g is not None for g in m.groups()))


def key_lines(text: str) -> dict[str, int]:
    """The 1-based line of each table and key in TOML ``text``, by dotted name (first wins).

    A dotted key also names the tables it opens (``site.page_size = 0`` gives ``site``).
    Lines inside multi-line strings are skipped.
    """
    lines: dict[str, int] = {}
    table = ""
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if in_string:
            if line.count(in_string) % 2:
                in_string = None
            continue
        header = _TABLE.match(line)
        if header:
            table = _dotted(header.group(1))
            lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if not key:
            continue
        parts = [p for p in (table, _dotted(key.group(1))) if p]
        full = ".".join(parts).split(".")
        for i in range(1, len(full) + 1):
            lines.setdefault(".".join(full[:i]), number)
        for quote in ('"""', "'''"):
            if line.count(quote) % 2:
                in_string = quote
    return lines


class Sources:
    """Names the source of each setting of one configuration.

    ``path`` is the ``digest.toml`` looked for, ``text`` its text (None when there is no such
    file, or it could not be read) and ``flags`` the command-line overrides by dotted key,
    each as the flag and value a person typed (``{"site.theme": "--theme nosuch"}``).
    """

    def __init__(self, path: Path, text: str | None, flags: dict[str, str]) -> None:
        self.path = path
        self.text = text
        self.flags = flags
        self.lines = key_lines(text) if text is not None else {}

    def origin(self, key: str) -> str | None:
        """``"flag"``, ``"file"`` or None (the default) for the dotted ``key``."""
        if key in self.flags:
            return "flag"
        if key in self.lines:
            return "file"
        return None

    def problem(self, key: str, reason: str, in_file: bool = False) -> str:
        """``reason`` about ``key``, prefixed with where its value came from (the file's
        line, even if a flag overrides it, when ``in_file``: the file's value is at fault)."""
        if key in self.flags and not in_file:
            return f"{self.flags[key]}: {reason}"
        line = self.lines.get(key)
        if line is not None:
            return f"{self.path}:{line}: {key}: {reason}"
        return f"{key}: {reason}"

    def unparsable(self, reason: str) -> str:
        """The file itself cannot be read as TOML: ``reason``, at its line when it says one."""
        found = _TOML_LINE.search(reason)
        return f"{self.path}{f':{found.group(1)}' if found else ''}: not valid TOML: {reason}"


def flag(name: str, value: object) -> str:
    """A flag and its value as typed on a command line: ``--theme nosuch``."""
    return f"{name} {shlex.quote(str(value))}"
