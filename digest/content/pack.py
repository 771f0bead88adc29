"""The article pack: what a new process needs of every unchanged content file, in one file.

Reading 10,000 articles back from the build store (20,000 JSON rows, every block of both
languages decoded and checked) was ~3 s of a one-edit build in a new process, though the
edit build renders only the edited article's pages. The pack (``<cache>/build/articles.pack``)
holds, per content file, the stamp it was read under and the article or human translation
without its blocks: their count, the store key to load them from when something does ask
for them (:class:`StoredBlocks`), and what later stages derived from them
(:data:`EXTRAS`: the page description, the body images, the hashes the out-of-date check
compares). An unchanged file then costs a dictionary lookup and one small object.

It is cache, as the build store is, and trusted as it is: a file is taken by its pack row
only when its stamp (mtime in nanoseconds, size, inode, type) is the row's and it is a
regular file reached without a link, the blind spot :mod:`digest.content.cache` documents.
The file starts with a tag (digest's version, the store's schema, :data:`FORMAT` and the
reading settings) and the SHA-256 of the rest: a pack of another version, of other
settings, truncated or altered is not used (the build store answers, as without a pack).
The rows are :mod:`marshal` data, never pickles (loading cannot run code), and each row is
checked field by field when used: a row of unexpected shape is ignored and its file read.
Files are written whole (a temporary file, then a rename), so a killed build leaves the
last ones. A build that changed a few rows writes only those, to an overlay beside the pack
(:data:`OVERLAY`), tagged with the hash of the pack it applies to: an overlay over another
pack, or not whole, is not read. The pack is written again, the overlay folded in, once the
overlay holds more than :data:`FOLD_ROWS` rows or an eighth of the pack's. ``digest serve``
and ``watch`` write it once, when the session ends: a session killed before that leaves the
pack it started from, and the next process reads the files edited since through the store.
"""

from __future__ import annotations

import hashlib
import itertools
import marshal
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple, overload

from .markup import Block
from .store import cache_key

NAME = "articles.pack"
FORMAT = 2
"""Raised whenever what a row holds changes meaning (2: a row's extras are a list by position)."""
_MAGIC = b"digest article pack\n"
FOLD_ROWS = 256
OVERLAY = "articles.pack.overlay"
"""Beside the pack: the rows changed since it was written (an edit build writes a few rows,
not 10,000); read over the pack it names, folded into it once it grows."""
_OVERLAY_MAGIC = b"digest article pack overlay\n"
_TEXTS = {str}

EXTRAS = {"description": str, "images": tuple, "hashes": tuple, "english": str, "entry": tuple}
"""What later stages derive from a file's blocks, kept with its row when known: the page
description (:mod:`digest.site.model`), the body images' ``(src, alt)`` (:mod:`digest.site.inline`),
each block's hash, the human translation's text hash and store key its out-of-date entry was
made for, and for a translation the hash of its English (:mod:`digest.translate.originals`).
A row holds them as a list in this order (None: not known), checked once when the row is
used, so each stage reads its own by position (:data:`DESCRIPTION`...) without a call."""
DESCRIPTION, IMAGES, HASHES, ENGLISH, ENTRY = range(len(EXTRAS))
_POSITION = {name: i for i, name in enumerate(EXTRAS)}
_NONE = type(None)
_SHAPES = {kinds for kinds in itertools.product(*((kind, _NONE) for kind in EXTRAS.values()))}
UNKNOWN = (None,) * len(EXTRAS)


def checked_extras(value: object) -> list:
    """The extras of a row as a list by position if ``value`` is one this version writes
    (each entry of its type, or None); else a list of None (nothing known: worked out again)."""
    if type(value) is list and tuple(map(type, value)) in _SHAPES:
        images, hashes, entry = value[IMAGES], value[HASHES], value[ENTRY]
        if ((not images or all(type(pair) is tuple and len(pair) == 2 and {*map(type, pair)} <= _TEXTS
                                for pair in images))
                and (not hashes or {*map(type, hashes)} <= _TEXTS)
                and (entry is None or (len(entry) == 2 and {*map(type, entry)} <= _TEXTS))):
            return value
    return list(UNKNOWN)


class StoredBlocks(Sequence[Block]):
    """An unchanged file's blocks, left in the build store until something reads them.

    It stands for the tuple of blocks it loads: equal to it, hashed and shown as it, and
    pickled as it. Its length and its :data:`EXTRAS` (``extras``, checked: see
    :func:`checked_extras`) are known without loading; two of them with the same store key
    are equal without loading either."""

    __slots__ = ("key", "size", "extras", "_load", "_blocks")

    def __init__(self, key: str, count: int, extras: list,
                 load: Callable[[], tuple[Block, ...]]) -> None:
        self.key, self.size, self.extras = key, count, extras
        self._load: Callable[[], tuple[Block, ...]] | None = load
        self._blocks: tuple[Block, ...] | None = None

    def blocks(self) -> tuple[Block, ...]:
        """The blocks, loaded on first use."""
        if self._blocks is None:
            assert self._load is not None
            self._blocks, self._load = self._load(), None
        return self._blocks

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, index: int) -> Block: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Block, ...]: ...

    def __getitem__(self, index: int | slice) -> Block | tuple[Block, ...]:
        return self.blocks()[index]

    def __iter__(self) -> Iterator[Block]:
        return iter(self.blocks())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StoredBlocks):
            return other.key == self.key or other.blocks() == self.blocks()
        if isinstance(other, tuple):
            return other == self.blocks()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.blocks())

    def __repr__(self) -> str:
        return repr(self.blocks())

    def __reduce__(self) -> tuple:
        return (tuple, (self.blocks(),))


