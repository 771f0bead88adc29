"""Rendering: the site model through a Jinja theme into a map of ``path -> bytes``.

Nothing here touches the output folder; :mod:`digest.output` writes the map.
"""

from __future__ import annotations

import hashlib
import operator
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from itertools import compress, zip_longest
from urllib.parse import quote

import jinja2
import jinja2.meta
from markupsafe import Markup, escape

from ..content.articles import slugify
from ..config import CONFIG_NAME, Config
from ..errors import ConfigError, ThemeError
from ..content.dates import format_date
from ..content.markup import Block, plain_text, render_inline
from ..site.model import Page, Site
from ..text import direction, shorten


def _builtin_theme() -> Path:
    """The default theme digest ships: ``themes/default`` of this checkout, or the copy a
    wheel installs as ``digest/_theme`` (see ``pyproject.toml``)."""
    package = Path(__file__).resolve().parent.parent  # digest/, above digest/render/
    checkout = package.parent / "themes" / "default"
    return checkout if (checkout / "templates").is_dir() else package / "_theme"


DEFAULT_THEME = _builtin_theme()


def chosen_theme(config: Config) -> Path:
    """The folder of the theme the configuration (or ``--theme``) names."""
    return config.theme_dir or config.themes_dir / config.site.theme


def theme_dirs(config: Config) -> list[Path]:
    """The theme search path: the chosen theme first, then the default theme."""
    chosen = chosen_theme(config)
    default = config.themes_dir / "default"
    if not default.is_dir():
        default = DEFAULT_THEME
    dirs = [chosen] if chosen.is_dir() else []
    if default.resolve() not in [d.resolve() for d in dirs]:
        dirs.append(default)
    return dirs


def _theme_names(config: Config) -> list[str]:
    """The theme folders there are to choose from, the built-in default always among them."""
    found = {"default"}
    if config.themes_dir.is_dir():
        found.update(d.name for d in config.themes_dir.iterdir() if d.is_dir() and not d.name.startswith("."))
    return sorted(found)


def url_for(target: str, page_url: str) -> str:
    """The relative URL from the page at ``page_url`` to the site path ``target``.

    Relative links keep working wherever the site is hosted, a sub-path included.
    """
    depth = page_url.count("/")
    rel = "../" * depth + target
    return quote(rel, safe=_URL_SAFE) if rel else "./"


_URL_SAFE = "/#?=&.-_~:%"


def lang_attrs(lang: str) -> Markup:
    """``lang="..." dir="..."`` for an element holding text of ``lang``."""
    return Markup(f'lang="{escape(lang)}" dir="{direction(lang)}"')


def render_block(block: Block, lang: str, sentences: tuple[str, ...] = (), anchor: str = "") -> Markup:
    """One block as HTML, Latin runs isolated inside right-to-left text.

    With ``sentences`` (the block's text split as the translator split it) and an
    ``anchor``, each sentence is wrapped in ``<span class="s" data-s="anchor-N">`` so the
    parallel page can highlight a sentence and its translation together.
    """
    rtl = direction(lang) == "rtl"
    if sentences and anchor and len(block.texts) == 1 and len(sentences) > 1:
        inline = ["".join(
            f'<span class="s" data-s="{anchor}-{n}">{render_inline(text, block.plain, rtl)}</span> '
            for n, text in enumerate(sentences)
        ).rstrip()]
    else:
        inline = [render_inline(t, block.plain, rtl) for t in block.texts]
    if block.kind == "heading":
        level = min(block.level + 1, 6)
        return Markup(f"<h{level}>{inline[0]}</h{level}>")
    if block.kind == "item":
        # One item alone in its list (the parallel page pairs item by item): its number
        # must be given, or every item of an ordered list would show 1.
        li = '<li class="continued">' if block.continued else "<li>"
        return Markup(f"{_list_open(block, alone=True)}{li}{inline[0]}</li></{'ol' if block.ordered else 'ul'}>")
    if block.kind == "quote":
        return Markup(f"<blockquote><p>{inline[0]}</p></blockquote>")
    if block.kind == "code":
        return Markup(f'<pre dir="ltr"><code>{escape(block.texts[0])}</code></pre>')
    if block.kind == "table":
        cols = max(block.columns, 1)
        rows = [inline[i : i + cols] for i in range(0, len(inline), cols)]
        html = ["<table>"]
        for r, row in enumerate(rows):
            cell = "th" if r == 0 else "td"
            html.append("<tr>" + "".join(f"<{cell}>{c}</{cell}>" for c in row) + "</tr>")
        html.append("</table>")
        return Markup("".join(html))
    return Markup(f"<p>{inline[0]}</p>")


