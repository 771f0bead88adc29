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
(:mod:`digest.content.stamps`) to the hash of the text it held (table :data:`STAMPS`), and
the article stays keyed by that hash below it. Only a regular file that is not itself a
symbolic link is taken by its stamp (the listing follows only folder links that stay inside
the content folder); a link, or a stamp the store lacks, is read as before. The blind
spot is memo.py's: a file whose bytes change while its mtime, size and inode stay the same
(a tool that writes in place and then restores the mtime) keeps its old article until its
stamp changes. A stamp entry that is not one written for its own key is ignored, and the file read.

Above both, a new process takes an unchanged file from the article pack
(:mod:`digest.content.pack`) by the same stamp, without the store: its blocks stay in the
store until something reads them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache, partial
from pathlib import Path
from typing import NamedTuple, TypeVar

from ..config import Config
from ..errors import SourceError
from . import pack, rows
from .articles import (
    TRANSLATION_SUFFIX,
    Article,
    HumanTranslation,
    _published,
    _stem,
    parse_article,
    parse_translation,
)
from .markup import Block
from .parallel import ReadFile, take
from .paths import Paths
from .sources import SourceText, read_source
from .stamps import STAMPS, Stamp, file_stamp, stamp_key, stamp_value, stamped_digest
from .store import BuildStore, cache_key

