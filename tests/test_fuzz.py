"""Fuzzing the readers (issue 10): whatever an editor's files hold, a build never raises,
every page parses as HTML without an error, and every feed is well-formed XML.

Each example is a small project in its own folder under tmp_path, built with the fake
translator (or none) without writing the site: pages are checked from the file map.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib
import pytest
import yaml
from helpers import FakeTranslator, write_project
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from digest.build import Builder
from digest.config import ConfigError, load_config
from digest.events import RecordingReporter

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])

# What breaks HTML and XML, what Markdown and YAML make something of, and ordinary text.
NASTY = ["\x00", "\x07", "\x1b", "\x0b", "\x0c", "\r", "\t", "\n", "\x7f", "\x85", "\ud800", "\udfff",
         "\ufffe", "\uffff", "\ufdd0", "\U0001fffe", "\U0010ffff", "\u200f", "\u2028", "\ufeff",
         "&", "<", ">", '"', "'", "]]>", "&#0;", "&#12;", "&#xFFFF;", "&#xD800;", "&amp;", "<!--",
         "<script>", "*", "_", "`", "[", "](", ")", "#", "- ", "> ", "|", "\\", "---", "\n\n",
         "http://x.invalid/", "javascript:", "عربي", "نص", " ", "word", "1. ", ":"]
CHARS = st.one_of(st.sampled_from(NASTY), st.characters(codec=None, exclude_categories=()))
TEXT = st.lists(CHARS, max_size=24).map("".join)

TIMEZONES = st.builds(dt.timezone, st.timedeltas(min_value=dt.timedelta(hours=-23, minutes=-59),
                                                 max_value=dt.timedelta(hours=23, minutes=59)))
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2 ** 70), max_value=2 ** 70), st.floats(),
    TEXT, st.dates(), st.datetimes(timezones=st.none() | TIMEZONES),
    st.sampled_from(["9999-12-31", "0001-01-01", "2026-02-30", "2026-11-20T25:00", "", " ", "~"]),
)
YAML_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8)
KEYS = st.sampled_from(["title", "date", "slug", "tags", "source", "author", "draft", "other"])
FRONT = st.dictionaries(KEYS, YAML_VALUES, max_size=7)

GOOD = {"content/good.md": "---\ntitle: خبر جيد\ndate: 2026-01-05\ntags: [اقتصاد]\n---\nنص الخبر الجيد.\n"}
PARAGRAPH = "ارتفعت أسعار النفط اليوم."


def check_site(files: dict[str, bytes]) -> None:
    """Every page parses without an HTML parse error; every feed and the sitemap are XML."""
    parser = html5lib.HTMLParser(strict=True)
    for name, data in files.items():
        if name.endswith(".html"):
            try:
                parser.parse(data)
            except html5lib.html5parser.ParseError as exc:
                pytest.fail(f"{name}: {exc}\n{data.decode('utf-8', 'replace')[:3000]}")
        elif name.endswith(".xml"):
            ET.fromstring(data)


def build(root: Path, files: dict[str, str | bytes], translator="fake"):
    """Build ``GOOD`` plus ``files`` in a new folder under ``root``; the good article must be built."""
    project = Path(tempfile.mkdtemp(dir=root))
    write_project(project, GOOD | files)
    config = load_config(project, {"site": {"base_url": "https://example.org/"}})
    reporter = RecordingReporter()
    result = Builder(config, reporter, FakeTranslator() if translator == "fake" else translator).build(
        write=False, search=False)
    assert "good" in {e.slug for e in result.site.entries}
    check_site(result.files)
    return result, reporter


def utf8(text: str) -> bytes:
    """``text`` as the bytes an editor's file would hold (a lone surrogate as its raw bytes)."""
    return text.encode("utf-8", "surrogatepass")


@SETTINGS
@given(meta=FRONT, body=TEXT)
@example(meta={"title": "t", "date": dt.date(9999, 12, 1)}, body="نص")  # the three failures
@example(meta={"title": "a\ud800b", "tags": ["News", "news", "NEWS"]}, body="نص")
@example(meta={"title": "t", "date": dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.timezone(-dt.timedelta(hours=5)))},
         body="> " * 30 + "x")
