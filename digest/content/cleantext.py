"""The one place where text entering the model loses characters no page or feed may hold.

XML 1.0 (the Atom feeds) forbids C0 controls but tab, newline and carriage return, lone
surrogates, and U+FFFE/U+FFFF; HTML calls every control and noncharacter a parse error.
They reach digest through YAML and TOML escapes (``"\\x00"``, ``"\\ud800"``) and pasted
text, never as something an editor meant to publish, so they are dropped on reading:
front matter, bodies, raw text, human translations, post-edits and the glossary all pass
through :func:`clean` before anything else looks at them.
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL and C1 controls, lone surrogates, and the 66
# noncharacters (U+FDD0..U+FDEF and the last two code points of every plane).
_UNWANTED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
    + "]"
)
_LINE_BREAK = re.compile(r"\r\n?")


def clean_text(text: str) -> str:
    """``text`` with a carriage return read as a line break and every character that is
    not allowed in HTML text or XML 1.0 removed; tab and newline stay."""
    if text.isprintable():
        # The common case, Arabic included: every character removed below (controls,
        # surrogates, noncharacters) and the carriage return are unprintable.
        return text
    if text.replace("\n", "").replace("\t", "").isprintable():
        # A whole file: its line breaks and tabs stay, and the rest is printable. Two copies
        # and a scan in C take a tenth of the time of the expression below.
        return text
    return _UNWANTED.sub("", _LINE_BREAK.sub("\n", text))


def clean(value):
    """:func:`clean_text` applied to every string in ``value``: a string, or the lists and
    mappings (keys too) that YAML front matter and TOML files are read into; other values
    are returned as they are."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, tuple):
        return tuple(clean(v) for v in value)
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    return value
