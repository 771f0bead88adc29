"""Fragments a build renders once and shows on many pages.

An article's card appears on the home page, its language's index, every tag page and an
archive page, in up to three languages: at 10,000 articles the card macro ran 90,000 times;
at 1,000, 9,000 calls asked for 3,001 different cards. A theme wraps such a fragment in
``{% call once('name', arg, ...) %}...{% endcall %}``: the body renders the first time a
page asks for that key and every later page gets the same HTML.

The key is the arguments the template passes and the page's language. Links depend on
the page too (``url()`` makes them relative to it): while a fragment renders, the page's
``url()`` gives placeholders for the way up to the site's root (:meth:`FragmentMemo.url`),
put back for each page that shows it, so one card serves a tag page and an archive page at
any depth. A fragment must depend on nothing else of the page.
"""

from __future__ import annotations

from typing import Any, Callable

import jinja2
from markupsafe import Markup, escape

_ROOT = "\ue000digest-root\ue001"
"""Stands for the way up from the page to the site's root in a kept fragment (characters
no escaping touches, from Unicode's private use area)."""
_HERE = "\ue000digest-here\ue001"
"""Stands for ``url('')``, the root itself (``./`` on a page at the top)."""

MEMO_VARIABLE = "render_memo"
"""The context variable holding the build's :class:`FragmentMemo` (absent: nothing is kept)."""

_BY_IDENTITY = object()


class FragmentMemo:
    """The fragments rendered so far in one render of a site, by key.

    Lives as long as that render: the objects a key names by identity (entries) are held
    with the fragment, so their ids cannot be reused by other objects meanwhile.
    """

    def __init__(self) -> None:
        self._kept: dict[tuple, tuple[Markup, list[Any]]] = {}
        self.hits = 0
        self.recording = False
        """A fragment is rendering: the page's ``url()`` must answer with :meth:`url`."""
        self._ways: tuple[Any, str, str] | None = None
        """The last page's ``url`` and its way up and ``url('')``: asked for by every fragment
        of a page (twenty cards on a listing)."""

    def ways(self, url: Callable[[str], str]) -> tuple[str, str]:
        """The way up to the root from the page whose ``url()`` is ``url``, and ``url('')``,
        escaped as a template's ``{{ url(...) }}`` escapes them."""
        ways = self._ways
        if ways is None or ways[0] is not url:
            # url(target) is the way up from the page followed by the quoted target. (Inside
            # another fragment these are placeholders themselves, and stay so.)
            ways = self._ways = (url, str(escape(url("x")[:-1])), str(escape(url(""))))
        return ways[1], ways[2]

    @staticmethod
    def url(quoted_target: str) -> str:
        """What ``url(target)`` gives while a fragment renders: placeholders for the way up
        from the page (``quoted_target``: the target as the page's links quote it)."""
        return _ROOT + quoted_target if quoted_target else _HERE

    def get(self, key: tuple, held: list[Any], render: Callable[[], Any]) -> Markup:
        """The fragment of ``key``, rendered by ``render()`` if it is not kept yet."""
        found = self._kept.get(key)
        if found is not None:
            self.hits += 1
            return found[0]
        recording, self.recording = self.recording, True
        try:
            html = Markup(render())
        finally:
            self.recording = recording
        self._kept[key] = (html, held)
        return html

    def __len__(self) -> int:
        return len(self._kept)


def _part(value: Any, held: list[Any]) -> Any:
    """``value`` as part of a key: plain values as they are, sequences item by item, any
    other object by identity (kept alive in ``held``)."""
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return tuple([_part(v, held) for v in value])
    held.append(value)
    return (_BY_IDENTITY, id(value))


@jinja2.pass_context
def once(context: jinja2.runtime.Context, *args: Any, caller: Callable[[], Any]) -> Markup:
    """The HTML of the ``{% call once(...) %}`` block's body for these ``args`` on a page of
    this language: rendered the first time, the same HTML (its links made from this page)
    after that."""
    memo = context.get(MEMO_VARIABLE)
    url = context.get("url")
    if not isinstance(memo, FragmentMemo) or url is None:
        return Markup(caller())
    held: list[Any] = []
    html = memo.get((context.get("lang"), tuple([_part(a, held) for a in args])), held, caller)
    if _ROOT not in html and _HERE not in html:
        return html
    up, here = memo.ways(url)
    # As str, the parts escaped once (ways): Markup's replace escapes them on each call.
    return Markup(str.replace(str.replace(html, _ROOT, up), _HERE, here))
