"""Which output folders digest refuses to write, decided from paths and a few facts.

:func:`refusals` is pure: it takes resolved paths and what is known about the folder and
returns the reasons to refuse it (none: it may be written). :func:`inspect` gathers those
facts from the disk. A build calls both before it touches anything.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from pathlib import Path, PurePath

MANIFEST = ".digest-manifest.json"


@dataclass(frozen=True)
class Places:
    """The folders an output folder must keep clear of, all absolute and resolved."""

    root: PurePath
    content: PurePath
    themes: PurePath
    cache: PurePath
    home: PurePath | None
    other_homes: tuple[PurePath, ...] = ()
    """The account's home from the password database when ``HOME`` says otherwise (or is unset)."""


@dataclass(frozen=True)
class State:
    """What the output folder is on disk."""

    is_symlink: bool = False
    exists: bool = False
    is_dir: bool = True
    entries: int = 0
    """Entries directly inside it (0 when it does not exist)."""
    marked: bool = False
    """It holds digest's manifest."""


def plain_path(rel: object) -> bool:
    """Whether ``rel`` is a plain relative path inside the output folder, as ``posixpath``
    would leave it: no empty, ``.`` or ``..`` part (so no leading or trailing ``/``), no
    backslash, NUL or drive (``C:``), and not the manifest. (String operations only: a
    build checks every path of its site, 55,000 at 10,000 articles.)"""
    if type(rel) is not str or "\\" in rel or "\0" in rel or rel == MANIFEST:
        return False
    parts = rel.split("/")
    return not ("" in parts or "." in parts or ".." in parts or ":" in parts[0])


def _within(inner: PurePath, outer: PurePath) -> bool:
    return inner == outer or outer in inner.parents


def refusals(out: PurePath, places: Places | None, state: State, force: bool = False) -> list[str]:
    """The reasons not to write a site into ``out`` (resolved), empty if it may be written.

    Refused: ``/``, a folder that is or holds the project root or the home folder, one
    that is, holds or lies inside content, themes or the translation cache, a symlink,
    something that is not a folder, and a non-empty folder without digest's manifest
    unless ``force``. Without ``places`` only ``/`` and the folder itself are checked.
    """
    reasons = []
    if state.is_symlink:
        reasons.append("it is a symbolic link (give the folder it points to instead)")
    if out == PurePath(out.anchor):
        reasons.append("it is the file system root")
    if places is not None:
        if _within(places.root, out):
            reasons.append("it is or contains the project folder")
        if any(_within(home, out) for home in (places.home, *places.other_homes) if home is not None):
            reasons.append("it is or contains the home folder")
        for name, place in (("content", places.content), ("themes", places.themes),
                            ("translation cache", places.cache)):
            if _within(out, place) or _within(place, out):
                reasons.append(f"it is, contains or lies inside the {name} folder ({place})")
    if state.exists and not state.is_dir:
        reasons.append("it exists and is not a folder")
    elif state.entries and not state.marked and not force and not reasons:
        reasons.append(f"it is not empty and has no {MANIFEST}, so digest did not make it: "
                       "delete or empty it, or pass --force-output to build into it "
                       "(files digest does not write are left as they are)")
    return reasons


def inspect(out: Path) -> State:
    """The :class:`State` of ``out`` on disk."""
    if not os.path.lexists(out):
        return State()
    if os.path.islink(out):
        return State(is_symlink=True, exists=True)
    if not os.path.isdir(out):
        return State(exists=True, is_dir=False)
    names = os.listdir(out)
    return State(exists=True, entries=len(names), marked=MANIFEST in names)


def resolved(path: Path) -> Path:
    """``path`` absolute with every symlink above it resolved, the last part kept as is
    (a symlinked output folder must be seen as one, not followed)."""
    path = Path(os.path.abspath(path))
    return Path(os.path.realpath(path.parent)) / path.name if path.name else path


def places_of(config) -> Places:
    """The :class:`Places` of a :class:`~digest.config.Config`."""
    home = os.environ.get("HOME")
    real_home = Path(os.path.realpath(home)) if home else None
    try:
        # HOME may be unset or point elsewhere (sudo, CI); the account's own home is protected too.
        account = Path(os.path.realpath(pwd.getpwuid(os.getuid()).pw_dir))
    except (KeyError, OSError):
        account = None
    others = (account,) if account is not None and account != real_home else ()
    return Places(root=Path(os.path.realpath(config.root)), content=Path(os.path.realpath(config.content_dir)),
                  themes=Path(os.path.realpath(config.themes_dir)), cache=Path(os.path.realpath(config.cache_dir)),
                  home=real_home, other_homes=others)
