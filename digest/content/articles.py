"""Articles: what editors drop into ``content/``, read into immutable objects.

``name.md`` (YAML front matter + Markdown) and ``name.txt`` (raw text copied from a news
site) are articles; ``name.en.md`` beside one is its human English translation. A file
that cannot be used becomes a :class:`Problem` naming it and the reason, and every other
article is still loaded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from ..config import Config
from ..errors import ConfigError, SourceError
from ..frozen import made
from .cleantext import clean, clean_text
from .leadimage import IMAGE_KEYS, LeadImage, lead_image
from .listing import Listing, list_content
from .markup import Block, nesting_lost, parse_blocks
from .problem import Problem
from .rawtext import parse_raw_text
from .sources import SourceText, read_source, split_front_matter

ARTICLE_SUFFIXES = (".md", ".markdown", ".txt")
TRANSLATION_SUFFIX = ".en.md"
_DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[-_]?")


@dataclass(frozen=True)
class HumanTranslation:
    """An editor's English version of an article (``name.en.md``)."""

    path: Path
    title: str
    blocks: tuple[Block, ...]
    notes: tuple[str, ...] = ()
    digest: str = field(default="", compare=False)
    """The SHA-256 of the text it was parsed from ("" if unknown): with ``path`` it stands
    for every field (:mod:`digest.render.cache`)."""


@dataclass(frozen=True)
class Article:
    """One source-language article, ready to translate and render."""

    path: Path
    slug: str
    title: str
    published: dt.datetime
    blocks: tuple[Block, ...]
    tags: tuple[str, ...] = ()
    source: str | None = None
    author: str | None = None
    human: HumanTranslation | None = None
    undated: bool = False
    """Neither front matter nor the file name gives a date: the file's modification time
    stands in, and every save moves it."""
    draft: bool = False
    """``draft: true``: read and checked, but left out of the site (``--drafts``: built, marked)."""
    ignored_keys: tuple[str, ...] = ()
    """Front matter keys digest does not know (a typo, or a field of another tool): the
    article is built without them, with a warning."""
    notes: tuple[str, ...] = ()
    """Warnings about how the file was read (content nested too deep to show)."""
    image: LeadImage | None = None
    """The lead image named in front matter (``image:`` and its ``image_*`` keys)."""
    digest: str = field(default="", compare=False)
    """The SHA-256 of the text it was parsed from ("" if unknown): with ``path``, the reading
    settings and ``published`` it stands for every field but ``human`` (:mod:`digest.render.cache`)."""

    @property
    def date(self) -> dt.date:
        return self.published.date()


def slugify(value: str, fallback: str = "") -> str:
    """A single safe URL path segment: letters (any script), digits, ``-`` and ``_``.

    Never empty, never ``.``/``..``, never containing ``/`` or ``\\``: a hash of the input
    stands in when nothing else is left.
    """
    text = unicodedata.normalize("NFKC", value).strip().lower()
    text = re.sub(r"[^\w\-]+", "-", text)
    text = re.sub(r"[-_]{2,}", "-", text).strip("-_")[:80].strip("-_")
    if not text:
        seed = fallback or value
        text = "a-" + hashlib.sha1(seed.encode("utf-8")).hexdigest()[:10]
    return text


def _prefix_date(stem: str) -> dt.date | None:
    """The date of a ``YYYY-MM-DD-`` file name prefix, if it is a real date."""
    match = _DATE_PREFIX.match(stem)
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _published(meta_date: object, stem: str, mtime: float) -> dt.datetime:
    if isinstance(meta_date, dt.datetime):
        return meta_date if meta_date.tzinfo else meta_date.replace(tzinfo=dt.timezone.utc)
    if isinstance(meta_date, dt.date):
        return dt.datetime.combine(meta_date, dt.time(), dt.timezone.utc)
    if isinstance(meta_date, str):
        try:
            parsed = dt.datetime.fromisoformat(meta_date.strip())
        except ValueError:
            raise SourceError(f"front matter date {meta_date!r} is not a YYYY-MM-DD date") from None
        return _published(parsed, stem, mtime)
    if meta_date is not None:
        raise SourceError(f"front matter date {meta_date!r} is not a date")
    day = _prefix_date(stem)
    if day:
        return dt.datetime.combine(day, dt.time(), dt.timezone.utc)
    return dt.datetime.fromtimestamp(mtime, dt.timezone.utc).replace(microsecond=0)


