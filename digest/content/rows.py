"""Parsed articles as plain data, and back: the build store's JSON entries and the article
pack's rows (:mod:`digest.content.pack`). Each is checked field by field when read back:
anything but exactly what this version writes raises :class:`Bad`, and the caller takes it
for a miss (the file is parsed again, or read)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache, partial
from pathlib import Path
from typing import cast

from ..config import Config
from ..errors import SourceError
from ..frozen import made
from .articles import Article, HumanTranslation, parse_article, parse_translation
from .leadimage import LeadImage
from .markup import Block
from .pack import StoredBlocks, checked_extras
from .sources import read_source
from .store import BuildStore


class Bad(Exception):
    """An entry or row that is not what this version writes."""


_TEXTS = {str}


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise Bad()
    return value


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise Bad()
    return value


def block_row(block: Block) -> list:
    """``block`` as JSON data."""
    return [block.kind, list(block.texts), block.level, block.ordered, block.group, block.columns, block.plain,
            block.number, block.continued]


_BLOCK_TYPES = (str, list, int, bool, int, int, bool, int, bool)


def blocks_of(value: object) -> tuple[Block, ...]:
    """The blocks :func:`block_row` gave the rows of ``value`` for."""
    if type(value) is not list:
        raise Bad()
    blocks = []
    for row in value:
        # Exact types (a bool is not taken for an int), compared in C: the loop runs for every
        # block of every article.
        if type(row) is not list or tuple(map(type, row)) != _BLOCK_TYPES or not {*map(type, row[1])} <= _TEXTS:
            raise Bad()
        blocks.append(Block(row[0], tuple(row[1]), *row[2:]))
    return tuple(blocks)


def encode_article(article: Article) -> list:
    """``article`` (without its human translation) as JSON data."""
    image = article.image
    return [article.slug, article.title, article.published.isoformat(), [block_row(b) for b in article.blocks],
            list(article.tags), article.source, article.author, article.undated, article.draft,
            list(article.ignored_keys), list(article.notes),
            None if image is None else [image.src, image.alt, image.caption, image.credit], article.digest]


def decode_article(path: Path, value: object) -> Article:
    """The article :func:`encode_article` gave ``value`` for; raises ``Bad`` on anything else."""
    if not isinstance(value, list) or len(value) != 13:
        raise Bad()
    slug, title, published, blocks, tags, source, author, undated, draft, ignored, notes, image, digest = value
    return Article(path=path, slug=text(slug), title=text(title), published=when_of(published),
                   blocks=blocks_of(blocks), tags=texts(tags, list), source=optional(source), author=optional(author),
                   undated=_bool(undated), draft=_bool(draft), ignored_keys=texts(ignored, list),
                   notes=texts(notes, list), image=lead_of(image, list), digest=text(digest))




def encode_translation(human: HumanTranslation) -> list:
    """A human translation as JSON data."""
    return [human.title, [block_row(b) for b in human.blocks], list(human.notes), human.digest]


def decode_translation(path: Path, value: object, digest: str) -> HumanTranslation:
    """The human translation :func:`encode_translation` gave ``value`` for, of the text with
    SHA-256 ``digest``; raises ``Bad`` on anything else."""
    if not (isinstance(value, list) and len(value) == 4 and value[3] == digest):
        raise Bad()
    return HumanTranslation(path, text(value[0]), blocks_of(value[1]), texts(value[2], list), digest)


def text(value: object) -> str:
    """``value`` if it is a text; raises :class:`Bad`."""
    if type(value) is not str:
        raise Bad()
    return value


def optional(value: object) -> str | None:
    """``value`` if it is a text or None; raises :class:`Bad`."""
    return None if value is None else text(value)


def texts(value: object, kind: type = tuple) -> tuple[str, ...]:
    """``value`` as a tuple if it is a ``kind`` (a row's tuple, or the list JSON gives) of
    texts; raises :class:`Bad`."""
    items = cast("tuple[str, ...]", value)  # or a list: checked just below
    if type(value) is not kind or not {*map(type, items)} <= _TEXTS:
        raise Bad()
    return tuple(items)  # a tuple is itself, not a copy


def lead_row(image: LeadImage | None) -> tuple | None:
    """A lead image as row data."""
    return None if image is None else (image.src, image.alt, image.caption, image.credit)


def lead_of(value: object, kind: type = tuple) -> LeadImage | None:
    """The lead image of :func:`lead_row`'s ``value`` (a ``kind``: a row's tuple, or the list
    JSON gives); raises :class:`Bad`."""
    if value is None:
        return None
    fields = cast("tuple[object, ...]", value)  # or a list: checked just below
    if type(value) is not kind or len(fields) != 4:
        raise Bad()
    return LeadImage(text(fields[0]), optional(fields[1]), optional(fields[2]), optional(fields[3]))


@lru_cache(maxsize=4096)  # articles of a day share their date: one parse each
def _when(value: str) -> dt.datetime:
    return when_of(value)


def when_of(value: object) -> dt.datetime:
    """The aware datetime of an ISO text; raises :class:`Bad`."""
    try:
        when = dt.datetime.fromisoformat(text(value))
    except ValueError:
        raise Bad() from None
    if when.tzinfo is None:
        raise Bad()
    return when


Reload = Callable[[Path, str, str, str], tuple[Block, ...]]
"""``(path, kind, key, digest)`` -> the blocks of the file at ``path`` whose text had SHA-256 ``digest``."""


def article_row(article: Article, stamp: tuple, key: str, note: str, extras: list) -> tuple:
    """The row of a parsed ``article`` (without its human translation) read under ``stamp``;
    ``key`` and ``note``: its entries in the build store (the parse and the stamp's hash)."""
    return ("article", stamp, article.digest, key, note, article.slug, article.title, article.published.isoformat(),
            article.tags, article.source, article.author, article.undated, article.draft, article.ignored_keys,
            article.notes, lead_row(article.image), len(article.blocks), extras)


def translation_row(human: HumanTranslation, stamp: tuple, key: str, note: str, extras: list) -> tuple:
    """The row of a parsed human translation: as :func:`article_row`."""
    return ("translation", stamp, human.digest, key, note, human.title, human.notes, len(human.blocks), extras)


_NONE = type(None)
_ARTICLE = {(str, tuple, str, str, str, str, str, str, tuple, source, author, bool, bool, tuple, tuple, image, int,
             list) for source in (str, _NONE) for author in (str, _NONE) for image in (tuple, _NONE)}
_TRANSLATION = (str, tuple, str, str, str, str, tuple, int, list)


def _blocks(path: Path, kind: str, row: tuple, count: int, extras: object, reload: Reload) -> StoredBlocks:
    # A partial, not a closure: one object, not a function and a cell per name, per file.
    return StoredBlocks(row[3], count, checked_extras(extras), partial(reload, path, kind, row[3], row[2]))


def article_of(path: Path, row: tuple, reload: Reload) -> Article:
    """The article of :func:`article_row`'s ``row``, read from ``path``, its blocks left to
    ``reload``; raises :class:`Bad` for a row of another shape."""
    # Every field's type at once, in C: this runs for every unchanged article.
    if tuple(map(type, row)) not in _ARTICLE or row[0] != "article" or row[16] < 0 or not {
            *map(type, row[8]), *map(type, row[13]), *map(type, row[14])} <= _TEXTS:
        raise Bad()
    image = row[15]
    return made(Article, path=path, slug=row[5], title=row[6], published=_when(row[7]),
                blocks=_blocks(path, "article", row, row[16], row[17], reload), tags=row[8], source=row[9],
                author=row[10], human=None, undated=row[11], draft=row[12], ignored_keys=row[13],
                notes=row[14], image=None if image is None else lead_of(image), digest=row[2])


def translation_of(path: Path, row: tuple, reload: Reload) -> HumanTranslation:
    """The human translation of :func:`translation_row`'s ``row``: as :func:`article_of`."""
    if tuple(map(type, row)) != _TRANSLATION or row[0] != "translation" or row[7] < 0 or not {
            *map(type, row[6])} <= _TEXTS:
        raise Bad()
    return made(HumanTranslation, path=path, title=row[5],
                blocks=_blocks(path, "translation", row, row[7], row[8], reload), notes=row[6], digest=row[2])


def reload_blocks(store: BuildStore, path: Path, config: Config, kind: str, key: str, digest: str
                  ) -> tuple[Block, ...]:
    """The blocks of the file at ``path`` whose text had SHA-256 ``digest``: from its entry
    ``key`` in ``store``, else (gone from the store, pruned by another build, or damaged) from
    the file parsed again, as it is now; none if it cannot be read."""
    value = store.get("articles", key)
    try:
        if kind == "article":
            article = decode_article(path, value)
            if article.digest == digest:
                return article.blocks
        else:
            return decode_translation(path, value, digest).blocks
    except (Bad, TypeError, ValueError):
        pass
    try:
        src = read_source(path, config.content_dir, config.text.max_file_bytes)
        parsed = parse_article(path, src, config) if kind == "article" else parse_translation(path, src)
    except SourceError:
        return ()
    return parsed.blocks
