"""Parsed articles across processes, by a hash of the file's text and what shapes its parsing.

A content file is read (safely, as always: :func:`~digest.content.sources.read_source`) unless
its stamp is known (below), and not parsed again when the build store has the article its text gives: the key covers
the decoded text, the path (the slug and date may come from the file name), the reading
settings (``[text]``, the content folder) and, through :func:`~digest.content.store.cache_key`,
digest's version and the store's schema. An undated article's date is the file's time, so it
is taken from the file now (its status, when it is not read), never from the entry.

Entries are JSON, checked field by field when read: one that does not decode to exactly
what this version writes is a miss, parsed again and stored again.

A new process need not even read a file it has seen: the store also maps a file's stamp
(path, mtime in nanoseconds, size, inode, type: what :mod:`digest.output.memo` and the
in-memory builder already trust) to the hash of the text it held (table :data:`STAMPS`), and
the article stays keyed by that hash below it. Only a regular file that is not itself a
symbolic link is taken by its stamp (the listing follows only folder links that stay inside
the content folder); a link, or a stamp the store lacks, is read as before. The blind
spot is memo.py's: a file whose bytes change while its mtime, size and inode stay the same
(a tool that writes in place and then restores the mtime) keeps its old article until its
stamp changes. A stamp entry that is not a hash is ignored, and the file read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import re
import stat
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple, TypeVar

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
STAMPS = "stamps"
"""The build store's table of file stamp -> hash of the text read under it."""
_HASH = re.compile(r"[0-9a-f]{64}")

Stamp = tuple[int, int, int, int]


def stamp_of(st: os.stat_result) -> Stamp:
    """A file's stamp from its status: mtime in ns, size, inode and type (what the whole-build
    memo, the in-memory builder and the stamp table all trust)."""
    return (st.st_mtime_ns, st.st_size, st.st_ino, stat.S_IFMT(st.st_mode))


def file_stamp(path: str) -> tuple[Stamp, bool]:
    """The stamp of the file at ``path`` (of its target for a symbolic link), and whether it
    is a regular file reached without a link: the only kind whose stamp stands for its text.
    Raises :class:`OSError`."""
    st = os.lstat(path)
    plain = stat.S_ISREG(st.st_mode)
    if stat.S_ISLNK(st.st_mode):
        st = os.stat(path)
    return stamp_of(st), plain


class _Bad(Exception):
    """An entry that is not what this version writes."""


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise _Bad()
    return value


def _opt(value: object) -> str | None:
    return None if value is None else _str(value)


_TEXTS = {str}


