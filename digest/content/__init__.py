"""Content: reading source files into articles (front matter, markup, raw text, dates)."""
