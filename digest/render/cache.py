"""Rendered pages across processes: which bytes a page's inputs gave, by a hash of those inputs.

A page's key covers everything its bytes depend on, as :class:`~digest.render.pages.Renderer`
sees it in memory: the page (URL, template, language, alternates, context), what every
page shares (the interface strings, the configuration, the site's nav), the key of its
template with all it pulls in, digest's version and the store's schema (hashed once per
template and build: a page's own key is one SHA-256 of that and its own inputs).

The build store keeps one entry for all the pages of the last build, read in one query and
written once the pages are rendered (:class:`PageCache`): per path the key and the SHA-256
and size of the bytes it gave. A page whose key is the one listed for its path, and whose
file the output folder's manifest lists with that hash (the file still having the recorded
size and time, :func:`~digest.output.verify.verify`), is taken as it is on disk, a
:class:`Kept`, and is neither rendered nor written nor read back. What is trusted is the
key (a hash of the inputs, so the entry is true whichever build wrote it) and the file's
stamp; an entry that does not decode, or whose checksum is not its text's, is ignored.

Inputs are hashed by value, field by field, as ``==`` compares them (a field left out of
comparison is left out here too); each object is hashed once per build, so the 20 entries
of a listing page cost 20 lookups. A parsed article stands for its value by the hash of the
text it was parsed from (its ``digest``, which the loader has): its blocks are not walked.
An entry (one article in both languages) stands for its value by its article's print, the
``repr`` of its English in one call (blocks that are the human translation's own stand as
that translation's text hash) and its images' print; a listing page's print is then its
members' prints and its own parameters.
A value of a type this does not know makes the page uncacheable: it is rendered, as
without a cache.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import operator
from collections.abc import Callable, Collection
from dataclasses import dataclass
from itertools import chain
from pathlib import PurePath

from ..content.articles import Article, HumanTranslation
from ..content.markup import Block
from ..content.store import BuildStore, cache_key
from ..site.model import Entry, Page
from ..translate.english import English
from ..translate.provenance import Name, Provenance
from .sitemap import SitemapURL
from .theme import Theme


@dataclass(frozen=True, slots=True)
class Kept:
    """A file the output folder already holds as it should be: its path, SHA-256 and size."""

    path: str
    sha: str
    size: int

    def __eq__(self, other: object) -> bool:
        """Equal to another record of the same file, or to the very bytes it stands for."""
        if isinstance(other, Kept):
            return (self.path, self.sha, self.size) == (other.path, other.sha, other.size)
        if isinstance(other, bytes):
            return len(other) == self.size and hashlib.sha256(other).hexdigest() == self.sha
        return NotImplemented

    __hash__ = object.__hash__  # never a key; equal to bytes, so no hash could agree with theirs


@dataclass(frozen=True, slots=True, eq=False)
class Spooled(Kept):
    """A page a streamed build rendered and wrote straight to its spool folder (see
    :mod:`digest.render.spool`) rather than holding its bytes: once the site is written it is
    in the output folder like any :class:`Kept` file."""


class Unhashable(Exception):
    """A page input whose value cannot be hashed reliably."""


_PLAIN = (str, int, float, bool, type(None), bytes, dt.date, dt.time, dt.timedelta, PurePath)
_LEAVES = {str, int, float, bool, type(None), Block, Provenance, Name, SitemapURL}
"""Types whose ``repr`` is their value: every field of these dataclasses is compared and shown,
and holds only texts, numbers or others of them."""
_TUPLE = {tuple}
_SITEMAP_ROW = {SitemapURL}
_SITEMAP_FIELDS = operator.attrgetter(*(f.name for f in dataclasses.fields(SitemapURL) if f.compare))


class Fingerprints:
    """Hashes of page inputs by value, each object hashed once (objects live through the build)."""

    def __init__(self) -> None:
        self._memo: dict[int, tuple[object, str]] = {}

    def of(self, value: object) -> str:
        """A stable text standing for ``value``: equal values give equal texts."""
        kind = type(value)
        if kind in _LEAVES:  # the commonest first: every page's context is mostly texts
            return repr(value)
        found = self._memo.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        if type(value) is Entry:  # one per article, each on its three pages and the listings'
            text = self._entry(value)
            self._memo[id(value)] = (value, text)
            return text
        if kind is dict:
            return self._dict(value)  # type: ignore[arg-type]
        if isinstance(value, _PLAIN):
            return repr(value)
        if isinstance(value, enum.Enum):
            return f"{type(value).__qualname__}.{value.name}"
        if isinstance(value, (tuple, list)):
            kinds = set(map(type, value))
            if kinds <= _LEAVES or (kinds == _TUPLE and set(map(type, chain.from_iterable(value))) <= _LEAVES):
                # Texts, numbers, blocks, or tuples of them (a page's alternates): their repr
                # says all ``==`` compares, in one call.
                text = repr(value)
            else:  # a listing's entries, printed already: looked up without a call each
                memo, of = self._memo, self.of
                text = "(" + ",".join([found[1] if (found := memo.get(id(item))) is not None and found[0] is item
                                       else of(item) for item in value]) + ")"
            if len(text) > 64:
                text = "#" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
            self._memo[id(value)] = (value, text)
            return text
        if isinstance(value, dict):
            return self._dict(value)
        if isinstance(value, (set, frozenset)):
            return "<" + ",".join(sorted(map(self.of, value))) + ">"
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            if type(value) is English:
                parts = ["English", _english_text(value, None)]
            elif type(value) is Article and value.digest:
                parts = _article_parts(value, self.of)
            elif type(value) is HumanTranslation and value.digest:
                parts = ["HumanTranslation:parsed", value.digest, self.of(value.path)]
            else:
                parts = [type(value).__qualname__] + [self.of(getattr(value, f.name))
                                                      for f in dataclasses.fields(value) if f.compare]
            text = "#" + hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
            # The object is kept in the memo so its id is not reused by another within the build.
            self._memo[id(value)] = (value, text)
            return text
        raise Unhashable(type(value).__qualname__)

    def _entry(self, entry: Entry) -> str:
        """An entry's print: its article's, English's and images' values in one hash (an
        article page's entry, so one per article: its article is not hashed on its own)."""
        article, images = entry.article, entry.images
        found = self._memo.get(id(images))
        shown = found[1] if found is not None and found[0] is images else self.of(images)
        if type(article) is Article and article.digest:
            parts = _article_parts(article, self.of)
        else:
            parts = [self.of(article)]
        parts += (_english_text(entry.english, article.human), shown)
        return "#" + hashlib.sha256(("Entry\0" + "\0".join(parts)).encode("utf-8", "surrogatepass")).hexdigest()

    def _dict(self, value: dict) -> str:
        # A page's context: one per page, so its texts are written here without a call each.
        leaves, of = _LEAVES, self.of
        return "{" + ",".join([(repr(k) if type(k) in leaves else of(k)) + ":"
                               + (repr(v) if type(v) in leaves else of(v)) for k, v in value.items()]) + "}"


def _article_parts(article: Article, of: Callable[[object], str]) -> list[str]:
    """What stands for a parsed ``article``'s value without walking its text: the hash of
    the text it was parsed from (``digest``) and its path give every field parsing makes,
    under the reading settings (the configuration, part of every key that holds an
    article's print) and digest's version (part of every key); the file's time can date
    it, and the human translation is joined after parsing, so those two are added. (A
    human translation's own print is its text's hash and path likewise.)"""
    human = article.human
    if human is not None and human.digest:
        joined = f"HumanTranslation:parsed {human.digest} {str(human.path)!r}"
    else:
        joined = of(human)
    return ["Article:parsed", article.digest, repr(str(article.path)), repr(article.published), joined]


_ENGLISH = tuple(f.name for f in dataclasses.fields(English) if f.compare)
_ENGLISH_VALUES = operator.attrgetter(*_ENGLISH)
_BLOCKS = _ENGLISH.index("blocks")


def _english_text(english: English, human: HumanTranslation | None) -> str:
    """What stands for ``english``'s value: the ``repr`` of its compared fields, each of a
    type whose ``repr`` is its value (texts, numbers, blocks, provenance, names, tuples of
    them), in one call. Blocks that are the very blocks of ``human`` (a human translation
    with a text hash, which its own print stands for) are not written out again."""
    values = _ENGLISH_VALUES(english)
    if human is not None and human.digest and english.blocks is human.blocks:
        values = (*values[:_BLOCKS], f"the blocks of {human.digest}", *values[_BLOCKS + 1:])
    return repr(values)


class PageKeys:
    """The keys of one build's pages. What every page shares (``shared``, digest's version,
    the store's schema) and each template's key are hashed into a head once; a page's key is
    then one SHA-256 of that head and its own inputs, whose values stand by their prints
    (an entry's is made once per build, :class:`Fingerprints`)."""

    def __init__(self, prints: Fingerprints, shared: str) -> None:
        self.prints, self._shared = prints, shared
        self._heads: dict[str, str] = {}
        self._names: dict[str, str] = {}

    def __call__(self, page: Page, template_key: str) -> str | None:
        """The key of ``page`` rendered with template ``template_key``; None if an input
        cannot be hashed."""
        head = self._heads.get(template_key)
        if head is None:
            head = self._heads[template_key] = cache_key("page", self._shared, template_key)
        of, leaves, memo, names = self.prints.of, _LEAVES, self.prints._memo, self._names
        try:
            # Objects printed already (the alternates of an article's three pages, its entry)
            # are looked up here, without a call each: this runs for every page of the site.
            value = page.alternates
            found = memo.get(id(value))
            parts = [head, page.url, page.template, page.lang,
                     found[1] if found is not None and found[0] is value else of(value)]
            # The context's keys and values in turn: texts as their repr, others by their print.
            for key, value in page.context.items():
                if type(key) is not str:
                    parts.append(of(key) + ":" + of(value))
                    continue
                name = names.get(key)
                if name is None:
                    name = names[key] = f"{key!r}:"
                if type(value) in leaves:
                    parts.append(name + repr(value))
                else:
                    found = memo.get(id(value))
                    parts.append(name + (found[1] if found is not None and found[0] is value else of(value)))
        except (Unhashable, RecursionError):
            return None
        return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def page_key(prints: Fingerprints, shared: str, template_key: str, page: Page) -> str | None:
    """The key of ``page`` rendered with template ``template_key`` under ``shared`` (the
    hash of what every page depends on); None if an input cannot be hashed."""
    return PageKeys(prints, shared)(page, template_key)


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

    def __init__(self, store: BuildStore, on_disk: dict[str, str]) -> None:
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
        row = (self._last if self._last is not None else self._listed()).get(path)
        # "<key> <sha256> <size>": both hashes are 64 hex digits.
        if (row is None or not row.startswith(key) or row[64:65] != " " or self.on_disk.get(path) != row[65:129]
                or row[129:130] != " " or not (size := row[130:]).isdigit() or not size.isascii()):
            return None
        self._now[path] = row
        return Kept(path, row[65:129], int(size))

    def kept(self, wanted: dict[str, str]) -> dict[str, Kept]:
        """For ``wanted`` (key -> path) the pages the output folder holds as their key says,
        by key."""
        found = {key: self.held(path, key) for key, path in wanted.items()}
        return {key: kept for key, kept in found.items() if kept is not None}

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
