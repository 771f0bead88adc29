"""Rendering: the theme, HTML pages, feeds, the sitemap and the search index."""
