"""The whole-build memo: a build whose inputs are all unchanged replays the last one's outcome.

A new ``digest build`` process knows nothing of the last one, and loading, checking and
rendering 10,000 unchanged articles only to find every page on disk as it is took tens of
seconds. Before loading anything, :func:`inputs` stamps everything a build reads: every file
under the content folder (articles, translations, images, edits files, the glossary), the
project's ``static/``, ``translated-from.txt`` and ``digest.toml``, the theme folders, digest's
own files, the effective configuration (flags included) and the libraries that shape a
page. A stamp is a file's size, modification time, inode and type, as the in-memory builder
already trusts for its own reads.

The outcome of a build (the hash of the output manifest it wrote, the problems and warnings
it reported, its counts) is stored in the build store under a hash of those stamps: memoised
by its inputs, no dependency ever recorded. A build is only remembered when its result did
not hang on anything outside the stamps: no machine translation failed, the files of the
model it used are stamped, and translations left pending for want of a model are replayed
only while none is installed. On a hit the output folder
must still hold exactly that manifest, each file with its recorded size and time
(:func:`~digest.output.verify.verify`); a file changed or deleted by hand is a miss, and the
real build restores it. A value that does not decode as expected is a miss too.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..config import BuildConfig, Config
from ..content.problem import Problem
from ..content.stamps import stamp_of
from ..content.store import BuildStore, cache_key
from ..events import Event, FileProblem, Reporter, Warn
from ..installed import version, versions
from ..render.themedirs import theme_dirs
from ..translate.record import RECORD_NAME
from .guard import MANIFEST
from .verify import Verified, verify

TABLE = "memo"
LIBRARIES = ("jinja2", "markdown-it-py", "pagefind", "pillow", "pyyaml", "markupsafe")
"""Installed packages whose version can change the bytes of a page."""
_PACKAGE = Path(__file__).resolve().parent.parent


def _walk(top: Path, skip: tuple[str, ...], stamps: dict[str, tuple]) -> None:
    """Stamp every file under ``top`` (a folder that cannot be read stamps as such)."""
    def refused(exc: OSError) -> None:
        stamps[str(exc.filename)] = ("unreadable", exc.errno)

    for dirpath, dirnames, filenames in os.walk(top, onerror=refused):
        dirnames[:] = [d for d in dirnames if d not in ("__pycache__", ".git")
                       and os.path.join(dirpath, d) not in skip]
        for name in filenames:
            _file(os.path.join(dirpath, name), stamps)


def _file(path: str, stamps: dict[str, tuple]) -> None:
    try:
        st = os.lstat(path)
        stamps[path] = stamp_of(st)
        if stat.S_ISLNK(st.st_mode):
            stamps[path + "\0target"] = stamp_of(os.stat(path))
    except OSError as exc:
        stamps[path] = ("missing", exc.errno)


def _versions() -> tuple[str, ...]:
    found = versions(LIBRARIES)  # one look at sys.path; one not installed as a wheel asked alone
    return (sys.version, *(f"{name}={found.get(name) or version(name) or 'none'}" for name in LIBRARIES))


def inputs(config: Config) -> dict[str, tuple]:
    """The stamp of everything a build of ``config`` reads, by path."""
    stamps: dict[str, tuple] = {}
    skip = (str(config.output_dir), str(config.cache_dir))
    _walk(config.content_dir, skip, stamps)
    _walk(config.root / "static", skip, stamps)
    for path in (config.root / "digest.toml", config.root / RECORD_NAME):
        _file(str(path), stamps)
    for folder in theme_dirs(config):
        _walk(folder, skip, stamps)
    _walk(_PACKAGE, skip, stamps)
    return stamps


def key_of(config: Config, stamps: dict[str, tuple]) -> str:
    """The memo key of a build of ``config`` over ``stamps`` (the worker count is left out:
    the output is the same for any)."""
    return cache_key("build-memo", repr(replace(config, build=BuildConfig())), _versions(),
                     sorted(stamps.items()))


def _package_folders() -> list:
    """What argostranslate's lookup of installed packages reads: each folder it looks in (its
    stamp changes as packages are added, removed or renamed) and each package's metadata."""
    from argostranslate import settings  # its own import only: the lookup's (and urllib's) is not needed

    found: list = []
    for top in map(str, settings.package_dirs):
        stamps: dict[str, tuple] = {}
        _file(top, stamps)
        try:
            names = sorted(os.listdir(top))
        except OSError:
            names = []
        for name in names:
            _file(os.path.join(top, name, "metadata.json"), stamps)
        found.append([top, sorted([k, list(v)] for k, v in stamps.items())])
    return found


def model_stamp(config: Config, last: object = None) -> list:
    """What decides the translation a build of ``config`` gets: the package folders
    (:func:`_package_folders`), the folder of the package it uses (None: none is installed)
    and the stamps of that package's files. ``last``: what this gave before; while the package
    folders are as they were then, its package is the one the lookup would find, and is
    taken without it (argostranslate's lookup and its imports were most of a replayed build)."""
    folders = _package_folders()
    tops = {top for top, _ in folders}
    if isinstance(last, list) and len(last) == 3 and last[0] == folders and (
            last[1] is None or (isinstance(last[1], str) and os.path.dirname(last[1]) in tops)):
        folder = last[1]
    else:
        from ..translate.engine import find_package

        found = find_package(config.site.source_language, config.site.target_language)
        folder = str(found) if found is not None else None
    stamps: dict[str, tuple] = {}
    if folder is not None:
        _walk(Path(folder), (), stamps)
    return [folders, folder, [[k, list(v)] for k, v in sorted(stamps.items())]]


