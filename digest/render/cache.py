"""Rendered pages across processes: which bytes a page's inputs gave, by the page's key.

A page's key (:mod:`digest.render.pagekeys`) is a hash of everything its bytes depend on.
The build store keeps one entry for all the pages of the last build, read in one query and
written once the pages are rendered (:class:`PageCache`): per path the key and the SHA-256
and size of the bytes it gave. A page whose key is the one listed for its path, and whose
file the output folder's manifest lists with that hash (the file still having the recorded
size and time, :func:`~digest.output.verify.verify`), is taken as it is on disk, a
:class:`Kept`, and is neither rendered nor written nor read back. What is trusted is the
key (a hash of the inputs, so the entry is true whichever build wrote it) and the file's
stamp; an entry that does not decode, or whose checksum is not its text's, is ignored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import operator
from collections.abc import Collection, Iterable, Mapping

from ..content.store import BuildStore, cache_key
from .kept import Kept
from .pagekeys import Fingerprints, PageKeys, Unhashable
from .sitemap import SitemapURL
from .theme import Theme

_SITEMAP_ROW = {SitemapURL}
_SITEMAP_FIELDS = operator.attrgetter(*(f.name for f in dataclasses.fields(SitemapURL) if f.compare))


INDEX_KEY = "page-index"
"""The build store's entry (table ``pages``) listing the last build's pages."""


class PageCache:
    """What the last build rendered, and the files the output folder holds.

    The build store keeps one entry for the pages (and sitemap files) of the last build
    that used this cache: for each path the key it was rendered under and the SHA-256 of
    the bytes it gave, read in one query and written again once the pages are rendered
    (:meth:`flush`). A page whose key is the one listed for its path, and whose file the
    output folder holds with that hash, is kept (a :class:`Kept`): neither rendered nor
    written nor read back. A key names its inputs by value, so what the entry says is true
    whichever build wrote it; an entry that does not decode as this version writes it, or
    whose checksum is not its text's, is ignored (every page is rendered).

    ``on_disk``: path -> SHA-256 of the files the manifest lists whose size and time on disk
    are as recorded (see :meth:`~digest.output.OutputFolder.on_disk`).
    """

    def __init__(self, store: BuildStore, on_disk: Mapping[str, str]) -> None:
        self.store, self.on_disk = store, on_disk
        self.prints = Fingerprints()
        self._new: list[tuple[str, object]] = []
        self._templates: tuple[str, dict[str, str]] = ("", {})
        self._index_key = cache_key(INDEX_KEY)
        self._last: dict[str, str] | None = None
        """Path -> "<key> <sha256> <size>" of the last build's pages (None: not read yet)."""
        self._now: dict[str, str] = {}
        """The same, for the pages of this build."""

    def keys(self, *shared: object) -> PageKeys:
        """The page keys of a build whose pages all share ``shared`` (strings key,
        configuration, nav)."""
        return PageKeys(self.prints, self.shared_key(*shared))

    def shared_key(self, *parts: object) -> str:
        """The hash of what every page shares (strings key, configuration, nav)."""
        return cache_key("shared", *(self.prints.of(part) for part in parts))

    def load_template_keys(self, theme: Theme) -> None:
        """Give ``theme`` the template keys stored for its fingerprint."""
        key = cache_key("templates", theme.fingerprint)
        value = self.store.get_many("pages", [key]).get(key)
        if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            theme.known_keys(value)
        self._templates = (key, theme.known_keys())

    def save_template_keys(self, theme: Theme) -> None:
        """Store ``theme``'s template keys if it worked out new ones."""
        key, before = self._templates
        now = theme.known_keys()
        if now != before:
            self._new.append((key, now))

    def sitemap_key(self, name: str, template_key: str, rows: list, *shared: object) -> str | None:
        """The key of sitemap file ``name`` listing ``rows``."""
        try:
            if set(map(type, rows)) <= _SITEMAP_ROW:  # a repr of their fields: theirs is made in Python
                printed = "SitemapURL" + repr(list(map(_SITEMAP_FIELDS, rows)))
            else:
                printed = self.prints.of(rows)
            return cache_key("sitemap", self.shared_key(*shared), template_key, name, printed)
        except (Unhashable, RecursionError):
            return None

    def _listed(self) -> dict[str, str]:
        if self._last is None:
            self._last = _read_index(self.store.get("pages", self._index_key)) if self.on_disk else {}
        return self._last

    def held(self, path: str, key: str) -> Kept | None:
        """The file at ``path`` if the output folder holds what ``key`` renders to (the last
        build rendered ``key`` there, and the file is as it left it); else None."""
        return self.held_many((path,), (key,))[0]

    def held_many(self, paths: Iterable[str], keys: Iterable[str | None]) -> list[Kept | None]:
        """For each of ``paths`` with its page's key (None: no key, rendered), the file if the
        output folder holds what the key renders to (:meth:`held`), else None: one loop for
        all the pages of a build."""
        last = self._last if self._last is not None else self._listed()
        on_disk = self.on_disk
        out: list[Kept | None] = []
        append = out.append
        for path, key in zip(paths, keys):
            row = last.get(path)
            # "<key> <sha256> <size>": both hashes are 64 hex digits.
            if (row is None or key is None or not row.startswith(key) or row[64:65] != " "
                    or on_disk.get(path) != (sha := row[65:129]) or row[129:130] != " "
                    or not (size := row[130:]).isdigit() or not size.isascii()):
                append(None)
                continue
            append(Kept(path, sha, int(size)))  # its row stays as it is (:meth:`flush`)
        return out

    def remember(self, key: str, data: bytes | Kept, path: str | None = None) -> None:
        """Record that ``key`` rendered to ``data``, the file at ``path`` (``data``'s own
        path if it is a :class:`Kept`); stored by :meth:`flush`."""
        if isinstance(data, Kept):  # written to the spool: its record says all the index keeps
            self._now[path or data.path] = f"{key} {data.sha} {data.size}"
        elif path is not None:
            self._now[path] = f"{key} {hashlib.sha256(data).hexdigest()} {len(data)}"

    def flush(self, paths: Collection[str] | None = None) -> None:
        """Store the template keys and, given the ``paths`` of this build's pages and
        sitemap files, the index of what they hold: a path this build neither rendered
        nor kept keeps its last entry (a key states what it renders to, whenever that was
        found out)."""
        if paths is not None:
            now = self._now
            if len(now) < len(paths):
                last = self._listed()
                now = {path: row for path in paths if (row := now.get(path) or last.get(path)) is not None}
            self._new.append((self._index_key, _index_value(now)))
        self.store.put_many("pages", self._new)
        self._new = []


