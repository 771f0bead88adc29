"""The editor's desk of ``digest serve``: the review page and editing English paragraphs in place.

The preview server stays a folder and a rebuild function; it hands the requests under
``/__digest__/`` that it does not answer itself to a :class:`Desk`, and puts
:meth:`Desk.script` into the HTML pages it serves (never into the files). The desk sees the
site model of every good rebuild, so it knows which articles and paragraphs exist: a save
names an article's slug and a paragraph's position, and the desk finds the file itself,
inside the content folder, and writes the correction as a post-edit in ``name.edits.toml``.
The watcher sees that file change and the site rebuilds as after any edit.
"""

from __future__ import annotations

import functools
import json
import threading
from pathlib import Path
from typing import IO, TYPE_CHECKING, Mapping

from ..site.review import review
from ..translate.editsfile import EditsFileError, save_post_edit
from ..translate.postedits import edits_path
from .editguard import MAX_BODY, TOKEN_HEADER, body_length, new_token, refusal
from .reviewpage import review_html

if TYPE_CHECKING:
    from ..site.model import Entry, Site

JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"
MAX_ENGLISH = 8000
"""The longest English paragraph accepted, in characters."""


class Refused(Exception):
    """A request the desk will not carry out: ``status`` and the reason, for the editor."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


class Desk:
    """The review page and in-place editing for one serve session.

    ``editing`` false (a preview reachable from other machines): the review page is still
    served, but no page gets the editor and every save is refused."""

    def __init__(self, editing: bool = True) -> None:
        self.editing = editing
        self.token = new_token()
        # The last good site and its entries by slug, replaced together (requests read it
        # from other threads than the rebuild's).
        self._known: tuple[Site | None, dict[str, Entry]] = (None, {})
        self._lock = threading.Lock()

    def seen(self, outcome) -> None:
        """Take the site model of a rebuild's outcome (kept from the last good one)."""
        result = getattr(outcome, "result", None)
        site = getattr(result, "site", None)
        if site is not None:
            self._known = (site, {entry.slug: entry for entry in site.entries})

    def script(self) -> bytes:
        """What the pages served get to edit in place: the token and the editor's script."""
        if not self.editing:
            return b""
        data = json.dumps({"token": self.token, "header": TOKEN_HEADER}).replace("<", "\\u003c")
        return (f"<script data-digest-desk>window.digestDesk = {data};\n{_editor_js()}</script>").encode()

    def get(self, name: str, query: Mapping[str, list[str]]) -> tuple[int, str, bytes] | None:
        """The answer to ``GET /__digest__/<name>``, or None for a name the desk does not serve."""
        if name == "review/":
            site = self._known[0]
            groups = review(site) if site is not None else None
            root = site.config.root if site is not None else None
            return 200, HTML, review_html(groups, root, self.editing).encode()
        if name == "paragraph":
            try:
                slug, index = query.get("slug", [""])[0], query.get("index", [""])[0]
                _, found = self._paragraph(slug, int(index) if index.isdigit() else -1)
            except Refused as exc:
                return exc.status, JSON, _json({"error": str(exc)})
            return 200, JSON, _json(found)
        if name == "edit":
            return 405, JSON, _json({"error": "POST only"})
        return None

    def post(self, name: str, headers: Mapping[str, str], body: IO[bytes], host_ok: bool) -> tuple[int, dict]:
        """The answer to ``POST /__digest__/<name>``: ``(status, JSON reply)``. Only ``edit``
        exists; the body is read only after :func:`~.editguard.refusal` let it through."""
        if name != "edit":
            return 404, {"error": "no such endpoint"}
        if not self.editing:
            return 403, {"error": "editing is off for a preview bound to other machines (--allow-remote-edits)"}
        refused = refusal(headers, self.token, host_ok)
        if refused is not None:
            return refused[0], {"error": refused[1]}
        length = body_length(headers) or 0
        try:
            data = json.loads(body.read(min(length, MAX_BODY)).decode("utf-8"))
            return 200, self.edit(data)
        except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested past the parser's depth
            return 400, {"error": "the body is not JSON"}
        except Refused as exc:
            return exc.status, {"error": str(exc)}

    def edit(self, data: object) -> dict:
        """Save (``english`` a string) or remove (``english`` null) the post-edit of
        paragraph ``index`` of article ``slug``; raises :class:`Refused`."""
        if not isinstance(data, dict) or set(data) - {"slug", "index", "english"}:
            raise Refused(400, "expected {slug, index, english}")
        slug, index, english = data.get("slug"), data.get("index"), data.get("english")
        if not isinstance(slug, str) or not isinstance(index, int) or isinstance(index, bool):
            raise Refused(400, "slug must be a string and index a number")
        if english is not None and (not isinstance(english, str) or not english.strip()):
            raise Refused(400, "english must be non-empty text, or null to remove the post-edit")
        if english is not None and len(english) > MAX_ENGLISH:
            raise Refused(400, f"the paragraph is over {MAX_ENGLISH} characters")
        entry, found = self._paragraph(slug, index)
        with self._lock:
            try:
                changed = save_post_edit(entry.article.path, found["arabic"], english)
            except EditsFileError as exc:
                raise Refused(409, str(exc)) from exc
        return {"changed": changed, "file": found["file"]}

    def _paragraph(self, slug: str, index: int) -> tuple[Entry, dict]:
        """The article of a paragraph that may be edited, and the paragraph's Arabic, English
        and edits file; raises :class:`Refused` for anything else."""
        site, slugs = self._known
        entry = slugs.get(slug)
        if site is None or entry is None:
            raise Refused(400, f"no article {slug!r} in the site")
        article, english = entry.article, entry.english
        content = Path(site.config.content_dir).resolve()
        edits = edits_path(article.path)
        if not (article.path.resolve().is_relative_to(content) and edits.parent.resolve().is_relative_to(content)):
            raise Refused(403, f"{article.path}: not inside the content folder")
        if article.human is not None:
            raise Refused(400, f"{article.human.path.name} is a human translation: edit that file")
        if english.pending:
            raise Refused(400, "this article has no English yet (no translation model)")
        if not 0 <= index < len(article.blocks):
            raise Refused(400, f"the article has no paragraph {index}")
        block = article.blocks[index]
        if not block.translatable or len(block.texts) != 1:
            raise Refused(400, f"paragraph {index} cannot be post-edited (code or a table)")
        prov = english.provenance_of(index)
        return entry, {"slug": slug, "index": index, "arabic": block.texts[0],
                       "english": english.blocks[index].texts[0],
                       "post_edited": prov.kind == "post-edit", "file": _shown(edits, site.config.root)}


def _shown(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


@functools.cache
def _editor_js() -> str:
    """The editor's script (``desk.js`` beside this module), read once; ``</`` escaped, so
    nothing in it can close the ``<script>`` element it is put in."""
    return Path(__file__).with_name("desk.js").read_text(encoding="utf-8").replace("</", "<\\/")
