"""Listing the content folder: every candidate article file, and the folders that could not be
listed or were not followed, each with the reason.

A folder that cannot be read is an error by name: skipped silently, its articles would vanish
from the site without a word. A symbolically linked folder is followed only when it resolves
inside the content folder, and a folder (linked or not) is listed once, so a link to a parent
cannot loop.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .names import is_ignored_name
from .safefile import is_inside


@dataclass
class Listing:
    """What :func:`list_content` found: candidate files (as strings, in a stable order) and
    ``(path, reason)`` for each folder left out."""

    files: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def list_content(content_dir: os.PathLike | str, suffixes: tuple[str, ...]) -> Listing:
    """Every file under ``content_dir`` whose name ends with one of ``suffixes``, skipping
    hidden and editor temp names; each folder's files by name before its subfolders, by name.

    Entries are only listed, never opened: whether a file is a regular one, and where a
    linked file points, is up to the reader. Linked folders come after the folders below
    ``content_dir`` proper, so a file reachable both ways keeps its real path.
    """
    listing = Listing()
    root = os.path.realpath(content_dir)
    seen: set[tuple[int, int]] = set()
    links: list[str] = []

    def visit(folder: str) -> None:
        try:
            st = os.stat(folder)
            if (st.st_dev, st.st_ino) in seen:
                return
            seen.add((st.st_dev, st.st_ino))
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            listing.refused.append((folder, f"folder cannot be read: {exc.strerror or exc}; "
                                            "its articles are left out"))
            return
        prefix = os.path.join(folder, "")
        subfolders = []
        for entry in entries:
            if is_ignored_name(entry.name):
                continue
            try:
                linked_folder = entry.is_symlink() and entry.is_dir()
                folder_here = not linked_folder and entry.is_dir(follow_symlinks=False)
            except OSError:
                linked_folder = folder_here = False
            if linked_folder:
                links.append(prefix + entry.name)
            elif folder_here:
                subfolders.append(prefix + entry.name)
            elif entry.name.endswith(suffixes):
                listing.files.append(prefix + entry.name)
        for sub in subfolders:
            visit(sub)

    visit(os.fspath(content_dir))
    while links:  # grows while linked folders are visited
        link = links.pop(0)
        target = os.path.realpath(link)
        if not is_inside(target, root):
            listing.refused.append((link, f"is a symbolic link to the folder {target}, outside the "
                                          "content folder: not followed"))
            continue
        visit(link)
    return listing