def _list_open(item: Block, alone: bool = False) -> str:
    """The tag that opens a list whose first item is ``item``; ``alone``: the list is not
    inside the item it belongs to, so it says how deep it is nested."""
    depth = f' class="depth-{item.level}"' if alone and item.level > 1 else ""
    if not item.ordered:
        return f"<ul{depth}>"
    return f'<ol{depth} start="{item.number}">' if item.number > 1 else f"<ol{depth}>"


def marked_runs(english) -> list[tuple[object, tuple[Block, ...]]]:
    """The English blocks as runs to render: ``(None, blocks)`` for consecutive blocks that
    need no notice (so a list stays one list), ``(provenance, (block,))`` for each block
    that does (post-edited, failed, or with an out-of-date correction)."""
    out: list[tuple[object, tuple[Block, ...]]] = []
    plain: list[Block] = []
    for i, block in enumerate(english.blocks):
        prov = english.provenance_of(i)
        if prov.kind == "machine" and not prov.stale:
            plain.append(block)
            continue
        if plain:
            out.append((None, tuple(plain)))
            plain = []
        out.append((prov, (block,)))
    if plain:
        out.append((None, tuple(plain)))
    return out


def summary(blocks: tuple[Block, ...], limit: int) -> str:
    """The visible text of the first blocks, cut at a word near ``limit`` characters."""
    return shorten(" ".join(plain_text(t, b.plain) for b in blocks if b.kind != "code" for t in b.texts), limit)


def render_blocks(blocks: tuple[Block, ...], lang: str) -> Markup:
    """A run of blocks as one flowing text: consecutive items of a list make one list, and
    a nested list sits inside the item before it."""
    rtl = direction(lang) == "rtl"
    out: list[str] = []
    lists: list[list] = []  # the open lists, outermost first: [group, tag, level]

    def close(deeper_than: int) -> None:
        while lists and lists[-1][2] > deeper_than:
            out.append(f"</li></{lists.pop()[1]}>")

    for block in blocks:
        if block.kind != "item":
            close(0)
            out.append(render_block(block, lang))
            continue
        tag = "ol" if block.ordered else "ul"
        close(block.level)
        if lists and lists[-1][2] == block.level and lists[-1][:2] != [block.group, tag]:
            close(block.level - 1)  # another list at the same depth
        text = render_inline(block.texts[0], block.plain, rtl)
        if lists and lists[-1][2] == block.level:
            if block.continued:  # another paragraph of the same item
                out.append(f"<p>{text}</p>")
                continue
            out.append("</li>")
        else:
            # Not inside the item it belongs to (a run starting mid-list): it says its depth.
            out.append(_list_open(block, alone=not lists or lists[-1][2] < block.level - 1))
            lists.append([block.group, tag, block.level])
        out.append(f"<li>{text}")
    close(0)
    return Markup("".join(out))


