"""Themes: finding the chosen theme and the default under it, and loading templates, strings
and static files with fingerprints that say what a change touches."""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from types import SimpleNamespace

import jinja2
import jinja2.meta

from ..config import CONFIG_NAME, Config, theme_problem
from ..content.articles import slugify
from ..errors import ConfigError, ThemeError
from ..text import direction
from .blocks import lang_attrs, marked_runs, outline, render_block, render_blocks, summary
from .fragments import GLOBALS as FRAGMENTS
from .images import picture
from .memo import once
from .templatecode import FOLDER as TEMPLATE_CODE
from .templatecode import TemplateCode
from .themedirs import chosen_theme, theme_dirs


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
    _compiled: dict[str, jinja2.Template] = field(default_factory=dict, repr=False)

    def template(self, name: str) -> jinja2.Template:
        """The compiled template ``name`` (the environment's lookup, kept: asked once per page)."""
        found = self._compiled.get(name)
        if found is None:
            found = self._compiled[name] = self.env.get_template(name)
        return found

    def compile(self, names: Iterable[str]) -> None:
        """Compile templates ``names`` and every template they pull in, now: before a render's
        workers are forked, so that they share the compiled code rather than each compiling
        it again. A template that fails is left for its render to report."""
        todo, seen = list(names), set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            try:
                self.template(name)
                source = self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
                todo.extend(ref for ref in jinja2.meta.find_referenced_templates(self.env.parse(source)) if ref)
            except jinja2.TemplateError:
                continue

    def template_key(self, name: str) -> str:
        """A hash of template ``name`` and every template it pulls in."""
        key = self._keys.get(name)
        if key is None:
            key = self._keys[name] = self._template_key(name, {name})
        return key

    def known_keys(self, keys: dict[str, str] | None = None) -> dict[str, str]:
        """The template keys worked out so far, after adding ``keys`` (worked out before for a
        theme of this very fingerprint: parsing every template again took ~0.5 s)."""
        if keys:
            self._keys.update(keys)
        return dict(self._keys)

    def _template_key(self, name: str, seen: set[str]) -> str:
        try:
            source = self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
            refs = jinja2.meta.find_referenced_templates(self.env.parse(source))
        except jinja2.TemplateNotFound:
            # Pulled in with "ignore missing" (a theme's optional part): it adds nothing
            # until it exists. A required one that is missing fails when rendered.
            return "missing"
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
    problem = theme_problem(config)
    if problem:
        # A name that points nowhere is a setting to fix, like a missing content folder.
        # (Checked when the configuration is loaded; here too for a theme removed since.)
        file = config.root / CONFIG_NAME
        where = chosen_theme(config) if config.theme_dir or not file.exists() else file
        raise ConfigError(where, [problem if config.theme_dir else f"site.theme: {problem}"])
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
        # A build never needs to stat a template again: a changed theme has another
        # fingerprint, and the builder then loads a new environment (digest/build.py).
        auto_reload=False,
        # Compiled code kept in the cache folder: every process that renders (the build, its
        # workers) would otherwise compile each template it uses from source.
        bytecode_cache=TemplateCode(config.cache_dir / TEMPLATE_CODE),
    )
    env.globals.update(lang_attrs=lang_attrs, render_block=render_block, render_blocks=render_blocks,
                       marked_runs=marked_runs, outline=outline, direction=direction, tag_slug=slugify,
                       summary=summary, once=once, pairs=lambda a, b: list(zip_longest(a, b)), picture=picture,
                       fragments=SimpleNamespace(**FRAGMENTS), **FRAGMENTS)
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
