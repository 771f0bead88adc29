"""Which file names digest looks at, and which it leaves alone."""

from __future__ import annotations

import fnmatch

# Editor swap/backup files, partial downloads, and vim's write test file "4913".
TEMP_PATTERNS = ("*.swp", "*.swo", "*.swx", "*~", ".#*", "#*#", "4913", "*.part", "*.crdownload",
                 "*.tmp", "*.partial", ".DS_Store", "Thumbs.db", ".~lock.*")


def is_ignored_name(name: str) -> bool:
    """True for hidden files and editor or download temp files."""
    return name.startswith(".") or any(fnmatch.fnmatchcase(name, p) for p in TEMP_PATTERNS)