@lru_cache(maxsize=8192)  # asked for every tag of every article, every build
def tag_key(name: str) -> str:
    """What two tags are compared by: ``News``, ``news`` and ``ＮＥＷＳ`` are one tag."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold()).strip()


def _strings(value: object, key: str) -> tuple[str, ...]:
    """A list of tags, each once (compared by :func:`tag_key`), spelt as first written."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [v for v in re.split(r"[,،]", value)]
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
        raise SourceError(f"front matter {key} must be a list of strings")
    names = (" ".join(str(v).split()) for v in value)
    first: dict[str, str] = {}
    for name in names:
        if name and tag_key(name):
            first.setdefault(tag_key(name), name)
    return tuple(first.values())


def _text_field(meta: dict, key: str) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    if not isinstance(value, (str, int, float)):
        raise SourceError(f"front matter {key} must be text")
    return str(value).strip() or None


def _draft(meta: dict) -> bool:
    value = meta.get("draft", False)
    if not isinstance(value, bool):
        raise SourceError(f"front matter draft must be true or false, got {value!r}")
    return value


KNOWN_KEYS = {"title", "date", "slug", "tags", "source", "author", "draft"} | IMAGE_KEYS


def _stem(path: Path) -> str:
    name = path.name
    return name[: -len(TRANSLATION_SUFFIX)] if name.endswith(TRANSLATION_SUFFIX) else path.stem


def _markdown(text: str, what: str) -> tuple[dict, str, tuple[Block, ...], tuple[str, ...]]:
    """Front matter, title, blocks and notes of a Markdown file; ``what`` prefixes error
    messages."""
    meta, body, body_line = split_front_matter(text)
    meta = clean(meta)  # YAML escapes ("\x00", "\ud800") make what the file did not hold
    title = _text_field(meta, "title")
    if not title and body_line == 1:  # no front matter at all: say what one looks like
        raise SourceError(f"{what}has no front matter: a Markdown article starts with a '---' line, "
                          "then 'title: ...', then another '---' line")
    if not title:
        raise SourceError(f"{what}front matter has no title")
    blocks = parse_blocks(body)
    if not blocks:
        raise SourceError(f"{what}has a title but no body text")
    lost = nesting_lost(body, body_line)
    notes = (f"{what}{lost}",) if lost else ()
    return meta, title, blocks, notes


def read_article(path: Path | str, config: Config) -> Article:
    """Read one article file; raises :class:`SourceError` with the reason it is unusable."""
    path = Path(path)
    return parse_article(path, read_source(path, config.content_dir, config.text.max_file_bytes), config)


def parse_article(path: Path, src: SourceText, config: Config) -> Article:
    """The article in ``src``, read from ``path``; raises :class:`SourceError` as :func:`read_article`."""
    text = clean_text(src.text)
    stem = _stem(path)
    notes: tuple[str, ...] = ()
    if path.suffix == ".txt":
        raw = parse_raw_text(text, config.text.agencies, config.text.chrome)
        meta: dict = {"source": raw.source, "date": raw.date}
        title, blocks = raw.title, raw.blocks
    else:
        meta, title, blocks, notes = _markdown(text, "")
    bare = _DATE_PREFIX.sub("", stem) if _prefix_date(stem) else stem
    slug_source = _text_field(meta, "slug") or bare or stem
    return Article(
        path=path,
        slug=slugify(slug_source, fallback=stem),
        title=title,
        published=_published(meta.get("date"), stem, src.mtime),
        blocks=blocks,
        tags=_strings(meta.get("tags"), "tags"),
        source=_text_field(meta, "source"),
        author=_text_field(meta, "author"),
        undated=meta.get("date") is None and _prefix_date(stem) is None,
        draft=_draft(meta),
        image=lead_image(meta),
        ignored_keys=tuple(sorted(str(k) for k in set(meta) - KNOWN_KEYS)),
        notes=notes,
        digest=hashlib.sha256(src.text.encode("utf-8")).hexdigest(),
    )