def load_strings(dirs: list[Path]) -> dict[str, dict[str, str]]:
    """The theme's interface strings per language, a chosen theme's over the default's."""
    strings: dict[str, dict[str, str]] = {}
    for d in reversed(dirs):
        path = d / "strings.toml"
        if path.is_file():
            try:
                table = tomllib.loads(path.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise ThemeError(f"{path}: not valid TOML: {exc}") from None
            for lang, values in table.items():
                strings.setdefault(lang, {}).update(values)
    return strings


@dataclass
class Theme:
    """A loaded theme: Jinja environment, strings, static files and fingerprints.

    ``fingerprint`` covers every file of the theme; ``strings_key`` the interface strings,
    which every page uses; :meth:`template_key` one template with all it extends, includes
    and imports, so a template change re-renders only the pages that use it.
    """

    env: jinja2.Environment
    strings: dict[str, dict[str, str]]
    static: dict[str, Path]
    fingerprint: str
    strings_key: str = ""
    _keys: dict[str, str] = field(default_factory=dict, repr=False)

    def template_key(self, name: str) -> str:
        """A hash of template ``name`` and every template it pulls in."""
        key = self._keys.get(name)
        if key is None:
            key = self._keys[name] = self._template_key(name, {name})
        return key

    def _template_key(self, name: str, seen: set[str]) -> str:
        try:
            source = self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
            refs = jinja2.meta.find_referenced_templates(self.env.parse(source))
        except jinja2.TemplateError:
            return self.fingerprint  # the render will report it
        digest = hashlib.sha256(name.encode() + b"\0" + source.encode())
        for ref in sorted(refs, key=str):
            if ref is None:  # a name computed at render time: it may be any template
                return self.fingerprint
            if ref not in seen:
                seen.add(ref)
                digest.update(self._template_key(ref, seen).encode())
        return digest.hexdigest()


def load_theme(config: Config) -> Theme:
    """Load the theme search path for ``config``."""
    chosen = chosen_theme(config)
    if not chosen.is_dir() and (config.theme_dir or config.site.theme != "default"):
        # A name that points nowhere is a setting to fix, like a missing content folder.
        if config.theme_dir:
            raise ConfigError(chosen, ["--theme: no such theme folder"])
        raise ConfigError(config.root / CONFIG_NAME, [
            f"site.theme: no theme {config.site.theme!r} (no folder {chosen}); "
            f"themes found: {', '.join(_theme_names(config)) or 'none'}"])
    dirs = theme_dirs(config)
    template_dirs = [str(d / "templates") for d in dirs if (d / "templates").is_dir()]
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(template_dirs),
        # "default/base.html" lets a theme extend the template it overrides.
        jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(str(dirs[-1] / "templates"))}),
    ])
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(lang_attrs=lang_attrs, render_block=render_block, render_blocks=render_blocks,
                       marked_runs=marked_runs,
                       direction=direction, tag_slug=slugify, summary=summary, pairs=lambda a, b: list(zip_longest(a, b)))
    static: dict[str, Path] = {}
    digest = hashlib.sha256()
    for d in reversed(dirs):
        for path in sorted(p for p in d.rglob("*") if p.is_file()):
            rel = path.relative_to(d).as_posix()
            digest.update(rel.encode() + b"\0" + path.read_bytes())
            if rel.startswith("static/"):
                static[rel] = path
    strings = load_strings(dirs)
    strings_key = hashlib.sha256(repr(sorted((k, sorted(v.items())) for k, v in strings.items())).encode()).hexdigest()
    return Theme(env, strings, static, digest.hexdigest(), strings_key)


def page_context(site: Site, page: Page, theme: Theme) -> dict:
    """The variables every template sees."""
    config = site.config
    strings = theme.strings.get(page.lang, {})

    def t(key: str, lang: str | None = None) -> str:
        table = theme.strings.get(lang, {}) if lang else strings
        return table.get(key, key)

    def url(target: str) -> str:
        if page.url == "404.html":
            # A 404 page is served at any depth: only rooted links work there.
            return config.base_path + quote(target, safe=_URL_SAFE)
        return url_for(target, page.url)

    return {
        "site": site,
        "config": config,
        "page": page,
        "lang": page.lang,
        "dir": page.dir,
        "source_lang": site.source_lang,
        "target_lang": site.target_lang,
        "t": t,
        "url": url,
        "absolute_url": lambda target: config.site.base_url.rstrip("/") + "/" + quote(target, safe=_URL_SAFE),
        "date": lambda value, lang=None: format_date(value, lang or page.lang),
        **page.context,
    }


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


