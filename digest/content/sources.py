"""Reading editors' files: bytes to clean text, whatever the encoding and line endings.

News text arrives as UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1256, the
legacy Arabic code page; line endings may be CRLF or bare CR.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import SourceError
from .safefile import DEFAULT_LIMIT, UnsafeFile, read_limited


@dataclass(frozen=True)
class SourceText:
    """A decoded content file."""

    path: Path
    text: str
    encoding: str
    mtime: float


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# C0 controls other than tab/newline/CR/form feed betray a binary file.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# What Arabic news text in Windows-1256 is made of: ASCII, Arabic letters, marks and digits,
# typographic punctuation, guillemets, NBSP and a few signs. Every byte decodes in that code
# page, so random bytes would "decode" too; about half of them land outside this set.
_NOT_ARABIC_TEXT = re.compile(r"[^\x00-\x7f\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff"
                              r"\u2000-\u206f\u00a0\u00ab\u00bb\u00b0\u00d7\u00f7]")
ODD_SHARE = 0.05
"""Share of characters outside that set above which a Windows-1256 reading is refused."""


def decode(data: bytes) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``.

    A BOM decides first; then strict UTF-8; then Windows-1256, if it reads as Arabic text.
    Raises :class:`SourceError` for binary data (NUL or other control bytes, or bytes that
    only "decode" because every byte means something in Windows-1256).
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise SourceError(f"starts with a {encoding} byte-order mark but is not {encoding}: "
                                  f"{exc.reason}") from None
    if b"\x00" in data:
        raise SourceError("binary file (contains NUL bytes), not text")
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1256"), "windows-1256"
        except UnicodeDecodeError as exc:
            raise SourceError(f"neither UTF-8 nor Windows-1256 text: {exc.reason}") from None
        visible = "".join(text.split())
        odd = len(_NOT_ARABIC_TEXT.findall(visible))
        if odd > ODD_SHARE * len(visible):
            raise SourceError(f"not UTF-8, and read as Windows-1256 it is not Arabic text ({odd} of its "
                              f"{len(visible)} characters are stray symbols or Latin letters): binary, or "
                              "another encoding? Save it as UTF-8") from None
    if _CONTROL.search(text):
        raise SourceError("binary file (contains control bytes), not text")
    return text, encoding


def normalise(text: str) -> str:
    """Unify line endings to ``\\n`` and compose Unicode (NFC)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    return unicodedata.normalize("NFC", text)


def read_source(path: Path, within: Path | None = None, limit: int = DEFAULT_LIMIT) -> SourceText:
    """Read and decode one content file, raising :class:`SourceError` with the reason.

    ``within`` (the content folder) and ``limit`` are passed to
    :func:`~digest.safefile.read_limited`: a symbolic link out of the folder, a FIFO, socket
    or device, and a file over ``limit`` bytes are refused without being read.
    """
    try:
        data, st = read_limited(path, within, limit)
    except UnsafeFile as exc:
        raise SourceError(str(exc)) from None
    except OSError as exc:
        raise SourceError(f"cannot be read: {exc.strerror or exc}") from None
    mtime = st.st_mtime
    text, encoding = decode(data)
    text = normalise(text)
    if not text.strip():
        raise SourceError("is empty")
    return SourceText(path=path, text=text, encoding=encoding, mtime=mtime)


_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


def split_front_matter(text: str) -> tuple[dict, str, int]:
    """Split YAML front matter from a Markdown body.

    Returns ``(metadata, body, body_line)`` where ``body_line`` is the 1-based line the body
    starts on. Raises :class:`SourceError` naming the line for malformed YAML.
    """
    import yaml  # deferred: only Markdown articles need it

    match = _FRONT.match(text)
    if not match:
        if text.startswith("---\n"):
            raise SourceError("line 1: front matter starts with '---' but has no closing '---'")
        return {}, text, 1
    raw = match.group(1) or ""
    try:
        meta = _parse(raw) if raw.strip() else {}
    except ValueError as exc:
        # PyYAML reads 2026-13-45 as a timestamp and fails building it.
        where = _impossible_date_line(raw, str(exc))
        raise SourceError(f"{where}front matter has an impossible date or time: {exc}") from None
    except yaml.YAMLError as exc:
        # Where an unclosed quote or bracket starts, not where PyYAML noticed (often the end).
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 2}: " if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        if context and getattr(exc, "context_mark", None):
            reason = f"{reason} {context}"
        raise SourceError(f"{where}front matter is not valid YAML: {reason}") from None
    if not isinstance(meta, dict):
        raise SourceError("line 2: front matter must be a mapping of keys to values")
    return meta, text[match.end():], text[: match.end()].count("\n") + 1


def _impossible_date_line(raw: str, reason: str) -> str:
    """``"line N: "`` for the timestamp in ``raw`` that cannot be built for ``reason`` (the
    first such one; the first of any if none has that reason), as :func:`split_front_matter`
    counts lines (the front matter starts on line 2); ``""`` if none is found."""
    import yaml

    pure = _loader(pure=True)
    try:
        root = yaml.compose(raw, Loader=pure)
    except yaml.YAMLError:
        return ""
    lines: list[tuple[bool, int]] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:  # an alias reaches a node again: once is enough
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(item for pair in node.value for item in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif node.tag == "tag:yaml.org,2002:timestamp":
            try:
                yaml.load(node.value, Loader=pure)
            except ValueError as exc:
                lines.append((str(exc) != reason, node.start_mark.line + 2))
    return f"line {min(lines)[1]}: " if lines else ""


def _parse(raw: str):
    """``raw`` front matter read by libyaml, or, if that fails, by pure-Python PyYAML, whose
    reading and messages are the reference: libyaml refuses some input it accepts (a
    ``"\\ud800"`` escape, whose lone surrogate is removed later) and places errors
    differently. Only a bad file is read twice."""
    import yaml

    fast = _loader()
    try:
        return yaml.load(raw, Loader=fast)
    except yaml.YAMLError:
        if fast is _loader(pure=True):
            raise
    return yaml.load(raw, Loader=_loader(pure=True))


def _loader(pure: bool = False):
    """PyYAML's safe loader without aliases: front matter has no use for ``&a``/``*a``, and a
    few hundred bytes of nested aliases expand to billions of items (the "billion laughs").

    Built on libyaml's ``CSafeLoader`` when PyYAML was compiled with it (parsing is several
    times faster at 10,000 articles) unless ``pure``, else on the pure-Python ``SafeLoader``.
    """
    if not _LOADERS:
        import yaml

        def no_aliases(base):
            class NoAliasLoader(base):  # type: ignore[valid-type,misc]  # the base is picked at run time (libyaml or not)
                def construct_object(self, node, deep=False):
                    # A node built before is reached again only through an alias.
                    if node in self.constructed_objects:
                        raise yaml.constructor.ConstructorError(
                            None, None, "aliases (*name) are not allowed in front matter", node.start_mark)
                    return super().construct_object(node, deep)
            return NoAliasLoader

        _LOADERS[True] = no_aliases(yaml.SafeLoader)
        _LOADERS[False] = no_aliases(yaml.CSafeLoader) if yaml.__with_libyaml__ else _LOADERS[True]
    return _LOADERS[pure]


_LOADERS: dict = {}
