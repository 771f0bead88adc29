"""``digest new DIR``: a project folder that builds and serves at once."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

from ..invocation import invoked_as
from .starter import project_files


def run(args) -> int:
    """Create the project in ``args.dir``; 2 (and nothing changed) when the folder is not
    empty or cannot be made."""
    target: Path = args.dir
    problem = _unusable(target)
    if problem:
        print(f"error: {target}: {problem}; nothing was changed", file=sys.stderr)
        return 2
    parent = target.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        # Made beside the target and renamed into place: the project appears whole or not at all.
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=parent))
    except OSError as exc:
        print(f"error: {target}: cannot create it: {exc.strerror or exc}; nothing was changed", file=sys.stderr)
        return 2
    try:
        os.chmod(staging, 0o777 & ~_umask())
        for name, text in project_files().items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        # rename() replaces an empty folder and refuses one that is not (filled meanwhile).
        os.replace(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"error: {target}: cannot create the project: {exc.strerror or exc}; nothing was changed",
              file=sys.stderr)
        return 2
    digest = invoked_as(anywhere=True)
    print(f"created {target}: digest.toml (every setting, with its default), content/ (a sample "
          "article in Markdown, one in raw text with a human translation), themes/")
    print(f"next: cd {shlex.quote(str(target))} && {digest} build   (or {digest} serve, to preview "
          "at http://127.0.0.1:8000/)")
    return 0


def _unusable(target: Path) -> str | None:
    """Why ``target`` cannot become a new project, or None."""
    if target.is_symlink() and not target.exists():
        return "a broken symbolic link is in the way"
    if not target.exists():
        return None
    if not target.is_dir():
        return "exists and is not a folder"
    try:
        if any(target.iterdir()):
            return "the folder is not empty (digest new only fills a new or empty folder)"
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    return None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