T = TypeVar("T")
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
        """Path -> :func:`file_stamp` of the files :meth:`misses` looked up (each taken once)."""
        self.ready: dict[str, object] = {}
        """Path -> what parsing it gave in the workers (:func:`~digest.content.parallel.read_all`)."""
        self.parsed = 0
        """Files parsed (not found in the store) so far."""
        self.unread = 0
        """Files taken by their stamp, without reading them, so far."""
        self._hits: dict[str, tuple] = {}
        """Path -> the pack row :meth:`misses` found for the file (its stamp the row's)."""
        self.made: dict[str, tuple] = {}
        """Path -> (pack row or None, what the file gave, stamp, store key) of every plain
        file read: what :meth:`save_pack` makes the next pack of."""
        self.regular: set[str] = set()  # the files misses() last found to be regular files, no links
        self.known: dict[str, tuple[Stamp, bool]] = {}
        """Path -> :func:`file_stamp`, taken just before by the caller (the whole-build memo
        stamps every input): used by the next :meth:`misses` instead of stamping again."""
        self._kept: list[tuple] = []
        """The pack rows used since the last flush (their store entries stay in use)."""
        self._disk: pack.Pack = pack.NO_PACK
        """The pack as last read or written: a row that is its row for the path is not written again."""
        self._config: Config | None = None
        self._pid = os.getpid()
        self._here: BuildStore | None = None
        self._here_pid = 0

    def _source(self, kind: str, path: Path, config: Config, stamp: tuple[Stamp, bool] | None) -> _Looked:
        """Read ``path``: its text, key and hash, with the stamp entry to record once it is used."""
        src = read_source(path, config.content_dir, config.text.max_file_bytes)
        reading = reading_key(config)
        digest = hashlib.sha256(src.text.encode("utf-8", "surrogatepass")).hexdigest()
        note = stamp_key(kind, reading, str(path), stamp[0]) if stamp is not None and stamp[1] else None
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
        stamped: dict[str, tuple[Stamp, bool]] = {}
        taken, self.known = self.known, {}
        self._config = config
        self._disk = pack.read_pack(self.store.path.parent, pack.pack_key(reading))
        packed, hits, rest = self._disk.rows, self._hits, []
        self.regular = regular = set()
        for name in paths:
            try:
                stamp, plain = stamped[name] = taken.get(name) or file_stamp(name)
            except OSError:
                rest.append(name)
                continue
            if plain:
                regular.add(name)
            row = packed.get(name)
            # A row whose stamp is the file's stands for it (stamps are tuples of ints: equal
            # values, equal stamps); the rest of the row is checked when it is used.
            if plain and type(row) is tuple and len(row) > 1 and row[1] == stamp:
                hits[name] = row
            else:
                rest.append(name)
        self.stamps.update((name, stamped[name]) for name in rest if name in stamped)
        kinds = {name: "translation" if name.endswith(TRANSLATION_SUFFIX) else "article" for name in rest}
        notes = {name: stamp_key(kinds[name], reading, name, stamped[name][0])
                 for name in rest if name in stamped and stamped[name][1]}
        # One query for each table: 20,000 single ones took a fifth of the lookups' time.
        known = self.store.get_many(STAMPS, notes.values())
        read: list[_Looked] = []
        names = []
        for name in rest:
            note = notes.get(name)
            digest = stamped_digest(note, known.get(note)) if note is not None else None
            if digest is not None:
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
            self._new_stamps.append((looked.note, stamp_value(looked.note, looked.digest)))
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

    def unpack(self) -> dict[str, ReadFile]:
        """What the pack rows :meth:`misses` found give: path -> the file's stamp and its
        article or human translation (blocks left in the store). A row of another shape is
        left out, and its file read as without one."""
        config = self._config
        assert config is not None or not self._hits  # set by misses(), which found the rows
        reload = self._reload
        found: dict[str, ReadFile] = {}
        made, kept = self.made, self._kept
        article_of, translation_of = rows.article_of, rows.translation_of
        new_read = partial(tuple.__new__, ReadFile)  # ReadFile((stamp, value)) without a call in Python
        path_of = Paths()
        for name, row in self._hits.items():
            try:
                if name.endswith(TRANSLATION_SUFFIX):
                    value: Article | HumanTranslation = translation_of(path_of(name), row, reload)
                else:
                    value = article_of(path_of(name), row, reload)
            except (rows.Bad, ValueError, TypeError):
                continue
            made[name] = (row, value, row[1], row[3])
            found[name] = new_read((row[1], value))
            kept.append(row)
        self.unread += len(found)
        self._hits.clear()
        return found

    def read_article(self, path: Path | str, config: Config, stamp: tuple[Stamp, bool] | None = None) -> Article:
        """As :func:`~digest.content.articles.read_article`, from the pack or the store when
        it can. ``stamp``: the file's :func:`file_stamp`, noted in the store with the hash of its text."""
        path = Path(path)

        def decode(looked: _Looked) -> Article | None:
            try:
                article = rows.decode_article(path, looked.value)
            except (rows.Bad, TypeError, ValueError):
                return None
            return article if article.digest == looked.digest else None  # else another file's entry

        looked, article = self._stored("article", path, config, stamp, decode)
        if article is not None:
            if article.undated:  # dated by the file's time, which is not in the key
                mtime = looked.src.mtime if looked.src is not None else os.stat(path).st_mtime
                article = dataclasses.replace(article, published=_published(None, _stem(path), mtime))
        else:
            src = looked.src
            assert src is not None  # read by _stored when it was not
            article = self._parse(path, lambda: parse_article(path, src, config))
            self._new.append((looked.key, rows.encode_article(article)))
            self._found(looked)
        self._made(path, article, stamp, looked.key)
        return article

    def read_translation(self, path: Path | str, config: Config,
                         stamp: tuple[Stamp, bool] | None = None) -> HumanTranslation:
        """As :func:`~digest.content.articles.read_translation`, from the pack or the store when it can."""
        path = Path(path)

        def decode(looked: _Looked) -> HumanTranslation | None:
            try:
                return rows.decode_translation(path, looked.value, looked.digest)
            except (rows.Bad, TypeError, ValueError):
                return None

        looked, human = self._stored("translation", path, config, stamp, decode)
        if human is None:
            src = looked.src
            assert src is not None  # read by _stored when it was not
            human = self._parse(path, lambda: parse_translation(path, src))
            self._new.append((looked.key, rows.encode_translation(human)))
            self._found(looked)
        self._made(path, human, stamp, looked.key)
        return human

    def _made(self, path: Path, value: Article | HumanTranslation, stamp: tuple[Stamp, bool] | None,
              key: str) -> None:
        """Note what ``path`` gave, for the next pack (a plain file with a text hash only)."""
        if stamp is not None and stamp[1] and value.digest:
            self.made[str(path)] = (None, value, stamp[0], key)
        else:
            self.made.pop(str(path), None)

    def _reload(self, path: Path, kind: str, key: str, digest: str) -> tuple[Block, ...]:
        """The blocks of the file at ``path`` that a pack row left out: its entry in the
        build store (from this process's own connection), else the file parsed again."""
        config = self._config
        assert config is not None  # set by misses(), which found the row
        return rows.reload_blocks(self._store_here(), path, config, kind, key, digest)

    def _store_here(self) -> BuildStore:
        """The build store, from a connection of this process (a forked worker opens its own)."""
        if os.getpid() == self._pid:
            return self.store
        if self._here is None or self._here_pid != os.getpid():
            self._here, self._here_pid = BuildStore(self.store.path.parent.parent), os.getpid()
        return self._here

    def save_pack(self, config: Config, paths: Iterable[str],
                  derive: Callable[[Sequence[Block]], Mapping[str, object]], again: bool = True) -> None:
        """Write the pack of the files of ``paths`` read so far (see :mod:`digest.content.pack`):
        a row kept as the pack gave it, or made of what the file gave, with what ``derive``
        works out of its blocks. Nothing is written when every row is the pack's; a few rows
        changed go to its overlay. Without ``again`` (no build follows in this process) the
        rows are not kept in memory."""
        reading = reading_key(config)
        out: dict[str, tuple] = {}
        disk = self._disk.rows
        changed: dict[str, tuple | None] = {}
        for name in paths:
            made = self.made.get(name)
            if made is None:
                # Not read again by this builder since the pack was last written: as it was then.
                if name in disk:
                    out[name] = disk[name]
                continue
            row, value, stamp, key = made
            if row is None:
                kind = "article" if isinstance(value, Article) else "translation"
                note = stamp_key(kind, reading, name, stamp)
                extras = pack.known_extras(value.blocks, derive)
                row = (rows.article_row(value, stamp, key, note, extras) if isinstance(value, Article)
                       else rows.translation_row(value, stamp, key, note, extras))
                self.made[name] = (row, value, stamp, key)
            out[name] = row
            if disk.get(name) is not row:
                changed[name] = row
        changed.update((name, None) for name in disk.keys() - out.keys())  # files gone
        if not again:
            self.made = {}
        if changed:
            self._disk = pack.save(self.store.path.parent, pack.pack_key(reading), self._disk, out, changed)

    def flush(self) -> None:
        """Store the files parsed, and the stamps read, since the last flush; note the entries
        of the files the pack gave as in use."""
        self.store.put_many("articles", self._new)
        self.store.put_many(STAMPS, self._new_stamps)
        self.store.keep("articles", [row[3] for row in self._kept])
        self.store.keep(STAMPS, [row[4] for row in self._kept])
        self._new, self._new_stamps, self._kept = [], [], []
        # Looked up or parsed for this load only: the next one must see the files as they are then.
        self._looked.clear()
        self._hits.clear()
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
