"""Installed distributions' versions read from their folders' names (digest/installed.py):
the same as importlib.metadata says, for what the memo and the search keys name."""

from importlib import metadata

from digest.installed import version, versions
from digest.output.memo import LIBRARIES


def test_versions_from_folder_names_are_importlib_metadatas():
    found = versions([*LIBRARIES, "pagefind", "argos-translate-lt", "no-such-distribution"])
    for name in (*LIBRARIES, "pagefind", "argos-translate-lt"):
        assert found[name] == metadata.version(name), name
    assert "no-such-distribution" not in found
    assert version("Markdown_It.Py") == metadata.version("markdown-it-py")  # names compared normalised
    assert version("no-such-distribution") is None