def read_translation(path: Path | str, config: Config | None = None) -> HumanTranslation:
    """Read a human translation ``name.en.md``: front matter title plus Markdown body.

    ``config`` gives the content folder links must stay in and the size limit."""
    path = Path(path)
    src = read_source(path, config.content_dir, config.text.max_file_bytes) if config else read_source(path)
    return parse_translation(path, src)


def parse_translation(path: Path, src: SourceText) -> HumanTranslation:
    """The human translation in ``src``, read from ``path``."""
    _, title, blocks, notes = _markdown(clean_text(src.text), "human translation ")
    return HumanTranslation(path=path, title=title, blocks=blocks, notes=notes,
                            digest=hashlib.sha256(src.text.encode("utf-8")).hexdigest())


def with_human(article: Article, human: HumanTranslation) -> Article:
    """``article`` joined with its human translation: ``dataclasses.replace(article,
    human=human)``, without its work per field (every article with one, every build)."""
    return made(Article, article.__dict__, human=human)


def content_files(content_dir: Path) -> Listing:
    """Every candidate file under ``content_dir`` (as strings: a site may have thousands),
    skipping hidden and editor temp files, in a stable order, and the folders that could
    not be listed or followed (see :func:`~digest.listing.list_content`)."""
    return list_content(content_dir, ARTICLE_SUFFIXES)


def load_articles(config: Config, reader=read_article, translation_reader=None,
                  files: list[str] | None = None,
                  refused: Sequence[tuple[str, str]] = ()) -> tuple[list[Article], list[Problem]]:
    """Load every article under the content folder.

    Returns the articles (newest first) and the problems found. ``reader`` and
    ``translation_reader`` (given each file's path as a string) let a long-lived builder
    substitute memoised readers, and ``files`` and ``refused`` its listing of
    :func:`content_files` when it knows the folder has not changed since. A content
    folder that does not exist raises :class:`~digest.config.ConfigError`: built as empty,
    a mistyped ``--content`` would wipe the published site.
    """
    if not config.content_dir.is_dir():
        raise ConfigError(config.content_dir, [
            "the content folder does not exist (set paths.content in digest.toml, or --content)"])
    if translation_reader is None:
        translation_reader = lambda path: read_translation(path, config)  # noqa: E731
    if files is None:
        listing = content_files(config.content_dir)
        files, refused = listing.files, listing.refused
    problems = [Problem((Path(path),), reason) for path, reason in refused]
    articles: dict[str, Article] = {}
    # Keyed by the path without its suffix, as text: 10,000 Path objects cost more than the rest.
    translations: dict[str, str] = {}
    stems: dict[str, str] = {}
    drafts: set[str] = set()
    for name in files:
        if name.endswith(TRANSLATION_SUFFIX):
            translations[name[:-len(TRANSLATION_SUFFIX)]] = name
            continue
        try:
            article = reader(name, config)
        except SourceError as exc:
            problems.append(Problem((Path(name),), str(exc)))
            continue
        except Exception as exc:  # one odd file must never stop the others from building
            problems.append(Problem((Path(name),), f"could not be read: {type(exc).__name__}: {exc}"))
            continue
        stem = os.path.splitext(name)[0]
        if article.draft and not config.drafts:
            drafts.add(stem)
            continue
        other = articles.get(article.slug)
        if other is not None:
            kept, skipped = (p.relative_to(config.content_dir).as_posix() for p in (other.path, article.path))
            problems.append(Problem((other.path, article.path), f"both have the slug {article.slug!r}; "
                                    f"{skipped} is skipped, {kept} keeps the URL (first in file order)"))
            continue
        articles[article.slug] = article
        stems[stem] = article.slug
    for stem, name in translations.items():
        slug = stems.get(stem)
        if slug is None and stem in drafts:
            continue  # published with its article
        if slug is None:
            problems.append(Problem((Path(name),), "human translation without an article beside it (expected "
                                    f"{Path(stem).name}.md or {Path(stem).name}.txt)"))
            continue
        try:
            human = translation_reader(name)
        except (SourceError, ValueError, TypeError) as exc:
            problems.append(Problem((Path(name),), str(exc)))
            continue
        articles[slug] = with_human(articles[slug], human)
    ordered = sorted(articles.values(), key=lambda a: (a.published, a.slug), reverse=True)
    return ordered, problems
