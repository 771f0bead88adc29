"""Compiled templates kept in ``.digest-cache/templates/`` (:mod:`digest.render.templatecode`):
a new process loads a template's code instead of compiling it; a damaged, foreign or stale
file is ignored and written again; the site is the same byte for byte with the cache warm,
cold or damaged. Real projects, real builds, real files."""

from pathlib import Path

import jinja2
from helpers import site_files
from test_buildcache import project

from digest.build import Builder
from digest.config import load_config
from digest.render.templatecode import MAGIC, TemplateCode
from digest.render.theme import load_theme

CODE = Path(".digest-cache/templates")


def build(root: Path):
    return Builder(load_config(root), translator=None).build()


def compiles(monkeypatch) -> list[str]:
    """The names of the templates Jinja compiles from source from now on."""
    seen: list[str] = []
    compile_ = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        seen.append(name)
        return compile_(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return seen


def rebuild(root: Path) -> None:
    """Every page of ``root`` rendered again by a new builder (as in a new process)."""
    for path in (root / "site").rglob("*.html"):
        path.unlink()
    build(root)


def render_all(root: Path) -> None:
    """Load the page templates of ``root``'s theme and what they pull in, with a new theme (as
    in a new process)."""
    load_theme(load_config(root)).compile(["home.html", "index.html", "article.html", "parallel.html",
                                           "tag.html", "tags.html", "archive.html", "archives.html", "404.html"])


def test_a_new_process_loads_the_compiled_templates_rather_than_compiling_them(tmp_path, monkeypatch):
    root = project(tmp_path, articles=3)
    build(root)
    files = sorted((root / CODE).glob("*.code"))
    assert files and all(f.read_bytes().startswith(MAGIC) for f in files)
    seen = compiles(monkeypatch)
    rebuild(root)
    assert seen == []
    # Templates this site's build had no use for (here, the lead photo's meta tags: no photos)
    # are compiled when first needed, then kept too.
    render_all(root)
    seen.clear()
    render_all(root)
    assert seen == []


def test_a_damaged_or_foreign_file_is_ignored_compiled_again_and_rewritten(tmp_path, monkeypatch):
    root = project(tmp_path, articles=3)
    build(root)
    want = site_files(root / "site")
    files = sorted((root / CODE).glob("*.code"))
    assert len(files) >= 3
    damaged = {
        files[0]: files[0].read_bytes()[:-7],  # truncated
        files[1]: files[1].read_bytes()[:-1] + bytes([files[1].read_bytes()[-1] ^ 1]),  # one bit off
        files[2]: files[0].read_bytes(),  # another template's code under this one's name
    }
    for path, data in damaged.items():
        path.write_bytes(data)
    seen = compiles(monkeypatch)
    for path in (root / "site").rglob("*.html"):
        path.unlink()  # every page rendered again, with whatever code the cache gives
    build(root)
    assert len(seen) == len(damaged)
    assert site_files(root / "site") == want
    assert all(path.read_bytes() != data for path, data in damaged.items())  # written again, whole
    seen.clear()
    rebuild(root)
    assert seen == []


def test_garbage_that_carries_a_right_check_but_is_no_code_is_ignored(tmp_path):
    from digest.render.templatecode import _check

    env = jinja2.Environment(loader=jinja2.DictLoader({"t.html": "{{ 1 + 1 }}"}),
                             bytecode_cache=TemplateCode(tmp_path))
    assert env.get_template("t.html").render() == "2"
    (path,) = tmp_path.glob("*.code")
    key = path.name[: -len(".code")]
    for payload in (b"\xff\x00garbage", b"N"):  # not marshal data; None, not a code object
        path.write_bytes(MAGIC + _check(key, payload).encode() + payload)
        again = jinja2.Environment(loader=jinja2.DictLoader({"t.html": "{{ 1 + 1 }}"}),
                                   bytecode_cache=TemplateCode(tmp_path))
        assert again.get_template("t.html").render() == "2"


def test_a_changed_template_replaces_its_file_and_renders_its_new_source(tmp_path):
    env = jinja2.Environment(loader=jinja2.DictLoader({"t.html": "one"}), bytecode_cache=TemplateCode(tmp_path))
    assert env.get_template("t.html").render() == "one"
    env = jinja2.Environment(loader=jinja2.DictLoader({"t.html": "two"}), bytecode_cache=TemplateCode(tmp_path))
    assert env.get_template("t.html").render() == "two"
    assert len(list(tmp_path.glob("*.code"))) == 1
    other = jinja2.Environment(loader=jinja2.DictLoader({"t.html": "two"}), trim_blocks=True,
                               bytecode_cache=TemplateCode(tmp_path))
    other.get_template("t.html")
    # Other compile options are another key: the file of those options replaces it.
    assert len(list(tmp_path.glob("*.code"))) == 1


def test_the_site_is_the_same_with_the_compiled_templates_warm_cold_or_unusable(tmp_path):
    root = project(tmp_path, articles=4)
    build(root)
    warm = site_files(root / "site")
    for path in (root / CODE).glob("*.code"):
        path.unlink()
    (root / "site").rename(tmp_path / "old-site")
    build(root)
    assert site_files(root / "site") == warm
    for path in (root / CODE).glob("*"):
        path.unlink()
    (root / CODE).rmdir()
    (root / CODE).write_text("not a folder")  # nothing can be read or written there
    (root / "site").rename(tmp_path / "older-site")
    build(root)
    assert site_files(root / "site") == warm


def test_code_compiled_for_other_filters_is_not_used(tmp_path):
    source = {"t.html": "{{ 'a' | shout }}"}
    plain = jinja2.Environment(loader=jinja2.DictLoader(source), bytecode_cache=TemplateCode(tmp_path))
    plain.filters["shout"] = lambda text: text.upper() + "!"
    assert plain.get_template("t.html").render() == "A!"

    @jinja2.pass_context
    def shout(context, text):  # asks for the context: the compiled call passes it
        return text.upper() + context.get("mark", "?")

    other = jinja2.Environment(loader=jinja2.DictLoader(source), bytecode_cache=TemplateCode(tmp_path))
    other.filters["shout"] = shout
    assert other.get_template("t.html").render(mark="#") == "A#"