def test_front_matter_of_every_yaml_type(tmp_path, meta, body):
    front = yaml.safe_dump(meta, allow_unicode=False)
    build(tmp_path, {"content/x.md": utf8(f"---\n{front}---\n{body or 'نص'}\n")})


@SETTINGS
@given(title=TEXT, body=TEXT, tags=st.lists(TEXT, max_size=4), english=TEXT)
@example(title="&#12;", body="&#12; &#x0C; `&#12;` [&#12;](a) \\&#12;", tags=[], english="&#12;")
def test_text_with_controls_surrogates_and_noncharacters(tmp_path, title, body, tags, english):
    front = yaml.safe_dump({"title": title or "t", "tags": tags}, allow_unicode=False)
    files = {
        # Escaped in YAML (reach the model as characters) and raw in the files (refused or cleaned).
        "content/m.md": utf8(f"---\n{front}---\n{body}\n\nنص.\n"),
        "content/m.en.md": utf8(f"---\n{yaml.safe_dump({'title': english or 'e'})}---\n{english}\n\ntext\n"),
        "content/r.txt": utf8(f"{title}\n{body}\nفقرة\n"),
        "content/raw.md": utf8(f"---\ntitle: {title}\n---\n{body}\n"),
    }
    build(tmp_path, files)


def toml(value) -> str:
    """``value`` as a TOML inline value (strings escaped, so any code point can be tried)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, (int, dt.date, dt.time)):
        return value.isoformat() if not isinstance(value, int) else str(value)
    if isinstance(value, str):
        return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\U{ord(c):08X}" for c in value) + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    return "{" + ", ".join(f"{toml(k)} = {toml(v)}" for k, v in value.items()) + "}"


TOML_SCALARS = st.one_of(st.booleans(), st.integers(min_value=-(2 ** 63), max_value=2 ** 63 - 1), st.floats(),
                         TEXT, st.sampled_from([PARAGRAPH, "نص", " "]), st.dates(), st.datetimes(), st.times())
TOML_VALUES = st.recursive(TOML_SCALARS, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.sampled_from(["arabic", "english", "x"]) | TEXT, inner,
                                             max_size=3), max_leaves=8)
EDIT = st.fixed_dictionaries({"arabic": st.sampled_from([PARAGRAPH]) | TEXT | TOML_VALUES,
                              "english": TEXT | TOML_VALUES})
EDITS = st.one_of(st.dictionaries(st.sampled_from(["edit", "other"]) | TEXT, TOML_VALUES, max_size=3),
                  st.builds(lambda edits: {"edit": edits}, st.lists(EDIT, max_size=3)))


@SETTINGS
@given(doc=EDITS)
@example(doc={"edit": 5})
@example(doc={"edit": [{"arabic": PARAGRAPH, "english": "\x07\ud800\uffff"}]})
def test_edits_files_of_every_toml_shape(tmp_path, doc):
    text = "\n".join(f"{toml(k)} = {toml(v)}" for k, v in doc.items())
    result, _ = build(tmp_path, {"content/a.md": f"---\ntitle: عنوان\n---\n{PARAGRAPH}\n",
                                 "content/a.edits.toml": utf8(text + "\n")})
    assert "a" in {e.slug for e in result.site.entries}


GLOSSARY = st.one_of(
    st.dictionaries(st.sampled_from(["terms", "other"]) | TEXT, TOML_VALUES, max_size=2),
    st.builds(lambda terms: {"terms": terms}, st.dictionaries(TEXT, TEXT | TOML_SCALARS, max_size=4)),
    # Mostly usable: real terms with odd characters mixed in.
    st.builds(lambda terms: {"terms": terms}, st.dictionaries(
        st.tuples(st.sampled_from(["النفط", "أسعار"]), TEXT).map("".join),
        st.tuples(st.sampled_from(["oil", "prices"]), TEXT).map("".join), min_size=1, max_size=3)),
)


@SETTINGS
@given(doc=GLOSSARY)
def test_glossary_of_every_toml_shape_builds_or_is_the_config_error(tmp_path, doc):
    text = "\n".join(f"{toml(k)} = {toml(v)}" for k, v in doc.items())
    try:
        build(tmp_path, {"content/glossary.toml": utf8(text + "\n")}, translator=None)
    except ConfigError as exc:
        assert "glossary.toml" in str(exc.path)
