"""The project's own ``static/`` folder (beside ``digest.toml``), copied to the site root
as it is: a favicon, a logo, a ``robots.txt`` that replaces digest's."""

from __future__ import annotations

import os
from pathlib import Path

from ..config import Config
from ..content.names import is_ignored_name
from ..content.problem import Problem
from ..content.safefile import UnsafeFile, read_limited

FOLDER = "static"
MAX_STATIC_BYTES = 50 * 1024 * 1024


def static_folder(config: Config) -> Path:
    """Where the project's static files are."""
    return config.root / FOLDER


def static_files(config: Config) -> tuple[dict[str, bytes], list[Problem]]:
    """``{site path: bytes}`` of every file in the project's ``static/`` folder (hidden and
    editor temporary files left out), and a problem for each that could not be read."""
    root = static_folder(config)
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    if not root.is_dir():
        return files, problems
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not is_ignored_name(d))
        for name in sorted(names):
            if is_ignored_name(name):
                continue
            path = Path(folder) / name
            try:
                data, _ = read_limited(path, within=root, limit=MAX_STATIC_BYTES)
            except (UnsafeFile, OSError) as exc:
                problems.append(Problem((path,), f"static file not copied: {exc}"))
                continue
            files[path.relative_to(root).as_posix()] = data
    return files, problems


def overlay(files: dict, static: dict[str, bytes]) -> list[str]:
    """Put ``static`` over the built ``files``; an HTML page or feed digest made is kept (a
    static file does not silently replace a page). Returns the names not copied."""
    kept = []
    for name, data in static.items():
        if name in files and name.endswith((".html", ".xml")):
            kept.append(name)
            continue
        files[name] = data
    return kept
