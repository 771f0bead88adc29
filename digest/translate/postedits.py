"""Post-edits: an editor's corrections of single machine-translated paragraphs.

Beside ``content/2026-11-22-oil-prices.md`` an editor may keep
``content/2026-11-22-oil-prices.edits.toml``::

    [[edit]]
    arabic = "ارتفعت أسعار النفط ٥٫٢٥ في المئة يوم الاثنين."
    english = "Oil prices rose 5.25 percent on Monday."

Each correction is keyed to the Arabic paragraph (or title, heading, list item, quote) it
translates, by a hash of its normalised text, so it follows the paragraph wherever it
moves. When that Arabic changes, the key no longer matches: the correction is not applied
(the paragraph gets a fresh machine translation) and is reported as out of date, on the
page and in the build output, next to the paragraph it most resembles. Nothing is ever
removed from the file by digest.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..content.cleantext import clean
from ..content.markup import plain_text
from ..content.safefile import UnsafeFile, read_limited
from ..text import normalise

SUFFIX = ".edits.toml"


@dataclass(frozen=True)
class PostEdit:
    """One correction: the Arabic it translates and the editor's English."""

    arabic: str
    english: str

    @property
    def key(self) -> str:
        return paragraph_key(self.arabic)


def paragraph_key(text: str) -> str:
    """The key of an Arabic paragraph: a hash of its normalised visible text, so an editor
    may copy the paragraph from the file (Markdown and all, list marker or ``#`` included)
    or from the page."""
    visible = plain_text(_MARKER.sub("", text))
    return hashlib.sha256(normalise(visible).encode("utf-8")).hexdigest()[:16]


_MARKER = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+|\d{1,9}[.)]\s+)+")
"""Block markers a line copied from the file starts with: heading, quote, list item."""


def edits_path(article_path: Path) -> Path:
    """``name.edits.toml`` beside ``name.md`` / ``name.txt``."""
    return article_path.with_name(article_path.stem + SUFFIX)


def load_post_edits(article_path: Path) -> tuple[dict[str, PostEdit], list[str]]:
    """The corrections for one article by key, and problems found in its edits file."""
    path = edits_path(article_path)
    try:
        # Read like an article: a FIFO in its place must not hang the build, and an article
        # kept from a folder that turned unreadable has an edits path that cannot be looked at.
        # Through a symbolic link only to a file beside the article or below its folder.
        raw, _ = read_limited(path, within=article_path.parent)
    except FileNotFoundError:
        return {}, []
    except OSError as exc:
        return {}, [f"{path}: post-edits not used: cannot be read: {exc.strerror or exc}"]
    except UnsafeFile as exc:
        return {}, [f"{path}: post-edits not used: {exc}"]
    try:
        data = clean(tomllib.loads(raw.decode("utf-8-sig")))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return {}, [f"{path}: post-edits not used: {exc}"]
    entries = data.get("edit", [])
    if not isinstance(entries, list):
        return {}, [f"{path}: post-edits not used: 'edit' must be a list of [[edit]] tables, "
                    f"got {type(entries).__name__} {entries!r}"]
    edits, problems = {}, []
    unknown = sorted(set(data) - {"edit"})
    if unknown:
        problems.append(f"{path}: key(s) ignored: {', '.join(unknown)} (the file holds [[edit]] tables)")
    for n, entry in enumerate(entries, 1):
        arabic, english = (entry.get("arabic"), entry.get("english")) if isinstance(entry, dict) else (None, None)
        if not (isinstance(arabic, str) and isinstance(english, str) and arabic.strip() and english.strip()):
            problems.append(f"{path}: edit {n} needs non-empty arabic and english strings")
            continue
        edit = PostEdit(arabic.strip(), english.strip())
        edits[edit.key] = edit
    return edits, problems


def closest(arabic: str, candidates: list[str]) -> int | None:
    """The index of the candidate an out-of-date correction most likely belonged to."""
    best, best_ratio = None, 0.5
    for i, text in enumerate(candidates):
        ratio = difflib.SequenceMatcher(None, normalise(arabic), normalise(text)).ratio()
        if ratio > best_ratio:
            best, best_ratio = i, ratio
    return best