class Renderer:
    """Renders pages, remembering each page's output with the inputs it was rendered from.

    Kept alive between rebuilds (``digest serve``) so unchanged pages are not rendered again.
    The site model hands back the same page object for a page whose inputs did not change,
    mostly at the same position: those are found by comparing the two page tuples by
    identity (in C, without touching the pages: at 10,000 articles a loop in Python over
    the 33,000 pages was a fifth of a rebuild). The others are looked up by path; a new
    page object is compared by value with the last page at its path.
    """

    def __init__(self) -> None:
        self._forget()
        self.rendered = 0

    def _forget(self) -> None:
        self._shared: tuple | None = None
        self._pages: tuple[Page, ...] = ()
        # Per position of the last build's pages: path, bytes, template key, sitemap row.
        self._paths: list[str] = []
        self._data: list[bytes] = []
        self._keys: list[str] = []
        self._rows: list[SitemapURL | None] = []
        self._index: dict[str, int] = {}
        self._templates: dict[str, str] = {}
        """Template name -> key, of the templates the last build's pages used."""
        self._sitemaps: dict[str, tuple] = {}

    def render(self, site: Site, theme: Theme) -> dict[str, bytes]:
        """Render every page of ``site`` plus sitemap and static files to ``{path: bytes}``."""
        self.rendered = 0
        # What every page depends on beyond its own inputs; when it changes, all render.
        shared = (theme.strings_key, site.config, _site_key(site))
        if shared != self._shared:
            self._forget()
        keys: dict[str, str] = {}

        def key_of(name: str) -> str:
            key = keys.get(name)
            if key is None:
                key = keys[name] = theme.template_key(name)
            return key

        pages, last = site.pages, self._pages
        n = len(pages)
        if len(last) == n and all(key_of(name) == key for name, key in self._templates.items()):
            # Same count, same templates: only the positions holding another object need work.
            paths, data, tkeys, rows = list(self._paths), list(self._data), list(self._keys), list(self._rows)
            todo = list(compress(range(n), map(operator.is_not, pages, last)))
        else:
            paths, data, tkeys, rows = [""] * n, [b""] * n, [""] * n, [None] * n
            todo = range(n)
        moved = len(last) != n  # then the positions of the path index are not these
        for i in todo:
            page = pages[i]
            path, key = page.path, key_of(page.template)
            j = self._index.get(path)
            if j is not None and last[j] is page and self._keys[j] == key:
                data[i], row = self._data[j], self._rows[j]  # moved, unchanged
            elif j is not None and self._keys[j] == key and _same_inputs(last[j], page):
                data[i], row = self._data[j], SitemapURL.of(page)
            else:
                data[i], row = self._render(theme, page.template, page_context(site, page, theme)), SitemapURL.of(page)
            moved = moved or self._paths[i] != path
            paths[i], tkeys[i], rows[i] = path, key, row
        index = {p: i for i, p in enumerate(paths)} if moved or not self._index else self._index
        self._pages, self._paths, self._data, self._keys, self._rows, self._index = pages, paths, data, tkeys, rows, index
        self._templates, self._shared = dict(keys), shared
        files = dict(zip(paths, data))
        files.update(self._sitemap(site, theme, [row for row in rows if row is not None]))
        for rel, path in theme.static.items():
            files[rel] = path.read_bytes()
        return files

    def _sitemap(self, site: Site, theme: Theme, listed: list) -> dict[str, bytes]:
        """The sitemap files for the rows ``listed``: parts of :data:`SITEMAP_URLS` URLs under an
        index on a big site, each rendered again only when its rows changed."""
        chunks = [listed[i:i + SITEMAP_URLS] for i in range(0, len(listed), SITEMAP_URLS)] or [[]]
        names = ["sitemap.xml"] if len(chunks) == 1 else [f"sitemap-{n}.xml" for n in range(1, len(chunks) + 1)]
        template = theme.template_key("sitemap.xml")
        files, memo = {}, {}
        for name, chunk in zip(names, chunks):
            cached = self._sitemaps.get(name)
            if cached is not None and cached[2] == template and cached[0] == chunk:  # rows: identity first
                data = cached[1]
            else:
                context = page_context(site, site.pages[0], theme) | {"urls": chunk}
                data = self._render(theme, "sitemap.xml", context)
            memo[name] = (chunk, data, template)
            files[name] = data
        if len(names) > 1:
            files["sitemap.xml"] = sitemap_index(site, names)
        self._sitemaps = memo
        return files

    def _render(self, theme: Theme, template_name: str, context: dict) -> bytes:
        try:
            data = theme.env.get_template(template_name).render(context).encode("utf-8")
        except jinja2.TemplateError as exc:
            where = getattr(exc, "filename", None) or template_name
            line = getattr(exc, "lineno", None)
            raise ThemeError(f"{where}{f', line {line}' if line else ''}: {exc}") from exc
        self.rendered += 1
        return data


def _same_inputs(old: Page, new: Page) -> bool:
    return (old.url == new.url and old.template == new.template and old.lang == new.lang
            and old.alternates == new.alternates and old.context == new.context)


def sitemap_index(site: Site, names: list[str]) -> bytes:
    """A sitemap index pointing at the sitemap files ``names``."""
    base = site.config.site.base_url.rstrip("/")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"  <sitemap><loc>{escape(base + '/' + name)}</loc></sitemap>" for name in names]
    return ("\n".join(lines + ["</sitemapindex>", ""])).encode("utf-8")


def _site_key(site: Site) -> tuple:
    """What every page depends on beyond its own context: the language switcher and nav."""
    return (len(site.entries), tuple(t.slug for t in site.tags))
