"""Which file names in the content folder are not content: hidden files and temp files.

Loading skips them, and the watcher does not rebuild for them.
"""

from __future__ import annotations

import fnmatch
import re

# Editor swap/backup files, partial downloads, and vim's write test file "4913".
TEMP_PATTERNS = ("*.swp", "*.swo", "*.swx", "*~", ".#*", "#*#", "4913", "*.part", "*.crdownload",
                 "*.tmp", "*.partial", ".DS_Store", "Thumbs.db", ".~lock.*")

_TEMP = re.compile("|".join(fnmatch.translate(p) for p in TEMP_PATTERNS))


def is_ignored_name(name: str) -> bool:
    """True for hidden files and editor or download temp files."""
    return name.startswith(".") or _TEMP.match(name) is not None
