"""Writing a file map to the output folder, safely and only where bytes changed.

Each file goes through a temp file and ``os.replace``; files whose bytes are unchanged are
not touched; files no longer in the map are pruned; no path may escape the folder. The
map is validated whole before anything is written, so a bad map leaves the last good site.

:class:`OutputFolder` is the long-lived form ``digest serve`` and ``digest watch`` keep: it
remembers what it left in the folder, so a rebuild that changed one page costs a dictionary
walk, one write and no read-back. :func:`write_site` is the one-off form.
"""

from __future__ import annotations

import os
import posixpath
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import OutputError

# Files in the output folder that digest never created and must never delete.
KEEP = {".git", ".nojekyll", "CNAME", ".well-known"}


@dataclass
class WriteResult:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)


def check_path(rel: str) -> str:
    """Return ``rel`` normalised, or raise :class:`OutputError` if it would escape the folder."""
    if not rel or "\\" in rel or "\0" in rel or rel.startswith("/") or ":" in rel.split("/")[0]:
        raise OutputError(f"refusing to write {rel!r}: not a relative path inside the output folder")
    norm = posixpath.normpath(rel)
    if norm != rel or norm == "." or norm.startswith("../") or norm == "..":
        raise OutputError(f"refusing to write {rel!r}: not a plain path inside the output folder")
    return norm


def _folders(rel: str):
    """Every folder above ``rel``, outermost first: ``a/b/c`` gives ``a``, ``a/b``."""
    end = rel.find("/")
    while end != -1:
        yield rel[:end]
        end = rel.find("/", end + 1)


class OutputFolder:
    """An output folder that one builder writes again and again.

    It remembers the bytes it last left at every path and trusts that memory while the
    folder is the same one (same device and inode), so unchanged files are neither read
    nor stat'ed. When the folder was deleted or replaced, or on the first write, every file
    is checked against the disk and stray files are pruned by a full walk. (A file someone
    else edits inside the folder during a session is only put right when its page changes
    or on the next full check.)
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self._files: dict[str, bytes] = {}
        self._folders: dict[str, int] = {}
        self._identity: tuple[int, int] | None = None
        self._blockers: list[str] = []

    def write(self, files: dict[str, bytes]) -> WriteResult:
        """Make the folder hold exactly ``files`` (plus :data:`KEEP`), writing only changes."""
        out_dir = self.out_dir
        if out_dir.exists() and not out_dir.is_dir():
            raise OutputError(f"{out_dir} exists and is not a folder")
        try:
            st = out_dir.stat()
            identity = (st.st_dev, st.st_ino)
        except OSError:
            identity = None
        full = identity is None or identity != self._identity
        known = {} if full else self._files
        added = [rel for rel in files if rel not in known]
        gone = [rel for rel in known if rel not in files]
        folders = self._check(files, added, gone, self._folders if known else None)
        out_dir.mkdir(parents=True, exist_ok=True)
        result = WriteResult()
        changed = []
        for rel, data in files.items():
            last = known.get(rel)
            if last is not None and (last is data or last == data):
                result.unchanged += 1
            else:
                changed.append(rel)
        root = out_dir.resolve()
        safe: set[Path] = set()
        self._blockers: list[str] = []
        for rel in sorted(changed):
            if self._put(rel, files[rel], root, safe, verify=full):
                result.written.append(rel)
            else:
                result.unchanged += 1
        # Removal comes last, so while a rebuild runs no index links to a page already gone.
        if full:
            result.removed = sorted(_prune(out_dir, set(files)) + self._blockers)
        else:
            result.removed = self._remove(sorted(gone))
        st = out_dir.stat()
        self._identity = (st.st_dev, st.st_ino)
        self._files, self._folders = dict(files), folders
        return result

    @staticmethod
    def _check(files: dict[str, bytes], added: list[str], gone: list[str],
               last: dict[str, int] | None) -> dict[str, int]:
        """Validate the paths new to the folder; return the folders of the whole map (how
        many files each holds), given ``last``, those of the map before ``added`` and
        ``gone`` (None: there is none)."""
        if last is not None and not added and not gone:
            return last  # an edit: the same paths
        folders = dict(last) if last is not None else {}
        for rel in added:
            check_path(rel)
        for rel in gone:
            for folder in _folders(rel):
                if folders[folder] == 1:
                    del folders[folder]
                else:
                    folders[folder] -= 1
        for rel in added:
            for folder in _folders(rel):
                folders[folder] = folders.get(folder, 0) + 1
        for rel in added:
            if rel in folders:
                raise OutputError(f"{rel!r} cannot be written: other files need it to be a folder")
            for parent in _folders(rel):
                if parent in files:
                    raise OutputError(f"{rel!r} and {parent!r} cannot both be written: one is a folder")
        return folders

    def _put(self, rel: str, data: bytes, root: Path, safe: set[Path], verify: bool) -> bool:
        """Write one file atomically; with ``verify``, skip it if the disk already holds ``data``."""
        target = self.out_dir / rel
        # A symlinked folder inside the output must not carry a write outside it.
        if target.parent not in safe:
            if target.parent.exists() and not target.parent.resolve().is_relative_to(root):
                raise OutputError(f"refusing to write {rel!r}: its folder leads outside {self.out_dir}")
            safe.add(target.parent)
        try:
            st = target.lstat()
        except OSError:
            st = None
        if st is not None and stat.S_ISLNK(st.st_mode):
            target.unlink()
        elif st is not None and stat.S_ISDIR(st.st_mode):
            _remove_tree(target)
        elif st is not None and verify and st.st_size == len(data):
            try:
                if target.read_bytes() == data:
                    return False
            except OSError:
                pass
        blocker = _write_atomic(target, data, self.out_dir)
        if blocker is not None:
            self._blockers.append(blocker.relative_to(self.out_dir).as_posix())
        return True

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


def write_site(files: dict[str, bytes], out_dir: Path) -> WriteResult:
    """Make ``out_dir`` hold exactly ``files`` (plus :data:`KEEP`), writing only changes."""
    return OutputFolder(out_dir).write(files)


def _write_atomic(target: Path, data: bytes, out_dir: Path) -> Path | None:
    """Write ``target`` through a temp file; return a file it had to remove from its way."""
    blocker = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        # A file of the last build stands where this one needs a folder (the map was checked:
        # it is not in the new one). It goes now rather than with the other removals. Only
        # ever a path inside the output folder.
        inside = [p for p in reversed(target.parents) if len(p.parts) > len(out_dir.parts)]
        blocker = next((p for p in inside if p.is_file() or p.is_symlink()), None)
        if blocker is None:
            raise
        blocker.unlink()
        target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".digest-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return blocker


def _remove_tree(path: Path) -> None:
    for child in sorted(path.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        child.unlink() if not child.is_dir() or child.is_symlink() else child.rmdir()
    path.rmdir()


def _prune(out_dir: Path, keep: set[str]) -> list[str]:
    """Delete files not in ``keep`` and the folders they leave empty."""
    removed: list[str] = []
    for dirpath, _dirnames, filenames in os.walk(out_dir, topdown=False):
        rel_dir = Path(dirpath).relative_to(out_dir).as_posix()
        if rel_dir != "." and rel_dir.split("/")[0] in KEEP:
            continue
        for name in filenames:
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            if rel not in keep and rel.split("/")[0] not in KEEP:
                (Path(dirpath) / name).unlink()
                removed.append(rel)
        if rel_dir != "." and not os.listdir(dirpath):
            os.rmdir(dirpath)
    return sorted(removed)
