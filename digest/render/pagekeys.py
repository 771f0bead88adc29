"""Page keys: a hash of everything a page's bytes depend on, made in any process.

A page's key covers everything its bytes depend on, as :class:`~digest.render.pages.Renderer`
sees it in memory: the page (URL, template, language, alternates, context), what every
page shares (the interface strings, the configuration, the site's nav), the key of its
template with all it pulls in, digest's version and the store's schema (hashed once per
template and build: a page's own key is one SHA-256 of that and its own inputs).
:class:`~digest.render.cache.PageCache` keeps a page whose key is the last build's.

Inputs are hashed by value, field by field, as ``==`` compares them (a field left out of
comparison is left out here too); each object is hashed once per build, so the 20 entries
of a listing page cost 20 lookups. A parsed article stands for its value by the hash of the
text it was parsed from (its ``digest``, which the loader has): its blocks are not walked.
An entry (one article in both languages) stands for its value by its article's print, the
``repr`` of its English in one call (blocks that are the human translation's own stand as
that translation's text hash) and its images' print; a listing page's print is then its
members' prints and its own parameters. The search plan keys an entry's records by the
same print (:func:`digest.render.search.made_of`), so each entry is printed once a build.
A value of a type this does not know makes the page uncacheable: it is rendered, as
without a cache.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import operator
from collections.abc import Callable, Iterable, Mapping
from itertools import chain
from pathlib import PurePath

from ..content.articles import Article, HumanTranslation
from ..content.markup import Block
from ..content.store import cache_key
from ..site.model import Entry, Page
from ..translate.english import English
from ..translate.provenance import Name, Provenance
from .sitemap import SitemapURL


class Unhashable(Exception):
    """A page input whose value cannot be hashed reliably."""


_PLAIN = (str, int, float, bool, type(None), bytes, dt.date, dt.time, dt.timedelta, PurePath)
_LEAVES = {str, int, float, bool, type(None), Block, Provenance, Name, SitemapURL}
"""Types whose ``repr`` is their value: every field of these dataclasses is compared and shown,
and holds only texts, numbers or others of them."""
_TUPLE = {tuple}
_TEXT = {str}


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
_PROVENANCE = _ENGLISH.index("provenance")
_PROVENANCE_VALUES = operator.attrgetter(*(f.name for f in dataclasses.fields(Provenance) if f.compare))


def _english_text(english: English, human: HumanTranslation | None) -> str:
    """What stands for ``english``'s value: the ``repr`` of its compared fields, each of a
    type whose ``repr`` is its value (texts, numbers, blocks, provenance, names, tuples of
    them), in one call. Blocks that are the very blocks of ``human`` (a human translation
    with a text hash, which its own print stands for) are not written out again."""
    values = list(_ENGLISH_VALUES(english))
    if human is not None and human.digest and english.blocks is human.blocks:
        values[_BLOCKS] = f"the blocks of {human.digest}"
    provenance = values[_PROVENANCE]
    if type(provenance) is Provenance:  # its fields: a dataclass's own repr costs 2-3 us
        values[_PROVENANCE] = ("Provenance", *_PROVENANCE_VALUES(provenance))
    return repr(values)


class PageKeys:
    """The keys of one build's pages. What every page shares (``shared``, digest's version,
    the store's schema) and each template's key are hashed into a head once; a page's key is
    then one SHA-256 of that head and its own inputs, whose values stand by their prints
    (an entry's is made once per build, :class:`Fingerprints`; so are an article's
    alternates, shared by its three pages, and a listing's entries)."""

    def __init__(self, prints: Fingerprints, shared: str) -> None:
        self.prints, self._shared = prints, shared
        self._heads: dict[str, str] = {}
        self._names: dict[str, tuple[str, str]] = {}
        self._alternates: dict[int, tuple[object, str]] = {}

    def __call__(self, page: Page, template_key: str) -> str | None:
        """The key of ``page`` rendered with template ``template_key``; None if an input
        cannot be hashed."""
        return self.many((page,), {page.template: template_key})[0]

    def many(self, pages: Iterable[Page], template_keys: Mapping[str, str]) -> list[str | None]:
        """The key of each of ``pages``, each rendered with the template whose key
        ``template_keys`` gives by name (None for a page with an input that cannot be hashed).

        One loop for all the pages of a build (34,583 at 10,000 articles: a microsecond a
        page is 35 ms). A context's text is its items in order, ``'name'=text`` for a text
        without NUL (the parts' separator) and ``'name':print`` for any other value: the
        two forms cannot be taken for one another, so no text needs its ``repr``."""
        heads = {name: self._head(key) for name, key in template_keys.items()}
        prints, leaves, names, sha = self.prints, _LEAVES, self._names, hashlib.sha256
        memo, of, shown = prints._memo, prints.of, self._alternates
        out: list[str | None] = []
        append = out.append
        for page in pages:
            value = page.alternates
            try:
                # Objects printed already (an article's alternates and entry, shown on its
                # three pages) are looked up here, without a call each.
                found = shown.get(id(value))
                parts = [heads[page.template], page.url, page.template, page.lang,
                         found[1] if found is not None and found[0] is value else self._alternates_text(value)]
                for key, value in page.context.items():
                    name = names.get(key) if type(key) is str else None
                    if name is None:
                        if type(key) is not str:
                            parts.append(of(key) + ":" + of(value))
                            continue
                        name = names[key] = (f"{key!r}=", f"{key!r}:")
                    kind = type(value)
                    if kind is str and "\0" not in value:
                        parts.append(name[0] + value)
                    elif kind in leaves:
                        parts.append(name[1] + repr(value))
                    else:
                        found = memo.get(id(value))
                        parts.append(name[1] + (found[1] if found is not None and found[0] is value else of(value)))
            except (Unhashable, RecursionError):
                append(None)
                continue
            append(sha("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest())
        return out

    def _alternates_text(self, value: object) -> str:
        """What stands for a page's alternates: the ``repr`` of its (language, URL) pairs
        (10,000 articles have 10,000, each on three pages: not hashed on their own), else
        their print."""
        if (type(value) is tuple and set(map(type, value)) <= _TUPLE
                and set(map(type, chain.from_iterable(value))) <= _TEXT):
            text = repr(value)
        else:
            text = self.prints.of(value)
        self._alternates[id(value)] = (value, text)  # held: its id is not another's in this build
        return text

    def _head(self, template_key: str) -> str:
        head = self._heads.get(template_key)
        if head is None:
            head = self._heads[template_key] = cache_key("page", self._shared, template_key)
        return head


def page_key(prints: Fingerprints, shared: str, template_key: str, page: Page) -> str | None:
    """The key of ``page`` rendered with template ``template_key`` under ``shared`` (the
    hash of what every page depends on); None if an input cannot be hashed."""
    return PageKeys(prints, shared)(page, template_key)
