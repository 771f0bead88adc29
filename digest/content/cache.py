"""Parsed articles across processes, by a hash of the file's text and what shapes its parsing.

A content file is still read (safely, as always: :func:`~digest.content.sources.read_source`)
but not parsed again when the build store has the article its text gives: the key covers
the decoded text, the path (the slug and date may come from the file name), the reading
settings (``[text]``, the content folder) and, through :func:`~digest.content.store.cache_key`,
digest's version and the store's schema. An undated article's date is the file's time, so it
is taken from the file now, never from the entry.

Entries are JSON, checked field by field when read: one that does not decode to exactly
what this version writes is a miss, parsed again and stored again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from ..config import Config
from ..errors import SourceError
from .articles import (
    TRANSLATION_SUFFIX,
    Article,
    HumanTranslation,
    _published,
    _stem,
    parse_article,
    parse_translation,
)
from .leadimage import LeadImage
from .markup import Block
from .parallel import take
from .sources import SourceText, read_source
from .store import BuildStore, cache_key

T = TypeVar("T")


class _Bad(Exception):
    """An entry that is not what this version writes."""


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise _Bad()
    return value


def _opt(value: object) -> str | None:
    return None if value is None else _str(value)


def _strs(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _Bad()
    return tuple(map(_str, value))


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Bad()
    return value


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise _Bad()
    return value


def _block_row(block: Block) -> list:
    return [block.kind, list(block.texts), block.level, block.ordered, block.group, block.columns, block.plain,
            block.number, block.continued]


_BLOCK_TYPES = (str, list, int, bool, int, int, bool, int, bool)


def _blocks(value: object) -> tuple[Block, ...]:
    if type(value) is not list:
        raise _Bad()
    blocks = []
    for row in value:
        # Exact types (a bool is not taken for an int): the loop runs for every block of every article.
        if (type(row) is not list or len(row) != 9 or not all(map(_is, row, _BLOCK_TYPES))
                or not all(type(text) is str for text in row[1])):
            raise _Bad()
        blocks.append(Block(row[0], tuple(row[1]), *row[2:]))
    return tuple(blocks)


def _is(value: object, kind: type) -> bool:
    return type(value) is kind


def encode_article(article: Article) -> list:
    """``article`` (without its human translation) as JSON data."""
    image = article.image
    return [article.slug, article.title, article.published.isoformat(), [_block_row(b) for b in article.blocks],
            list(article.tags), article.source, article.author, article.undated, article.draft,
            list(article.ignored_keys), list(article.notes),
            None if image is None else [image.src, image.alt, image.caption, image.credit], article.digest]


def decode_article(path: Path, value: object) -> Article:
    """The article :func:`encode_article` gave ``value`` for; raises ``_Bad`` on anything else."""
    if not isinstance(value, list) or len(value) != 13:
        raise _Bad()
    slug, title, published, blocks, tags, source, author, undated, draft, ignored, notes, image, digest = value
    try:
        when = dt.datetime.fromisoformat(_str(published))
    except ValueError:
        raise _Bad() from None
    if when.tzinfo is None:
        raise _Bad()
    lead = None
    if image is not None:
        if not isinstance(image, list) or len(image) != 4:
            raise _Bad()
        lead = LeadImage(_str(image[0]), _opt(image[1]), _opt(image[2]), _opt(image[3]))
    return Article(path=path, slug=_str(slug), title=_str(title), published=when, blocks=_blocks(blocks),
                   tags=_strs(tags), source=_opt(source), author=_opt(author), undated=_bool(undated),
                   draft=_bool(draft), ignored_keys=_strs(ignored), notes=_strs(notes), image=lead,
                   digest=_str(digest))


@lru_cache(maxsize=4)
def reading_key(config: Config) -> str:
    """What shapes parsing beyond the file: the ``[text]`` settings and the content folder."""
    return repr((config.text, str(config.content_dir)))


class ArticleCache:
    """Reads articles and human translations, parsing only files the store has not seen.

    New entries are kept until :meth:`flush` (one transaction per build).
    """

    def __init__(self, store: BuildStore) -> None:
        self.store = store
        self._new: list[tuple[str, object]] = []
        self._looked: dict[Path, tuple] = {}
        """Path -> (source, key, text hash, entry) of files :meth:`misses` looked up."""
        self.ready: dict[str, object] = {}
        """Path -> what parsing it gave elsewhere (:func:`~digest.content.parallel.read_all`),
        used for a file the store lacks instead of parsing it here."""
        self.parsed = 0
        """Files parsed (not found in the store) since the last :meth:`flush`."""

    @staticmethod
    def _key(kind: str, path: Path, text: str, config: Config) -> tuple[str, str]:
        """The key of ``text`` read from ``path``, and the text's SHA-256."""
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        return cache_key(kind, reading_key(config), str(path), digest), digest

    def _lookup(self, kind: str, path: Path, config: Config) -> tuple:
        looked = self._looked.pop(path, None)
        if looked is not None:
            return looked
        src = read_source(path, config.content_dir, config.text.max_file_bytes)
        key, digest = self._key(kind, path, src.text, config)
        return src, key, digest, self.store.get("articles", key)

    def misses(self, paths: Sequence[str], config: Config) -> list[str]:
        """The files of ``paths`` the store has no entry for (to parse them all at once
        elsewhere); what was looked up is kept for the reads that follow. A file that cannot
        be read is left to those reads, which report it."""
        content, limit, reading = config.content_dir, config.text.max_file_bytes, reading_key(config)
        read: list[tuple[str, Path, SourceText, str, str]] = []
        for name in paths:
            path = Path(name)
            kind = "translation" if name.endswith(TRANSLATION_SUFFIX) else "article"
            try:
                src = read_source(path, content, limit)
            except SourceError:
                continue
            digest = hashlib.sha256(src.text.encode("utf-8", "surrogatepass")).hexdigest()
            read.append((name, path, src, cache_key(kind, reading, str(path), digest), digest))
        # One query for them all: 20,000 single ones took a fifth of the lookups' time.
        found = self.store.get_many("articles", [key for _, _, _, key, _ in read])
        missing = []
        for name, path, src, key, digest in read:
            value = found.get(key)
            self._looked[path] = (src, key, digest, value)
            if value is None:
                missing.append(name)
        return missing

    def _parse(self, path: Path, parse: Callable[[], T]) -> T:
        self.parsed += 1
        return take(self.ready, str(path), parse)

    def read_article(self, path: Path | str, config: Config) -> Article:
        """As :func:`~digest.content.articles.read_article`, from the store when it can."""
        path = Path(path)
        src, key, digest, value = self._lookup("article", path, config)
        if value is not None:
            try:
                article = decode_article(path, value)
            except (_Bad, TypeError, ValueError):
                pass
            else:
                if article.digest != digest:  # another file's entry: not this text's
                    article = parse_article(path, src, config)
                    self._new.append((key, encode_article(article)))
                    return article
                if article.undated:  # dated by the file's time, which is not in the key
                    article = dataclasses.replace(article, published=_published(None, _stem(path), src.mtime))
                return article
        article = self._parse(path, lambda: parse_article(path, src, config))
        self._new.append((key, encode_article(article)))
        return article

    def read_translation(self, path: Path | str, config: Config) -> HumanTranslation:
        """As :func:`~digest.content.articles.read_translation`, from the store when it can."""
        path = Path(path)
        src, key, digest, value = self._lookup("translation", path, config)
        if isinstance(value, list) and len(value) == 4 and value[3] == digest:
            try:
                return HumanTranslation(path, _str(value[0]), _blocks(value[1]), _strs(value[2]), digest)
            except (_Bad, TypeError, ValueError):
                pass
        human = self._parse(path, lambda: parse_translation(path, src))
        self._new.append((key, [human.title, [_block_row(b) for b in human.blocks], list(human.notes), digest]))
        return human

    def flush(self) -> None:
        """Store the files parsed since the last flush."""
        self.store.put_many("articles", self._new)
        self._new = []
        # Looked up or parsed for this load only: the next one must see the files as they are then.
        self._looked.clear()
        self.ready = {}