def extra(blocks: Sequence[Block], name: str) -> object | None:
    """What the pack kept as ``name`` (one of :data:`EXTRAS`) for ``blocks``; None when
    it kept nothing (blocks parsed in this process, or not derived when packed)."""
    return blocks.extras[_POSITION[name]] if type(blocks) is StoredBlocks else None


def pack_key(reading: str) -> str:
    """The tag of a pack usable under the reading settings ``reading``."""
    return cache_key("article-pack", str(FORMAT), reading)


class Pack(NamedTuple):
    """A pack as read: its rows with its overlay's applied, the SHA-256 of its body ("": no
    pack) and the overlay's rows (None for a file gone)."""

    rows: dict[str, tuple]
    base: str
    overlay: dict[str, tuple | None]


NO_PACK = Pack({}, "", {})


def _checked_file(path: Path, magic: bytes, lines: tuple[bytes, ...]) -> tuple[str, memoryview] | None:
    """The SHA-256 and body of the file at ``path`` if it starts with ``magic`` and
    ``lines`` (each of 64 characters) and its body has that hash; None otherwise."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = b"".join([magic] + [line + b"\n" for line in lines])
    if not data.startswith(head):
        return None
    body = memoryview(data)[len(head) + 65:]
    sha = hashlib.sha256(body).hexdigest()
    if data[len(head):len(head) + 65] != sha.encode() + b"\n":
        return None
    return sha, body


def _loaded(body: memoryview) -> dict:
    try:
        rows = marshal.loads(body)
    except (ValueError, EOFError, TypeError):
        return {}
    return rows if type(rows) is dict else {}


def read_pack(folder: Path, key: str) -> Pack:
    """The pack in ``folder`` (none if it is missing, of another key, or not whole), its
    overlay's rows applied if the overlay is whole and was written over this very pack."""
    found = _checked_file(folder / NAME, _MAGIC, (key.encode(),))
    if found is None:
        return NO_PACK
    base, body = found
    rows = _loaded(body)
    if not rows:
        return NO_PACK
    over = _checked_file(folder / OVERLAY, _OVERLAY_MAGIC, (key.encode(), base.encode()))
    overlay = _loaded(over[1]) if over is not None else {}
    for name, row in overlay.items():
        if row is None:
            rows.pop(name, None)
        else:
            rows[name] = row
    return Pack(rows, base, overlay)


def _replace(path: Path, parts: list[bytes]) -> bool:
    """Write ``parts`` to ``path`` through a temporary file and a rename; False if it could not."""
    try:
        # A build holds its output folder's lock, not the cache's: another writer's file may be here.
        fd, temp = tempfile.mkstemp(prefix=f".{NAME}.", suffix=".tmp", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.writelines(parts)
        os.replace(temp, path)
    except OSError:
        Path(temp).unlink(missing_ok=True)
        return False
    return True


def write_pack(folder: Path, key: str, rows: dict[str, tuple]) -> str:
    """Replace the pack in ``folder`` with ``rows``, and drop its overlay; return the new
    pack's SHA-256, or "" if it could not be written (the last one is then left as it was)."""
    body = marshal.dumps(rows)
    sha = hashlib.sha256(body).hexdigest()
    if not _replace(folder / NAME, [_MAGIC, key.encode(), b"\n", sha.encode(), b"\n", body]):
        return ""
    # Killed before this, the overlay names the pack before: it is not read with this one.
    (folder / OVERLAY).unlink(missing_ok=True)
    return sha


def write_overlay(folder: Path, key: str, base: str, rows: dict[str, tuple | None]) -> bool:
    """Replace the overlay of the pack whose body has SHA-256 ``base`` with ``rows`` (a file
    gone: None); False if it could not be written."""
    body = marshal.dumps(rows)
    sha = hashlib.sha256(body).hexdigest()
    return _replace(folder / OVERLAY, [_OVERLAY_MAGIC, key.encode(), b"\n", base.encode(), b"\n", sha.encode(),
                                       b"\n", body])


def save(folder: Path, key: str, last: Pack, rows: dict[str, tuple], changed: dict[str, tuple | None]) -> Pack:
    """Save ``rows``, of which ``changed`` (None: a file gone) are not those of the pack as
    last read or written (``last``): in an overlay while it stays small, else a new pack.
    Returns the pack as it now is on disk."""
    sweep(folder)
    overlay = {**last.overlay, **changed}
    if last.base and len(overlay) <= max(FOLD_ROWS, len(rows) // 8):
        return Pack(rows, last.base, overlay) if write_overlay(folder, key, last.base, overlay) else last
    return Pack(rows, write_pack(folder, key, rows), {})


def sweep(folder: Path, older_than: float = 3600.0) -> None:
    """Remove temporary pack files a killed build left behind (an hour old or more)."""
    now = time.time()
    for stale in folder.glob(f".{NAME}.*.tmp"):
        try:
            if now - stale.stat().st_mtime > older_than:
                stale.unlink()
        except OSError:
            continue


def known_extras(blocks: Sequence[Block], derive: Callable[[Sequence[Block]], Mapping[str, object]]) -> list:
    """What to keep with ``blocks``, by position: what the pack kept for them, with what
    ``derive`` gives (only values of :data:`EXTRAS`' types)."""
    kept = list(blocks.extras) if type(blocks) is StoredBlocks else list(UNKNOWN)
    for name, value in derive(blocks).items():
        if value is not None and EXTRAS.get(name) is type(value):
            kept[_POSITION[name]] = value
    return kept


def remember(blocks: Sequence[Block], name: str, value: object) -> None:
    """Keep ``value``, worked out from ``blocks`` as ``name`` of :data:`EXTRAS`, with them
    when the pack gave them (their next row then holds it)."""
    if type(blocks) is StoredBlocks and EXTRAS.get(name) is type(value):
        blocks.extras[_POSITION[name]] = value