def _strs(value: object) -> tuple[str, ...]:
    if type(value) is not list or not {*map(type, value)} <= _TEXTS:
        raise _Bad()
    return tuple(value)


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
        # Exact types (a bool is not taken for an int), compared in C: the loop runs for every
        # block of every article.
        if type(row) is not list or tuple(map(type, row)) != _BLOCK_TYPES or not {*map(type, row[1])} <= _TEXTS:
            raise _Bad()
        blocks.append(Block(row[0], tuple(row[1]), *row[2:]))
    return tuple(blocks)


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
    """Reads articles and human translations, parsing only files the store has not seen,
    and reading only files whose stamp it does not know (see the module's docstring).

    New entries are kept until :meth:`flush` (one transaction per build).
    """

    def __init__(self, store: BuildStore) -> None:
        self.store = store
        self._new: list[tuple[str, object]] = []
        self._new_stamps: list[tuple[str, object]] = []
        self._looked: dict[str, _Looked] = {}
        """Path -> what :meth:`misses` found for the files it looked up."""
        self.stamps: dict[str, tuple[Stamp, bool]] = {}
        """Path -> :func:`file_stamp` of the files :meth:`misses` looked up, for the build's own
        check of each file (taken once, not twice)."""
        self.ready: dict[str, object] = {}
        """Path -> what parsing it gave elsewhere (:func:`~digest.content.parallel.read_all`),
        used for a file the store lacks instead of parsing it here."""
        self.parsed = 0
        """Files parsed (not found in the store) so far."""
        self.unread = 0
        """Files taken by their stamp, without reading them, so far."""

    @staticmethod
    def _stamp_key(kind: str, reading: str, path: str, stamp: Stamp) -> str:
        return cache_key("stamp", kind, reading, path, *map(str, stamp))

    def _source(self, kind: str, path: Path, config: Config, stamp: tuple[Stamp, bool] | None) -> _Looked:
        """Read ``path``: its text, key and hash, with the stamp entry to record once it is used."""
        src = read_source(path, config.content_dir, config.text.max_file_bytes)
        reading = reading_key(config)
        digest = hashlib.sha256(src.text.encode("utf-8", "surrogatepass")).hexdigest()
        note = self._stamp_key(kind, reading, str(path), stamp[0]) if stamp is not None and stamp[1] else None
        return _Looked(src, cache_key(kind, reading, str(path), digest), digest, None, note)

    def _lookup(self, kind: str, path: Path, config: Config, stamp: tuple[Stamp, bool] | None) -> _Looked:
        looked = self._looked.pop(str(path), None)
        if looked is not None:
            return looked
        looked = self._source(kind, path, config, stamp)
        return looked._replace(value=self.store.get("articles", looked.key))

    def misses(self, paths: Sequence[str], config: Config) -> list[str]:
        """The files of ``paths`` the store has no entry for (to parse them all at once
        elsewhere); what was looked up is kept for the reads that follow. A file whose stamp
        the store knows is not read. A file that cannot be read is left to those reads,
        which report it."""
        reading = reading_key(config)
        kinds = {name: "translation" if name.endswith(TRANSLATION_SUFFIX) else "article" for name in paths}
        stamped = {}
        for name in paths:
            try:
                stamped[name] = file_stamp(name)
            except OSError:
                continue
        self.stamps.update(stamped)
        notes = {name: self._stamp_key(kinds[name], reading, name, stamp)
                 for name, (stamp, plain) in stamped.items() if plain}
        # One query for each table: 20,000 single ones took a fifth of the lookups' time.
        known = self.store.get_many(STAMPS, notes.values())
        read: list[_Looked] = []
        names = []
        for name in paths:
            note = notes.get(name)
            digest = known.get(note) if note is not None else None
            if isinstance(digest, str) and _HASH.fullmatch(digest):
                read.append(_Looked(None, cache_key(kinds[name], reading, name, digest), digest, None, None))
            else:
                try:
                    read.append(self._source(kinds[name], Path(name), config, stamped.get(name)))
                except SourceError:
                    continue
            names.append(name)
        found = self.store.get_many("articles", [looked.key for looked in read])
        missing = []
        for name, looked in zip(names, read):
            value = found.get(looked.key)
            self._looked[name] = looked._replace(value=value)
            if value is None:
                missing.append(name)
        return missing

    def _parse(self, path: Path, parse: Callable[[], T]) -> T:
        self.parsed += 1
        return take(self.ready, str(path), parse)

    def _found(self, looked: _Looked) -> None:
        """``looked`` gave its file's value: note the stamp it was read under, or that it was not read."""
        if looked.note is not None:
            self._new_stamps.append((looked.note, looked.digest))
        elif looked.src is None:
            self.unread += 1

    def _stored(self, kind: str, path: Path, config: Config, stamp: tuple[Stamp, bool] | None,
                decode: Callable[[_Looked], T | None]) -> tuple[_Looked, T | None]:
        """``path`` looked up, and what ``decode`` makes of its entry (None: no usable entry).
        A file known by its stamp whose entry is not usable is read after all, and its text's
        entry looked up: a stamp entry naming another text costs a read, never a wrong article."""
        looked = self._lookup(kind, path, config, stamp)
        value = decode(looked) if looked.value is not None else None
        if value is None and looked.src is None:
            looked = self._source(kind, path, config, stamp)
            looked = looked._replace(value=self.store.get("articles", looked.key))
            value = decode(looked) if looked.value is not None else None
        if value is not None:
            self._found(looked)
        return looked, value

    def read_article(self, path: Path | str, config: Config, stamp: tuple[Stamp, bool] | None = None) -> Article:
        """As :func:`~digest.content.articles.read_article`, from the store when it can.
        ``stamp``: the file's :func:`file_stamp`, noted in the store with the hash of its text."""
        path = Path(path)

        def decode(looked: _Looked) -> Article | None:
            try:
                article = decode_article(path, looked.value)
            except (_Bad, TypeError, ValueError):
                return None
            return article if article.digest == looked.digest else None  # else another file's entry

        looked, article = self._stored("article", path, config, stamp, decode)
        if article is not None:
            if article.undated:  # dated by the file's time, which is not in the key
                mtime = looked.src.mtime if looked.src is not None else os.stat(path).st_mtime
                article = dataclasses.replace(article, published=_published(None, _stem(path), mtime))
            return article
        src = looked.src
        assert src is not None  # read by _stored when it was not
        article = self._parse(path, lambda: parse_article(path, src, config))
        self._new.append((looked.key, encode_article(article)))
        self._found(looked)
        return article

    def read_translation(self, path: Path | str, config: Config,
                         stamp: tuple[Stamp, bool] | None = None) -> HumanTranslation:
        """As :func:`~digest.content.articles.read_translation`, from the store when it can."""
        path = Path(path)

        def decode(looked: _Looked) -> HumanTranslation | None:
            value, digest = looked.value, looked.digest
            if not (isinstance(value, list) and len(value) == 4 and value[3] == digest):
                return None
            try:
                return HumanTranslation(path, _str(value[0]), _blocks(value[1]), _strs(value[2]), digest)
            except (_Bad, TypeError, ValueError):
                return None

        looked, human = self._stored("translation", path, config, stamp, decode)
        if human is not None:
            return human
        src = looked.src
        assert src is not None  # read by _stored when it was not
        human = self._parse(path, lambda: parse_translation(path, src))
        self._new.append((looked.key, [human.title, [_block_row(b) for b in human.blocks], list(human.notes),
                                       looked.digest]))
        self._found(looked)
        return human

    def flush(self) -> None:
        """Store the files parsed, and the stamps read, since the last flush."""
        self.store.put_many("articles", self._new)
        self.store.put_many(STAMPS, self._new_stamps)
        self._new, self._new_stamps = [], []
        # Looked up or parsed for this load only: the next one must see the files as they are then.
        self._looked.clear()
        self.stamps.clear()
        self.ready = {}


class _Looked(NamedTuple):
    """A content file as :class:`ArticleCache` looked it up: its text (None: known by its
    stamp, not read), entry key and text hash, the entry found (or None), and the stamp
    entry to note once the file gave its value (None: nothing to note)."""

    src: SourceText | None
    key: str
    digest: str
    value: object
    note: str | None
