"""The sitemap: one row per indexable page, split into parts under an index on a big site."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import escape

from ..site.model import Page, Site

SITEMAP_URLS = 1000
"""URLs per sitemap file. A bigger site gets ``sitemap.xml`` as an index of
``sitemap-1.xml``, ``sitemap-2.xml``...: under the protocol's limit of 50,000 per file, and an
edit re-renders one of them."""


@dataclass(frozen=True, slots=True)
class SitemapURL:
    """All the sitemap template sees of one page, so a part renders again only when one of
    its URLs, dates or alternates changed (not when an article's text did)."""

    url: str
    lastmod: str | None
    alternates: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, page: Page) -> "SitemapURL | None":
        """The sitemap row of ``page``; None for a page kept out of search engines."""
        context = page.context
        if context.get("noindex"):
            return None
        entry = context.get("entry")
        return cls(page.url, entry.article.published.date().isoformat() if entry else None, page.alternates)


def sitemap_index(site: Site, names: list[str]) -> bytes:
    """A sitemap index pointing at the sitemap files ``names``."""
    base = site.config.site.base_url.rstrip("/")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"  <sitemap><loc>{escape(base + '/' + name)}</loc></sitemap>" for name in names]
    return ("\n".join(lines + ["</sitemapindex>", ""])).encode("utf-8")
