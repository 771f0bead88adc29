"""The project configuration: one typed, frozen object read from ``digest.toml``.

Every field has a default, so a project without ``digest.toml`` works. Unknown keys and
values of the wrong type are collected and reported together in one :class:`ConfigError`,
each naming its source: the command-line flag, or the file, line and dotted key.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .configsource import Sources, flag
from .errors import ConfigError
from .pagechrome import DEFAULT_AGENCIES, DEFAULT_CHROME  # noqa: F401  (re-exported)

CONFIG_NAME = "digest.toml"

DEFAULT_MAX_FILE_BYTES = 10_000_000
"""The default of ``text.max_file_bytes``: a content file larger than this is refused."""


@dataclass(frozen=True)
class SiteConfig:
    """The site's identity and addresses."""

    title_ar: str = "الموجز"
    """Site title on Arabic pages."""
    title_en: str = "The Digest"
    """Site title on English pages."""
    base_url: str = "http://127.0.0.1:8000/"
    """Absolute URL the site is published at; may include a sub-path such as ``/digest/``."""
    source_language: str = "ar"
    """Language code of the articles editors write."""
    target_language: str = "en"
    """Language code the articles are translated into."""
    theme: str = "default"
    """Theme folder name under ``themes/``; falls back to ``default`` template by template."""
    page_size: int = 20
    """Entries per page on the home page, indexes and tag pages."""
    search: bool = True
    """Build the Pagefind search index and search pages (``--no-search``: off for one run)."""
    search_shard_articles: int = 1000
    """Most articles per search-index shard: months, oldest first, go into a shard as long as
    it holds no more than this (a larger month is a shard of its own); the newest shard stays
    open. An edit re-indexes its own shard only (smaller shards: a cheaper edit, more
    requests per search; bench/README.md, "Search shards")."""


@dataclass(frozen=True)
class PathsConfig:
    """Folders, relative to the project root."""

    content: str = "content"
    """Where editors drop articles."""
    output: str = "site"
    """Where the built site is written."""
    themes: str = "themes"
    """Where theme folders live."""
    cache: str = ".digest-cache"
    """Where the translation cache lives; never inside the output folder."""


@dataclass(frozen=True)
class TranslationConfig:
    """How machine translation runs."""

    engine: str = "argos"
    """``argos`` to use an installed Argos Translate package, ``none`` to skip translation."""
    beam_size: int = 4
    """Beam width for decoding; 1 is greedy and fastest."""
    compute_type: str = "auto"
    """CTranslate2 compute type: ``auto`` (int8 on a CPU, int8_float16 on a GPU), ``int8``, ``float32``..."""
    device: str = "auto"
    """``auto`` (a GPU if CTranslate2 sees one, else the CPU), ``cpu`` or ``cuda``."""
    inter_threads: int = 2
    """CTranslate2 batches decoded in parallel, one worker each (set it to the number of cores)."""
    intra_threads: int = 1
    """CTranslate2 threads per worker (0: CTranslate2's default). On 2 cores 2 x 1 was about
    1.4x faster than 1 x 2."""
    batch_tokens: int = 256
    """Batch size counted in source tokens; a small job is split so every worker gets a batch.
    256 to 1024 were within a few percent of each other on 2 cores (256 slightly ahead)."""
    max_decoding_length: int = 256
    """Upper bound on the length of one translated sentence, in tokens."""
    review_below: float = -1.0
    """A machine-translated paragraph whose lowest sentence score (the model's mean natural-log
    probability per token, 0 at best) is below this is marked for review. At -1.0 the model
    was, on average, less than 37% sure of each token; ``-inf`` marks nothing."""
    cluster: str = ""
    """A Ray cluster to translate on (the ``ray`` extra): ``local``, or an address such as
    ``ray://head:10001``; empty: this process. ``--cluster`` overrides it."""
    cluster_actors: int = 0
    """Ray actors, each with its own copy of the model (0: as many as the cluster has room for)."""
    cluster_retries: int = 2
    """Times a batch whose worker died is sent to another one before its sentences are failed."""


@dataclass(frozen=True)
class TextConfig:
    """How content files are read, and raw text copied from news sites cleaned."""

    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    """A content file over this many bytes is refused by name, unread (a long article is
    well under 100 kB; a 50 MB file took 34 s and 1.5 GB)."""

    agencies: tuple[str, ...] = DEFAULT_AGENCIES
    """Lines that name a news agency; a trailing one becomes the article's source."""
    chrome: tuple[str, ...] = DEFAULT_CHROME
    """Leftover page widgets (comment, share, print...) dropped from raw text."""


@dataclass(frozen=True)
class BuildConfig:
    """How a build uses the machine's cores."""

    workers: int = 0
    """Processes that render pages at once: 0 (the default) is one per core this process may
    use, 1 renders in the build's own process with no pool (``--workers N`` for one run).
    ``digest serve`` and ``watch`` always render in their own process."""


