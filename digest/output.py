"""Writing a file map to the output folder, safely.

Each file goes through a temp file and ``os.replace``; files whose bytes are unchanged are
not touched; files no longer in the map are pruned; no path may escape the folder. The
map is validated whole before anything is written, so a bad map leaves the last good site.
"""

from __future__ import annotations

import os
import stat
import posixpath
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# Files in the output folder that digest never created and must never delete.
KEEP = {".git", ".nojekyll", "CNAME", ".well-known"}


class OutputError(Exception):
    """A file map that cannot be written (bad path, or an output folder in the way)."""


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


def _write_atomic(target: Path, data: bytes) -> None:
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


def write_site(files: dict[str, bytes], out_dir: Path, seen: dict | None = None) -> WriteResult:
    """Make ``out_dir`` hold exactly ``files`` (plus :data:`KEEP`), writing only changes.

    ``seen``, kept by a long-lived builder, maps each path to the ``(stat, bytes)`` this
    function last left there: a file whose stat is still that one and whose new bytes are
    those bytes is known unchanged without reading it back.
    """
    seen = {} if seen is None else seen
    paths = {check_path(rel): data for rel, data in files.items()}
    for rel in paths:
        parts = rel.split("/")
        for i in range(1, len(parts)):
            if "/".join(parts[:i]) in paths:
                raise OutputError(f"{rel!r} and {'/'.join(parts[:i])!r} cannot both be written: one is a folder")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir} exists and is not a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    root = out_dir.resolve()
    result = WriteResult()
    safe_dirs: set[Path] = set()
    for rel, data in sorted(paths.items()):
        target = out_dir / rel
        # A symlinked folder inside the output must not carry a write outside it.
        if target.parent not in safe_dirs:
            if target.parent.exists() and not target.parent.resolve().is_relative_to(root):
                raise OutputError(f"refusing to write {rel!r}: its folder leads outside {out_dir}")
            safe_dirs.add(target.parent)
        try:
            st = target.lstat()
        except OSError:
            st = None
        if st is not None and stat.S_ISLNK(st.st_mode):
            target.unlink()
        elif st is not None and stat.S_ISDIR(st.st_mode):
            _remove_tree(target)
        elif st is not None:
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
            last = seen.get(rel)
            if last is not None and last[0] == stamp and (last[1] is data or last[1] == data):
                result.unchanged += 1
                continue
            try:
                if st.st_size == len(data) and target.read_bytes() == data:
                    seen[rel] = (stamp, data)
                    result.unchanged += 1
                    continue
            except OSError:
                pass
        _write_atomic(target, data)
        st = target.stat()
        seen[rel] = ((st.st_mtime_ns, st.st_size, st.st_ino), data)
        result.written.append(rel)
    result.removed = _prune(out_dir, set(paths))
    for rel in set(seen) - set(paths):
        del seen[rel]
    return result


def _remove_tree(path: Path) -> None:
    for child in sorted(path.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        child.unlink() if not child.is_dir() or child.is_symlink() else child.rmdir()
    path.rmdir()


def _prune(out_dir: Path, keep: set[str]) -> list[str]:
    """Delete files not in ``keep`` and the folders they leave empty."""
    removed: list[str] = []
    for dirpath, dirnames, filenames in os.walk(out_dir, topdown=False):
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
