"""An Arabic-aware sentence splitter that runs offline.

Sentences end at ``.``, ``!``, ``?``, ``؟``, ``…`` (or ``...``), with any closing quotes or
brackets that follow, and then whitespace. There is no split inside numbers (``٥٫٢٥``,
``12,500``, ``3.5``), after abbreviations and single letters (``د.``, ``أ.ف.ب``, ``Mr.``),
or inside URLs and e-mail addresses: text masked by :mod:`digest.translate.protect` has none left to
split, and the splitter checks on its own as well.
"""

from __future__ import annotations

import re

ABBREVIATIONS = frozenset({
    "د", "م", "ص", "ب", "ق", "هـ", "ج", "أ", "ش", "ت", "ف", "ح",
    "mr", "mrs", "ms", "dr", "prof", "st", "no", "vs", "etc", "e.g", "i.e", "u.s", "u.n", "inc", "jr", "sr",
})
_CLOSERS = "\"'”’»)]}›"
# A terminator run, its closing quotes/brackets, then whitespace: the split point is after them.
_END = re.compile(rf"(?:[.!?؟…]+|\.\.\.)[{re.escape(_CLOSERS)}]*(?=\s+)")
_URLISH = re.compile(r"(?:https?://|www\.|[\w.+-]+@)\S*$")


def _is_abbreviation(before: str) -> bool:
    """True if the word ending just before a ``.`` is an abbreviation or a single letter."""
    word = re.split(r"[\s(«\"“]", before)[-1].lower()
    if not word:
        return False
    if len(word) == 1 and word.isalpha():
        return True
    if re.fullmatch(r"(?:\w\.)+\w", word):  # أ.ف.ب, u.s
        return True
    return word in ABBREVIATIONS or _URLISH.search(before) is not None


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences; ``"".join(result) == text``.

    Each sentence keeps the whitespace that follows it, so joining gives the text back.
    """
    out: list[str] = []
    start = 0
    for match in _END.finditer(text):
        terminator = match.group(0).rstrip(_CLOSERS)
        if terminator == "." and _is_abbreviation(text[start:match.start()]):
            continue
        end = match.end()
        while end < len(text) and text[end].isspace():
            end += 1
        if text[start:match.start()].strip():
            out.append(text[start:end])
            start = end
    if start < len(text):
        if out and not text[start:].strip():
            out[-1] += text[start:]
        else:
            out.append(text[start:])
    return out
