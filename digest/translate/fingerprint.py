"""What identifies an Argos package's output: a hash of its model and tokenizer files."""

from __future__ import annotations

import hashlib
from pathlib import Path


def package_fingerprint(package_path: Path) -> str:
    """A hash of what shapes a package's output: its CTranslate2 model and tokenizer files.

    Part of every cache key, so a package replaced by another of the same name and version
    (a retrained model, a local build) never answers from the old one's cache. Hashing a
    real ~100 MB model takes about 0.1 s, once per translator.
    """
    digest = hashlib.sha256()
    root = Path(package_path)
    parts = sorted(p for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] != "stanza"
                   and p.name not in ("README.md", "metadata.json"))
    for path in parts:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        with path.open("rb") as fh:
            digest.update(hashlib.file_digest(fh, "sha256").digest())
    return digest.hexdigest()[:32]