@dataclass(frozen=True)
class Config:
    """The whole configuration of one project."""

    root: Path = Path(".")
    site: SiteConfig = field(default_factory=SiteConfig)
    paths: PathsConfig = field(default_factory=PathsConfig)
    translation: TranslationConfig = field(default_factory=TranslationConfig)
    text: TextConfig = field(default_factory=TextConfig)
    build: BuildConfig = field(default_factory=BuildConfig)
    theme_dir: Path | None = None
    """Set by ``--theme``: a theme folder used instead of ``themes/<site.theme>``."""
    drafts: bool = False
    """Set by ``--drafts``: articles marked ``draft: true`` are built too, marked as drafts."""
    force_output: bool = False
    """Set by ``--force-output`` only (never a digest.toml key): build into a non-empty
    folder digest did not make, touching only the files it writes."""

    @property
    def content_dir(self) -> Path:
        return self.root / self.paths.content

    @property
    def output_dir(self) -> Path:
        return self.root / self.paths.output

    @property
    def cache_dir(self) -> Path:
        return self.root / self.paths.cache

    @property
    def themes_dir(self) -> Path:
        return self.root / self.paths.themes

    @property
    def base_path(self) -> str:
        """The path part of ``base_url``, always starting and ending with ``/``."""
        path = urlsplit(self.site.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    def language_title(self, lang: str) -> str:
        return self.site.title_ar if lang == self.site.source_language else self.site.title_en


SECTIONS = {"site": SiteConfig, "paths": PathsConfig, "translation": TranslationConfig, "text": TextConfig,
            "build": BuildConfig}


def _check(value: object, hint: object) -> object:
    """Return ``value`` converted to ``hint`` or raise TypeError with the expected type."""
    origin = typing.get_origin(hint)
    if hint is bool:
        if isinstance(value, bool):
            return value
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif hint is str:
        if isinstance(value, str):
            return value
    elif origin is tuple:
        (item,) = typing.get_args(hint)[:1]
        if isinstance(value, list):
            return tuple(_check(v, item) for v in value)
    elif origin in (types.UnionType, typing.Union):
        for option in typing.get_args(hint):
            try:
                return _check(value, option)
            except TypeError:
                continue
    raise TypeError(_type_name(hint))


def _type_name(hint: object) -> str:
    if typing.get_origin(hint) is tuple:
        return f"a list of {_type_name(typing.get_args(hint)[0]).removeprefix('a ').removeprefix('an ')}s"
    names: dict[object, str] = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}
    return names.get(hint, str(hint))


def _section(cls: type, data: dict, prefix: str, problems: list[tuple[str, str, bool]], overrides: dict):
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    values = {}
    for key, value in data.items():
        if key not in names:
            problems.append((prefix + key, f"unknown key (known: {', '.join(sorted(names))})", True))
            continue
        try:
            values[key] = _check(value, hints[key])
        except TypeError as exc:
            problems.append((prefix + key, f"expected {exc}, got {type(value).__name__} {value!r}", True))
    values.update({k: v for k, v in overrides.items() if v is not None})
    return cls(**values)


_VALID = {
    ("translation", "engine"): {"argos", "none"},
    ("translation", "device"): {"cpu", "cuda", "auto"},
    ("translation", "compute_type"): {"default", "auto", "int8", "int8_float32", "int8_float16",
                                      "int8_bfloat16", "int16", "float16", "bfloat16", "float32"},
}
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
"""An ISO 639 code, as Argos packages and ``lang`` attributes name languages (ar, en, zh-TW)."""
_MINIMUM = {
    ("site", "page_size"): 1,
    ("site", "search_shard_articles"): 1,
    ("translation", "beam_size"): 1,
    ("translation", "inter_threads"): 1,
    ("translation", "intra_threads"): 0,
    ("translation", "batch_tokens"): 1,
    ("translation", "max_decoding_length"): 1,
    ("translation", "cluster_actors"): 0,
    ("translation", "cluster_retries"): 0,
    ("text", "max_file_bytes"): 1,
    ("build", "workers"): 0,
}


