"""Fragments a build renders once and shows on many pages.

An article's card appears on the home page, its language's index, every tag page and an
archive page, in up to three languages: at 10,000 articles the card macro ran 90,000 times
for about 20,000 different cards. A theme wraps such a fragment in
``{% call once('name', arg, ...) %}...{% endcall %}``: the body renders the first time a
page asks for that key and every later page gets the same HTML.

The key is the arguments the template passes, the page's language and the link from the
page to the site's root (the page's depth, or the rooted links of the 404 page), since
``url()`` makes links relative. A fragment must depend on nothing else of the page.
"""

from __future__ import annotations

from typing import Any, Callable

import jinja2
from markupsafe import Markup

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

    def get(self, key: tuple, held: list[Any], render: Callable[[], Any]) -> Markup:
        """The fragment of ``key``, rendered by ``render()`` if it is not kept yet."""
        found = self._kept.get(key)
        if found is not None:
            self.hits += 1
            return found[0]
        html = Markup(render())
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
        return tuple(_part(v, held) for v in value)
    held.append(value)
    return (_BY_IDENTITY, id(value))


@jinja2.pass_context
def once(context: jinja2.runtime.Context, *args: Any, caller: Callable[[], Any]) -> Markup:
    """The HTML of the ``{% call once(...) %}`` block's body for these ``args`` on a page of
    this language and depth: rendered the first time, the same HTML after that."""
    memo = context.get(MEMO_VARIABLE)
    if not isinstance(memo, FragmentMemo):
        return Markup(caller())
    held: list[Any] = []
    root = context["url"]("") if "url" in context else ""
    key = (root, context.get("lang"), tuple(_part(a, held) for a in args))
    return memo.get(key, held, caller)
