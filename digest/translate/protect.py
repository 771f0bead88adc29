"""What never passes through the model: markup, link targets, code, URLs, e-mails, hashtags, numbers.

:func:`mask` replaces each such span of an inline Markdown text with a placeholder ``⟦n⟧``
and returns the spans; :func:`unmask` puts them back. Link text and emphasised text stay in
the masked text (they are translated); only their brackets, delimiters and targets are
masked, so they keep their markup. A translation that loses, repeats or invents a
placeholder is rejected by :func:`unmask` and the engine falls back to translating the runs
between spans one by one (:func:`runs`), which preserves every span by construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

DIGITS = "0-9\u0660-\u0669\u06f0-\u06f9"
_NUMBER = rf"[+-]?[{DIGITS}]+(?:[.,\u066b\u066c:/][{DIGITS}]+)*[%\u066a]?"
_PATTERNS = [
    r"`+[^`]*`+",                                   # inline code
    r"!?\[(?=[^\]]*\]\([^)]*\))",                   # opening of a link or image
    r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)",             # ](target "title")
    r"<(?:https?://|mailto:)[^>\s]+>",              # autolink
    r"(?:https?://|www\.)[^\s<>()\[\]]+[^\s<>()\[\].,;:!?،؛]",  # bare URL
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",                # e-mail
    r"(?<![&A-Za-z0-9])#[\w\u0600-\u06ff]+",        # hashtag (may follow a proclitic: و#سوريا)
    r"\*\*|__|\*|(?<!\w)_|_(?!\w)|~~",              # emphasis delimiters
    r"\\[\\`*_{}\[\]()#+\-.!|]",                    # backslash escape
    _NUMBER,
]
_PROTECTED = re.compile("|".join(f"(?:{p})" for p in _PATTERNS))
_PLACEHOLDER = re.compile(r"⟦(\d+)⟧")
_PROCLITIC = re.compile(r"(?<!\w)([وفبلك])(⟦\d+⟧)")


def placeholder(n: int) -> str:
    return f"⟦{n}⟧"


@dataclass(frozen=True)
class Masked:
    """An inline text with its protected spans replaced by ``⟦0⟧``, ``⟦1⟧``...

    ``spans`` are what each placeholder becomes in the translation (a glossary term becomes
    its fixed English); ``originals`` what it was in the source.
    """

    text: str
    spans: tuple[str, ...]
    originals: tuple[str, ...]


def mask(text: str, plain: bool = False, glossary: dict[str, str] | None = None) -> Masked:
    """Replace protected spans of ``text`` with numbered placeholders.

    With ``plain`` the text is not Markdown: only URLs, e-mails, hashtags and numbers are
    protected. ``glossary`` terms (Arabic -> English) are masked too and come out as their
    English rendering.
    """
    spans: list[str] = []
    originals: list[str] = []
    glossary = glossary or {}
    pattern = _pattern(tuple(sorted(glossary, key=len, reverse=True)))

    def keep(match: re.Match) -> str:
        span = match.group(0)
        if match.lastgroup == "term":
            spans.append(glossary[span])
        elif plain and span.startswith(("`", "[", "!", "]", "<", "*", "_", "~", "\\")):
            return span
        else:
            spans.append(span)
        originals.append(span)
        return placeholder(len(spans) - 1)

    return Masked(pattern.sub(keep, text), tuple(spans), tuple(originals))


@lru_cache(maxsize=8)
def _pattern(terms: tuple[str, ...]) -> re.Pattern:
    """The protected spans, glossary terms first; a term may follow a one-letter proclitic."""
    if not terms:
        return _PROTECTED
    words = "|".join(re.escape(t) for t in terms)
    term = rf"(?P<term>(?:(?<!\w)|(?<=(?<!\w)[وفبلك]))(?:{words})(?!\w))"
    return re.compile(term + "|" + _PROTECTED.pattern)


def model_text(masked: str) -> str:
    """What the model sees of a masked sentence: a proclitic glued to a masked span
    (و12,500, والبنتاغون) becomes a word of its own."""
    return _PROCLITIC.sub(r"\1 \2", masked)


def placeholders(text: str) -> list[int]:
    """The placeholder numbers in ``text``, in order."""
    return [int(n) for n in _PLACEHOLDER.findall(text)]


def renumber(text: str) -> tuple[str, list[int]]:
    """Renumber the placeholders of one sentence from 0; return it and the original numbers.

    Sentences that differ only in their numbers, links or code then share a cache entry.
    """
    order: list[int] = []

    def local(match: re.Match) -> str:
        order.append(int(match.group(1)))
        return placeholder(len(order) - 1)

    return _PLACEHOLDER.sub(local, text), order


def restore(translated: str, order: list[int]) -> str | None:
    """Map local placeholders back to the block's numbering; None if any is lost or repeated."""
    found = placeholders(translated)
    if sorted(found) != list(range(len(order))):
        return None
    return _PLACEHOLDER.sub(lambda m: placeholder(order[int(m.group(1))]), translated)


def unmask(text: str, spans: tuple[str, ...]) -> str:
    """Put the spans back into a (translated) masked text."""
    return _PLACEHOLDER.sub(lambda m: spans[int(m.group(1))] if int(m.group(1)) < len(spans) else m.group(0), text)


def runs(text: str) -> list[str]:
    """Split a masked text into alternating runs: text, placeholder, text, ... (text may be '')."""
    return _PLACEHOLDER.split(text)[::2]


def join_runs(texts: list[str], order: list[int]) -> str:
    """Rebuild a sentence from translated runs and the placeholders that separated them."""
    out = [texts[0]]
    for n, text in zip(order, texts[1:]):
        out.append(placeholder(n))
        out.append(text)
    return "".join(out)
