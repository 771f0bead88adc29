"""The review page of ``digest serve`` as HTML: a working page for the editor, not part of the site.

It is made from :func:`digest.site.review.review`'s groups at every request and never
written to the output folder, so it is plain, self-contained HTML (no theme, no assets).
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from markupsafe import escape

from ..site.review import FAILED, LOW_CONFIDENCE, OUTDATED, PENDING, STALE_EDIT, UNPLACED_EDIT, ArticleReview

LABELS = {
    FAILED: ("machine translation rejected", "the original is shown; reason"),
    STALE_EDIT: ("post-edit out of date", "its Arabic changed; the editor's English was"),
    UNPLACED_EDIT: ("post-edit out of date", "no paragraph resembles its Arabic now; the editor's English was"),
    LOW_CONFIDENCE: ("low confidence", "below translation.review_below"),
    OUTDATED: ("human translation out of date", "what changed"),
    PENDING: ("untranslated", "pending"),
}
"""Each kind's heading and the words before its detail; a kind missing here shows its name."""

_STYLE = """body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem 1.25rem;color:#1d1d1f;
background:#fff}h1{font-size:1.5rem}h2{font-size:1.15rem;margin:1.75rem 0 .25rem}.meta{color:#555;margin:0 0 .5rem}
ul{padding-inline-start:1.25rem}li{margin:.5rem 0}.kind{font-weight:600}q{quotes:none}.detail{color:#444}
a{color:#0645ad}@media (prefers-color-scheme:dark){body{background:#111;color:#eee}.meta,.detail{color:#bbb}
a{color:#8ab4f8}}"""


def review_html(groups: Sequence[ArticleReview] | None, root: Path | None, editing: bool) -> str:
    """The whole review page for ``groups`` (None: no site built yet); file paths are shown
    relative to ``root``, the project folder."""
    count = sum(len(group.items) for group in groups or ())
    parts = ['<!doctype html>\n<html lang="en" dir="ltr"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             '<meta name="robots" content="noindex">',
             f"<title>Review ({count}) · digest</title><style>{_STYLE}</style></head><body>",
             "<main><h1>Review</h1>"]
    if groups is None:
        parts.append("<p>No site has been built yet.</p>")
    elif not groups:
        parts.append('<p id="review-empty">Nothing to review: every paragraph has its English.</p>')
    else:
        parts.append(f'<p>{count} item{"s" if count != 1 else ""} in {len(groups)} '
                     f'article{"s" if len(groups) != 1 else ""}, newest first. '
                     + ("Click an English paragraph on the parallel page to post-edit it.</p>" if editing
                        else "Editing in place is off for this preview.</p>"))
        parts.extend(_group(group, root) for group in groups)
    parts.append("</main></body></html>\n")
    return "".join(parts)


def _group(group: ArticleReview, root: Path | None) -> str:
    path = group.path
    shown = path.relative_to(root).as_posix() if root is not None and path.is_relative_to(root) else str(path)
    items = "".join(_item(item) for item in group.items)
    return (f'<section class="review-article" data-slug="{escape(group.slug)}">'
            f'<h2><a href="/{escape(group.url)}" lang="ar" dir="rtl">{escape(group.title)}</a></h2>'
            f'<p class="meta">{escape(shown)} · {group.published.date().isoformat()}</p><ul>{items}</ul></section>')


def _item(item) -> str:
    heading, lead = LABELS.get(item.kind, (item.kind, ""))
    where = f"paragraph {item.block + 1}" if item.block is not None else "the article"
    text = f' <q lang="ar" dir="rtl">{escape(item.text)}</q>' if item.text else ""
    detail = f'<br><span class="detail">{escape(lead)}: <q>{escape(item.detail)}</q></span>' if item.detail else ""
    return (f'<li class="review-item" data-kind="{escape(item.kind)}"><span class="kind">{escape(heading)}</span>: '
            f'<a href="/{escape(item.url)}">{where}</a>{text}{detail}</li>')