def manifest_hash(out_dir: Path) -> str | None:
    """The SHA-256 of ``out_dir``'s manifest (None without one)."""
    try:
        return hashlib.sha256((out_dir / MANIFEST).read_bytes()).hexdigest()
    except OSError:
        return None


class Recorder(Reporter):
    """Passes every event on to ``inner`` and keeps the problems and warnings, to replay.

    Info lines are not kept: they tell of work this build did (images processed, a lock
    waited for, foreign files "said once"), which a replay does not do. What the site is
    like (translations pending) is in the :class:`Outcome`'s counts, and said again.
    """

    def __init__(self, inner: Reporter) -> None:
        self.inner = inner
        self.kept: list[list] = []

    def emit(self, event: Event) -> None:
        """Keep a problem or warning, then pass ``event`` on."""
        if isinstance(event, FileProblem):
            self.kept.append(["problem", [str(p) for p in event.problem.paths], event.problem.message])
        elif isinstance(event, Warn):
            self.kept.append(["warning", event.message])
        self.inner.emit(event)


@dataclass(frozen=True)
class Outcome:
    """What a remembered build reported, to report again."""

    events: list[list]
    articles: int
    drafts_left_out: int
    translator: str | None
    pending: int = 0
    """Texts left for a translation model (none is installed)."""
    labels: int = 0
    """Of ``pending``, the tag and source names."""

    def replay(self, reporter: Reporter) -> list[Problem]:
        """Report the remembered problems and warnings again; return the problems."""
        problems = []
        for event in self.events:
            if event[0] == "problem":
                problem = Problem(tuple(Path(p) for p in event[1]), event[2])
                problems.append(problem)
                reporter.problem(problem)
            else:
                reporter.warning(event[1])
        return problems


def recall(store: BuildStore, config: Config, key: str, checked: Callable[[], Verified] | None = None
           ) -> tuple[Outcome, dict[str, list]] | None:
    """The outcome remembered under ``key`` and the files of the output folder's manifest,
    if the folder still holds exactly what that build left there; None otherwise (a miss).
    ``checked``: the folder's check against its manifest (default: :func:`~digest.output.verify.verify` now)."""
    value = store.get(TABLE, key)
    try:
        if not isinstance(value, dict):
            return None
        out_dir = config.output_dir
        if value["manifest"] is None or value["manifest"] != manifest_hash(out_dir):
            return None
        if value["model"] is not None and value["model"] != model_stamp(config, value["model"]):
            return None
        outcome = Outcome(list(value["events"]), int(value["articles"]), int(value["drafts"]),
                          value["translator"], int(value["pending"]), int(value["labels"]))
        if not all(isinstance(e, list) and e and e[0] in ("problem", "warning") for e in outcome.events):
            return None
    except (KeyError, TypeError, ValueError):
        return None
    on_disk = checked() if checked is not None else verify(out_dir)
    if not on_disk.listed or len(on_disk.good) != len(on_disk.listed):
        return None
    return outcome, on_disk.listed


def ask(store: BuildStore, config: Config, checked: Callable[[], Verified] | None = None
        ) -> tuple[dict[str, tuple], tuple[Outcome, dict[str, list]] | None]:
    """Stamp the inputs of a build of ``config`` and :func:`recall` what a build over them
    left: the stamps (for the build that follows a miss) and the recalled outcome, or None."""
    before = inputs(config)
    return before, recall(store, config, key_of(config, before), checked)


def remember(store: BuildStore, config: Config, key: str, outcome: Outcome) -> None:
    """Store ``outcome`` under ``key``, with the output folder's manifest as it is now and
    what decided its translations: the stamps of the model it used, or (texts pending) that
    none is installed."""
    stamps: list | None = None
    if outcome.translator is not None:
        stamps = model_stamp(config)
        if stamps[1] is None:
            return  # the model is gone already: nothing to compare the next build with
    elif outcome.pending and config.translation.engine != "none":
        stamps = model_stamp(config)
        if stamps[1] is not None:
            return  # a model is there, yet was not used: do not guess why
    store.put_many(TABLE, [(key, {
        "manifest": manifest_hash(config.output_dir), "events": outcome.events,
        "articles": outcome.articles, "drafts": outcome.drafts_left_out,
        "translator": outcome.translator, "model": stamps, "pending": outcome.pending,
        "labels": outcome.labels,
    })])


def same_but_record(before: dict[str, tuple], after: dict[str, tuple], config: Config) -> bool:
    """Whether the inputs after a build are those before it, but for the record of what the
    human translations were made from (which the build itself brings up to date)."""
    record = str(config.root / RECORD_NAME)
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    return changed <= {record}