def load_config(root: Path | str = ".", overrides: dict[str, typing.Any] | None = None,
                check_folders: bool = False) -> Config:
    """Read ``digest.toml`` under ``root`` (if present) and apply CLI ``overrides``.

    ``overrides`` maps section name to ``{key: value}``; ``None`` values are ignored so
    unset command-line options never mask the file. Each override came from the flag named
    after its key (``base_url``: ``--base-url``). ``theme_dir``, ``drafts`` and
    ``force_output`` are command-line settings of their own, not keys of the file. With
    ``check_folders`` the content folder and the theme must exist too.

    Raises :class:`ConfigError` listing every problem found, each prefixed with its source:
    the flag, ``digest.toml:LINE: key``, or the key alone for a default.
    """
    root = Path(root).absolute()
    path = root / CONFIG_NAME
    overrides = overrides or {}
    flags = {f"{section}.{key}": flag("--" + key.replace("_", "-"), value)
             for section, values in overrides.items() if isinstance(values, dict)
             for key, value in values.items() if value is not None}
    if overrides.get("theme_dir"):
        flags["site.theme"] = flag("--theme", overrides["theme_dir"])
    data: dict = {}
    text: str | None = None
    unparsable: str | None = None
    if path.exists():
        try:
            text = path.read_text(encoding="utf-8-sig")
            data = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
            text, unparsable = None, str(exc)
    sources = Sources(path, text, flags)
    # (key, reason, about the file's value even if a flag overrides it)
    found: list[tuple[str, str, bool]] = []
    for key in data:
        if key not in SECTIONS:
            found.append((key, f"unknown section (known: {', '.join(SECTIONS)})", True))
    sections = {}
    for name, cls in SECTIONS.items():
        raw = data.get(name, {})
        if not isinstance(raw, dict):
            found.append((name, f"expected a table, got {type(raw).__name__}", True))
            raw = {}
        sections[name] = _section(cls, raw, f"{name}.", found, overrides.get(name, {}))
    for (section, key), allowed in _VALID.items():
        value = getattr(sections[section], key)
        if value not in allowed:
            found.append((f"{section}.{key}", f"{value!r} is not one of {', '.join(sorted(allowed))}", False))
    if sections["translation"].cluster and not _importable("ray"):
        found.append(("translation.cluster", "needs Ray: pip install 'digest[ray]' (or set no cluster)", False))
    for key in ("source_language", "target_language"):
        code = getattr(sections["site"], key)
        if not _LANGUAGE.fullmatch(code):
            found.append((f"site.{key}", f"{code!r} is not a language code (such as ar or en)", False))
    if sections["site"].source_language == sections["site"].target_language:
        found.append(("site.target_language", "the same as site.source_language", False))
    if not urlsplit(sections["site"].base_url).scheme:
        found.append(("site.base_url", f"{sections['site'].base_url!r} is not an absolute URL", False))
    for (section, key), least in _MINIMUM.items():
        if getattr(sections[section], key) < least:
            found.append((f"{section}.{key}", f"must be at least {least}, got {getattr(sections[section], key)}",
                          False))
    if math.isnan(sections["translation"].review_below):
        found.append(("translation.review_below", "must be a number, got nan", True))
    output = data.get("paths", {}).get("output") if isinstance(data.get("paths"), dict) else None
    if isinstance(output, str) and overrides.get("paths", {}).get("output") is None and not _inside(root, output):
        found.append(("paths.output", f"{output!r} is outside the project folder; give such a folder on the "
                      "command line (--output DIR) instead", True))
    problems = [sources.unparsable(unparsable)] if unparsable else []
    problems += [sources.problem(key, reason, in_file) for key, reason, in_file in found]
    theme_dir = overrides.get("theme_dir")
    config = Config(root=root, theme_dir=Path(theme_dir) if theme_dir else None,
                    drafts=bool(overrides.get("drafts")),
                    force_output=bool(overrides.get("force_output")), **sections)
    if check_folders:
        # A file that cannot be read may set either folder: only flags and defaults are known.
        problems += _folder_problems(config, sources, trust_defaults=unparsable is None)
    if problems:
        raise ConfigError(None, problems)
    return config


def _importable(module: str) -> bool:
    """True if ``module`` could be imported (it is not imported: Ray alone takes seconds)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # ValueError: hidden as sys.modules[module] = None
        return False


def theme_problem(config: Config) -> str | None:
    """Why the theme the configuration names cannot be used, or None (``default`` always can)."""
    if config.theme_dir is not None:
        return None if config.theme_dir.is_dir() else "no such theme folder"
    name = config.site.theme
    if name == "default" or (config.themes_dir / name).is_dir():
        return None
    found = {"default"}
    if config.themes_dir.is_dir():
        found.update(d.name for d in config.themes_dir.iterdir() if d.is_dir() and not d.name.startswith("."))
    return f"no theme {name!r} (themes here: {', '.join(sorted(found))})"


def _folder_problems(config: Config, sources: Sources, trust_defaults: bool) -> list[str]:
    problems = []
    if not config.content_dir.is_dir() and (trust_defaults or sources.origin("paths.content") == "flag"):
        reason = "the content folder does not exist"
        if sources.origin("paths.content"):
            problems.append(sources.problem("paths.content", f"{reason} ({config.content_dir})"))
        else:
            problems.append(f"{config.content_dir}: {reason} (create it, set paths.content or pass --content)")
    theme = theme_problem(config)
    if theme and (trust_defaults or sources.origin("site.theme") == "flag"):
        problems.append(sources.problem("site.theme", theme))
    return problems


def _inside(root: Path, rel: str) -> bool:
    """True if ``rel`` names ``root`` or a folder inside it (symlinks above it followed)."""
    if not rel or Path(rel).is_absolute():
        return False
    base = os.path.realpath(root)
    norm = os.path.normpath(rel)
    full = os.path.join(os.path.realpath(os.path.join(base, os.path.dirname(norm))), os.path.basename(norm))
    full = os.path.normpath(full)
    return full == base or full.startswith(base.rstrip(os.sep) + os.sep)