def _index_value(rows: dict[str, str]) -> dict[str, object]:
    """The build store's value for the index ``rows`` (path -> "<key> <sha256> <size>"): the
    paths and the rows as two texts of lines, and a checksum of both."""
    usable = {p: r for p, r in rows.items() if "\n" not in p}  # never so: URLs come from slugs
    paths, lines = "\n".join(usable), "\n".join(usable.values())
    return {"format": 1, "paths": paths, "rows": lines, "sum": _checksum(paths, lines), "count": len(usable)}


def _read_index(value: object) -> dict[str, str]:
    """The index stored as ``value`` by :func:`_index_value`; {} if it is not one (damaged,
    of another format, or not whole)."""
    if not isinstance(value, dict) or value.get("format") != 1:
        return {}
    paths, lines, count = value.get("paths"), value.get("rows"), value.get("count")
    if not (isinstance(paths, str) and isinstance(lines, str) and isinstance(count, int)) or not count:
        return {}
    if value.get("sum") != _checksum(paths, lines):
        return {}
    names, rows = paths.split("\n"), lines.split("\n")
    if len(names) != count or len(rows) != count:
        return {}
    return dict(zip(names, rows))


def _checksum(paths: str, lines: str) -> str:
    digest = hashlib.sha256(paths.encode("utf-8", "surrogatepass"))
    digest.update(b"\0")
    digest.update(lines.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()
