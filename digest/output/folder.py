"""Writing a file map to the output folder, safely, and deleting only what digest wrote.

Before the first write the folder is checked (:mod:`digest.output.guard`): digest refuses the
project, content, themes, cache, home or root folders, symlinks, and non-empty folders it
did not make (``--force-output`` lets it build into the last kind). The map is validated
whole before anything is written, so a bad map leaves the last good site, and no path may
escape the folder.

Two ways of writing, both under the work area's lock (:mod:`digest.output.workarea`):

- The first write of an :class:`OutputFolder` (every ``digest build``, the first build of
  ``digest serve``/``watch``, or after the folder was replaced) stages the whole site
  beside the output folder and swaps it in with one rename (:mod:`digest.output.stage`): a killed
  build leaves the complete old site or the complete new one. Unchanged files are hard
  links to the old ones, so their times are kept.
- Later writes in a serve/watch session replace only the files that changed, each with
  its own atomic rename from the work area, then the manifest. A staged swap at 1,000
  articles (3,346 files) took 1.2-2.4 s, against 8-12 ms for this write step (README).

:class:`OutputFolder` remembers what it left in the folder, so an edit costs a dictionary
walk, one write and no read-back. :func:`write_site` is the one-off form.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import OutputError
from ..render.kept import Kept, Spooled
from ..render.spool import SPOOL, Spool
from .guard import MANIFEST, Places, inspect, plain_path, refusals, resolved
from .stage import StageError, entry, manifest_bytes, manifest_line, stage_site, unspool
from .verify import Looking, OnDisk, Verified, few, verify
from .workarea import SiteLock, remove, work_dir


@dataclass
class WriteResult:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    """Top-level names in the folder digest did not write, when they changed since the
    last build (so they are reported once)."""


def check_path(rel: str) -> str:
    """Return ``rel`` normalised, or raise :class:`OutputError` if it would escape the folder."""
    if not rel or "\\" in rel or "\0" in rel or rel.startswith("/") or ":" in rel.split("/")[0]:
        raise OutputError(f"refusing to write {rel!r}: not a relative path inside the output folder")
    norm = posixpath.normpath(rel)
    if norm != rel or norm == "." or norm.startswith("../") or norm == ".." or norm == MANIFEST:
        raise OutputError(f"refusing to write {rel!r}: not a plain path inside the output folder")
    return norm


def _folders(rel: str):
    """Every folder above ``rel``, outermost first: ``a/b/c`` gives ``a``, ``a/b``."""
    end = rel.find("/")
    while end != -1:
        yield rel[:end]
        end = rel.find("/", end + 1)


def check_output(out_dir: Path, places: Places | None = None, force: bool = False) -> None:
    """Raise :class:`OutputError` if digest must not write a site into ``out_dir``."""
    reasons = refusals(resolved(out_dir), places, inspect(out_dir), force)
    if reasons:
        raise OutputError(f"refusing to write the site into {out_dir}: {'; '.join(reasons)}")


class OutputFolder:
    """An output folder that one builder writes again and again.

    It remembers the bytes it last left at every path and trusts that memory while the
    folder is the same one (same device and inode), so unchanged files are neither read
    nor stat'ed. When the folder was deleted or replaced, or on the first write, the site
    is staged and swapped in whole. ``places``: the project folders the output must keep
    clear of; ``waiting``: told once when another build holds the lock.
    """

    def __init__(self, out_dir: Path, places: Places | None = None, force: bool = False,
                 waiting=None) -> None:
        self.out_dir = Path(out_dir)
        self.places, self.force, self.waiting = places, force, waiting
        self.lock = SiteLock.of(self.out_dir)
        self._files: dict[str, bytes | Kept] = {}
        self._lines: dict[str, str] = {}
        self._foreign: list[str] = []
        self._folders: set[str] = set()
        self._identity: tuple[int, int] | None = None
        self._verified: Verified | None = None
        self._looking: Looking | None = None
        self._prepared: _Prepared | None = None

    def look_ahead(self) -> None:
        """Begin :meth:`on_disk`'s check now (:class:`~digest.output.verify.Looking`), before a
        first write to this folder; under the lock, so it finds what the write will find."""
        if self._looking is None and not self._remembers():
            self._verified = self._prepared = None  # a failed build's
            self._looking = Looking(self.out_dir)

    def verified(self) -> Verified:
        """The folder checked against its manifest: as :meth:`look_ahead` began, or now."""
        if self._verified is None:
            looking, self._looking = self._looking, None
            self._verified = looking.result() if looking is not None else verify(self.out_dir)
        return self._verified

    def drop_look(self) -> None:
        """Forget a check :meth:`look_ahead` began and nobody asked for (the build failed)."""
        if self._looking is not None:
            self._looking.drop()
            self._looking = None

    def prepare(self, files: dict[str, bytes | Kept]) -> None:
        """Compare ``files``, the first part of the next write's map (the same objects, in its
        order), with the folder now, while the build waits for the rest (Pagefind's bundles):
        the first write to this folder then compares only what follows them."""
        if self._remembers():
            return
        verified = self.verified()
        new = [rel for rel in files if rel not in verified.listed]
        # More changes than a write in place of these alone allows: the write compares all.
        changed = verified.changes(files, limit=few(len(files)))
        self._prepared = _Prepared(verified, dict(files), new, _folders_of(files), changed, verified.lines())

    def on_disk(self) -> OnDisk | None:
        """Path -> SHA-256 of the files the manifest lists that still have their recorded size
        and time, when the next write is the first to this folder (None after: this folder
        remembers what it wrote); worked out on first use."""
        if self._remembers():
            return None
        if self._looking is None:  # none begun for this build: a check now (not a failed build's)
            self._verified = verify(self.out_dir)
        return OnDisk(lambda: {rel: item[1] for rel, item in self.verified().good.items()})

    def _remembers(self) -> bool:  # this is the folder this object last wrote (and knows)
        return self._identity is not None and self._identity == self._identity_now()

    def spool(self) -> Spool:
        """An empty spool in the work area for the pages of the next write to be rendered
        into (:mod:`digest.render.spool`); the caller holds the lock until that write."""
        root = work_dir(self.out_dir) / SPOOL
        remove(root)
        root.mkdir(parents=True)
        return Spool(root, plain_path)

    def write(self, files: dict[str, bytes | Kept]) -> WriteResult:
        """Make the folder hold exactly ``files`` (plus what digest did not write), writing
        only changes."""
        self.check()
        self.lock.acquire(self.waiting)
        try:
            return self._write(files)
        except StageError as exc:
            raise OutputError(str(exc)) from None
        finally:
            self.lock.release()

    def check(self) -> None:
        """Raise :class:`OutputError` if the folder must not be written; called before the
        lock is taken (which makes the work area beside it), and again under it."""
        if self._identity is None or self._identity != self._identity_now():
            check_output(self.out_dir, self.places, self.force)

    def _identity_now(self) -> tuple[int, int] | None:
        try:
            st = os.lstat(self.out_dir)
        except OSError:
            return None
        return (st.st_dev, st.st_ino) if stat.S_ISDIR(st.st_mode) else None

    def _write(self, files: dict[str, bytes | Kept]) -> WriteResult:
        identity = self._identity_now()
        full = identity is None or identity != self._identity
        result, retell = WriteResult(), False
        if full:
            check_output(self.out_dir, self.places, self.force)
            verified, self._verified = self.verified(), None
            listed = verified.listed
            prepared, self._prepared = self._prepared, None
            rest = prepared.rest(files, verified) if prepared is not None else None
            if prepared is None or prepared.changed is None or rest is None:
                new = [rel for rel in files if rel not in listed]
                folders = self._check(files, new, [], None)
                changed = verified.changes(files, len(files) - len(new))
            else:  # only what follows the prepared part is compared now
                new = prepared.new + [rel for rel in rest if rel not in listed]
                folders = self._check(files, new, [], None, prepared.folders | _folders_of(rest))
                limit = few(len(files)) - (len(listed) - (len(files) - len(new)))
                more = verified.changes(rest, limit=limit - len(prepared.changed))
                over = more is None or (prepared.changed and len(prepared.changed) > limit)
                changed = None if more is None or over else prepared.changed + more
            if changed is None:
                result.written, result.removed, foreign, self._lines = stage_site(
                    files, self.out_dir, work_dir(self.out_dir))
                result.unchanged = len(files) - len(result.written)
                result.foreign = foreign if foreign != verified.foreign and foreign else []
                self._foreign = foreign
            else:
                # The folder is as digest left it and little changed: those files are replaced
                # one by one, like an edit in a session, rather than staging the whole site.
                added = [rel for rel in changed if rel not in listed]
                gone = [rel for rel in listed if rel not in files] if len(listed) + len(added) != len(files) else []
                self._lines = prepared.lines if prepared is not None and rest is not None else verified.lines()
                self._foreign = verified.foreign_now(self.out_dir, _ours(files, folders, gone))
                retell = self._foreign != verified.foreign
                result.foreign = self._foreign if retell else []
                self._update(files, changed, added, gone, result, retell)
        else:
            known = self._files
            added = [rel for rel in files if rel not in known]
            gone = [rel for rel in known if rel not in files] if len(known) + len(added) != len(files) else []
            folders = self._check(files, added, gone, self._folders)
            changed = [rel for rel, data in files.items()
                       if (last := known.get(rel)) is None or not (last is data or last == data)]
            self._update(files, changed, added, gone, result, retell)
        self._identity = self._identity_now()
        self._files, self._folders = dict(files), folders
        return result

    def _update(self, files: dict[str, bytes | Kept], changed: list[str], added: list[str],
                gone: list[str], result: WriteResult, retell: bool = False) -> None:
        """Replace the ``changed`` files one by one (``added``: those new to the folder),
        remove the ``gone`` ones, then the manifest (``retell``: also when only its list of
        foreign names changed)."""
        tmp = work_dir(self.out_dir) / "put.tmp"
        lines = self._lines
        if added:
            # Listed before they are written, so a build killed in between still knows them
            # as digest's (an empty hash never matches: they will not be linked as unchanged).
            for rel in added:
                lines[rel] = manifest_line(rel, [_size(files[rel]), "", 0])
            self._put_manifest(tmp)
        for rel in changed:
            data = files[rel]
            target = self.out_dir / rel
            # A kept file is unchanged (Verified.changes); a spooled one is moved in.
            assert not isinstance(data, Kept) or isinstance(data, Spooled), rel
            blocker = _replace(target, data, self.out_dir, tmp)
            if blocker is not None:
                result.removed.append(blocker)
            lines[rel] = manifest_line(rel, entry(data, target))
            result.written.append(rel)
        result.written.sort()
        result.unchanged = len(files) - len(changed)
        # Removal comes last, so while a rebuild runs no index links to a page already gone.
        result.removed = sorted(set(result.removed + self._remove(sorted(gone))))
        for rel in gone:
            lines.pop(rel, None)
        if result.written or gone or retell:
            self._put_manifest(tmp)
        remove(work_dir(self.out_dir) / SPOOL)

    def _put_manifest(self, tmp: Path) -> None:
        tmp.write_bytes(manifest_bytes(self._lines.values(), self._foreign))
        os.replace(tmp, self.out_dir / MANIFEST)

    @staticmethod
    def _check(files: dict[str, bytes | Kept], added: list[str], gone: list[str],
               last: set[str] | None, known: set[str] | None = None) -> set[str]:
        """Validate the paths new to the folder; return the folders of the whole map, given
        ``last``, those of the map before ``added`` and ``gone`` (None: there is none), or
        ``known``, those of the whole map already."""
        if last is not None and not added and not gone:
            return last  # an edit: the same paths
        for rel in added:
            if not plain_path(rel):
                check_path(rel)  # says why
                raise OutputError(f"refusing to write {rel!r}: not a plain path inside the output folder")
        if last is None or gone:
            # A removed path may leave a folder empty: counted again.
            folders = known if known is not None else _folders_of(files)
            clash = folders.intersection(files)
        else:
            folders = set(last)
            for rel in added:
                folders.update(_folders(rel))
            clash = {rel for rel in added if rel in folders or any(f in files for f in _folders(rel))}
        for rel in sorted(clash):
            parent = next((parent for parent in _folders(rel) if parent in files), None)
            if parent is not None:
                raise OutputError(f"{rel!r} and {parent!r} cannot both be written: one is a folder")
            raise OutputError(f"{rel!r} cannot be written: other files need it to be a folder")
        return folders

    def _remove(self, gone: list[str]) -> list[str]:
        """Delete files this folder wrote and no longer holds, and the folders they empty."""
        for rel in gone:
            try:
                (self.out_dir / rel).unlink()
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):  # replaced already
                pass
        for folder in sorted({f for rel in gone for f in _folders(rel)}, key=len, reverse=True):
            try:
                (self.out_dir / folder).rmdir()
            except OSError:  # not empty (or already gone): keep it
                pass
        return gone


@dataclass
class _Prepared:
    """What :meth:`OutputFolder.prepare` found of the first part of a map: its paths new to the
    manifest, its folders, those changed (None: too many) and the manifest's lines."""

    verified: Verified
    files: dict[str, bytes | Kept]
    new: list[str]
    folders: set[str]
    changed: list[str] | None
    lines: dict[str, str]

    def rest(self, files: Mapping[str, bytes | Kept], verified: Verified) -> dict[str, bytes | Kept] | None:
        """What ``files`` holds after this part, if it begins with it (the same objects), and
        this part was compared with ``verified`` and found to differ little; else None."""
        if verified is not self.verified or self.changed is None or len(files) < len(self.files):
            return None
        after = iter(files.items())
        for (rel, data), (now, there) in zip(self.files.items(), after):
            if rel != now or data is not there:
                return None
        return dict(after)


def _folders_of(files: Iterable[str]) -> set[str]:
    """Every folder holding a path of ``files`` (at any depth)."""
    level = {rel.rpartition("/")[0] for rel in files}
    folders: set[str] = set()
    while level:
        level.discard("")
        level -= folders
        folders |= level
        level = {folder.rpartition("/")[0] for folder in level}
    return folders


def _ours(files: Mapping[str, object], folders: set[str], gone: list[str]) -> Callable[[str], bool]:
    """Whether a top-level name is one digest writes (``files``, the ``folders`` holding
    them) or wrote (``gone``)."""
    tops = {rel.partition("/")[0] for rel in gone}
    return lambda name: name in files or name in folders or name in tops


def _size(data: bytes | Kept) -> int:
    return data.size if isinstance(data, Kept) else len(data)


def write_site(files: dict[str, bytes | Kept], out_dir: Path) -> WriteResult:
    """Make ``out_dir`` hold exactly ``files`` (plus what digest did not write), writing
    only changes."""
    return OutputFolder(out_dir).write(files)


def _replace(target: Path, data: bytes | Kept, out_dir: Path, tmp: Path) -> str | None:
    """Write ``target`` through ``tmp`` (in the work area), or move it from the spool;
    return a file it had to remove from its way."""
    blocker = None
    if not target.parent.resolve().is_relative_to(out_dir.resolve()):
        raise OutputError(f"refusing to write {target}: its folder leads outside {out_dir}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        # A file of the last build stands where this one needs a folder (the map was checked:
        # it is not in the new one). It goes now rather than with the other removals.
        inside = [p for p in reversed(target.parents) if len(p.parts) > len(out_dir.parts)]
        found = next((p for p in inside if p.is_file() or p.is_symlink()), None)
        if found is None:
            raise
        found.unlink()
        blocker = found.relative_to(out_dir).as_posix()
        target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_dir() and not target.is_symlink():
        _remove_tree(target)
    try:
        if isinstance(data, Kept):
            if not unspool(tmp.parent, data, tmp):
                raise OSError(f"{data.path} is not in the spool any more; build again")
        else:
            with open(tmp, "wb") as fh:
                fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    return blocker


def _remove_tree(path: Path) -> None:
    for child in sorted(path.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        child.unlink() if not child.is_dir() or child.is_symlink() else child.rmdir()
    path.rmdir()
