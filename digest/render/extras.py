"""The files beyond the pages: the feeds and robots.txt, remembered between rebuilds."""

from __future__ import annotations

from typing import NamedTuple

from ..config import Config
from ..site.model import Site
from .feeds import FEED_SIZE, absolute, feed_entries, feed_files
from .theme import Theme


class ExtrasInputs(NamedTuple):
    """What the feeds and robots.txt are made from."""

    config: Config
    theme: str
    """The theme's fingerprint."""
    newest: tuple
    """The newest entries (the bilingual feed's)."""
    per_language: tuple
    """Each language's feed entries."""


def extra_files(site: Site, theme: Theme, memo: dict) -> dict[str, bytes]:
    """Files beyond the pages: feeds and robots.txt (see :mod:`digest.render.feeds`), made again only
    when the configuration, the theme or one of the newest entries changed."""
    key = ExtrasInputs(site.config, theme.fingerprint, site.entries[:FEED_SIZE],
                       tuple(feed_entries(site, lang) for lang in site.languages))
    if memo.get("key") != key:
        files = feed_files(site, theme.strings)
        files["robots.txt"] = f"User-agent: *\nAllow: /\n\nSitemap: {absolute(site, 'sitemap.xml')}\n".encode()
        memo.update(key=key, files=files)
    return dict(memo["files"])
