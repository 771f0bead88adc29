"""Fragments rendered once per build (digest/render/memo.py): the same bytes as rendering
them on every page, per page language and depth, and a theme with its own card still works."""

from __future__ import annotations

import re
import sys

import jinja2
from helpers import REPO, write_project

from digest.build import Builder
from digest.config import load_config
from digest.render.memo import MEMO_VARIABLE, FragmentMemo, once
from digest.render.pages import link_maker
from digest.render.themedirs import DEFAULT_THEME

sys.path.insert(0, str(REPO / "bench"))
from build_corpus import write_digest  # noqa: E402


def render(env: jinja2.Environment, source: str, page_url: str, lang: str, memo: FragmentMemo | None,
           **values) -> str:
    context = {"url": link_maker(page_url, "/news/", memo), "lang": lang, MEMO_VARIABLE: memo, **values}
    return env.from_string(source).render(context)


def test_a_fragment_renders_once_per_arguments_and_language_with_links_from_each_page():
    calls: list[str] = []
    env = jinja2.Environment(autoescape=True)
    env.globals.update(once=once,
                       count=lambda name: calls.append(name) or "")
    source = "{% call once('card', item, [1, 2]) %}{{ count(item.name) }}<a href=\"{{ url('x/') }}\">{{ item.name }}</a>{% endcall %}"

    class Item:
        def __init__(self, name: str) -> None:
            self.name = name

    a, b, memo = Item("a"), Item("b"), FragmentMemo()
    assert render(env, source, "tags/t/", "ar", memo, item=a) == '<a href="../../x/">a</a>'
    assert render(env, source, "tags/u/", "ar", memo, item=a) == '<a href="../../x/">a</a>'
    assert calls == ["a"] and memo.hits == 1
    # Another depth: the same fragment, its links made from this page.
    assert render(env, source, "archive/2026/01/", "ar", memo, item=a) == '<a href="../../../x/">a</a>'
    assert render(env, source, "index.html", "ar", memo, item=a) == '<a href="x/">a</a>'
    assert render(env, source, "tags/t/", "en", memo, item=a) == '<a href="../../x/">a</a>'  # another language
    assert render(env, source, "tags/t/", "ar", memo, item=b) == '<a href="../../x/">b</a>'  # another object
    assert calls == ["a", "a", "b"] and len(memo) == 3 and memo.hits == 3
    # Without a memo in the context (a template rendered on its own) it renders every time.
    assert render(env, source, "tags/t/", "ar", None, item=a) == '<a href="../../x/">a</a>'
    assert calls[-1] == "a" and len(calls) == 4
    # url('') is the root as the page sees it, "./" at the top; the page's url() is left as it was.
    root = "{% call once('root') %}<a href=\"{{ url('') }}\">{{ url('a b/') }}</a>{% endcall %}{{ url('y') }}"
    assert render(env, root, "index.html", "ar", memo) == '<a href="./">a%20b/</a>y'
    assert render(env, root, "tags/t/", "ar", memo) == '<a href="../../">../../a%20b/</a>../../y'
    assert render(env, root, "404.html", "ar", memo) == '<a href="/news/">/news/a%20b/</a>/news/y'
    assert calls == ["a", "a", "b", "a"] and len(memo) == 4



def _site(root) -> dict[str, bytes]:
    files = Builder(load_config(root)).build(write=False).files
    return {rel: data for rel, data in files.items() if isinstance(data, bytes) and rel.endswith(".html")}


def test_cards_kept_for_a_build_give_the_same_pages_as_a_theme_that_renders_each_card(tmp_path):
    write_digest(tmp_path, 40)
    (tmp_path / "digest.toml").write_text('[site]\nbase_url = "https://bench.example/"\npage_size = 3\n'
                                          'search = false\n', encoding="utf-8")
    kept = _site(tmp_path)
    listings = [rel for rel in kept if rel.startswith(("tags/", "en/tags/", "archive/", "en/archive/", "page/"))]
    assert len(listings) > 40 and any(rel.count("/") >= 4 for rel in listings)  # many pages, several depths
    # A theme of its own whose card macro does without `once`: every card rendered on every page.
    macros = (DEFAULT_THEME / "templates/_macros.html").read_text(encoding="utf-8")
    plain = re.sub(r"\{% call once\('entry_card'[^%]*%\}\n", "", macros).replace("{%- endcall %}\n", "")
    assert plain != macros and "once(" not in plain
    write_project(tmp_path, {"themes/plain/templates/_macros.html": plain,
                             "digest.toml": '[site]\nbase_url = "https://bench.example/"\npage_size = 3\n'
                                            'search = false\ntheme = "plain"\n'})
    each = _site(tmp_path)
    assert each.keys() == kept.keys()
    assert [rel for rel in kept if kept[rel] != each[rel]] == []


def test_page_chrome_kept_for_a_build_gives_the_same_pages_as_a_theme_that_renders_it_on_each(tmp_path):
    write_digest(tmp_path, 12)
    config = '[site]\nbase_url = "https://bench.example/news/"\npage_size = 3\n'
    (tmp_path / "digest.toml").write_text(config, encoding="utf-8")
    kept = _site(tmp_path)
    assert "404.html" in kept and "ar/search/index.html" in kept  # links rooted, and a page without the form
    # A theme of its own whose base template does without `once`: header, footer and feed links on every page.
    base = (DEFAULT_THEME / "templates/base.html").read_text(encoding="utf-8")
    plain = re.sub(r"\{% (call once\([^%]*\)|endcall) %\}\n", "", base)
    assert plain != base and "once(" not in plain
    write_project(tmp_path, {"themes/plain/templates/base.html": plain, "digest.toml": config + 'theme = "plain"\n'})
    each = _site(tmp_path)
    assert each.keys() == kept.keys()
    assert [rel for rel in kept if kept[rel] != each[rel]] == []
