"""Inline texts without Markdown syntax skip the parser: the same HTML and visible text as
markdown-it gives, for any text."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.content.cleantext import clean_text
from digest.content.markup import (
    isolate_latin_html,
    literal,
    markdown_html,
    parse_blocks,
    parser,
    plain_text,
    render_inline,
)


def parsed(text: str) -> str:
    """The HTML as markdown-it makes it (what markdown_html always did)."""
    return clean_text(parser().renderInline(text))


_ALPHABET = st.one_of(
    st.sampled_from("الكتاب في القرى أإآ abc XYZ 12,500 ٥٫٢٥ .,:;!?()#$%+-=@^{}|'\"’—>  \t\n\r\\`*_~[]<&\u00a0\u200f"),
    st.characters(),
)


@settings(max_examples=3000, deadline=None)
@given(st.text(_ALPHABET, max_size=60))
def test_literal_texts_render_as_markdown_it_renders_them(text):
    assert markdown_html(text) == parsed(text)
    assert plain_text(text) == html.unescape(re.sub(r"<[^>]+>", "", parsed(text)))
    render_inline.cache_clear()
    assert render_inline(text) == parsed(text)
    assert render_inline(text, rtl=True) == isolate_latin_html(parsed(text))


def test_which_texts_are_literal():
    assert literal("أعلنت الوزارة (رسميا) أن 12,500 > 10 - \"Oil\" #وسم!")
    for text in ("**مهم**", "a_b", "[رابط](https://example.org/)", "<https://x.org>", "&amp;", "`x`",
                 "a\\b", "~~x~~", "سطر\nسطر", "tab\there"):
        assert not literal(text), text
    assert markdown_html('"Oil" > gas') == "&quot;Oil&quot; &gt; gas"
    assert plain_text('"Oil" > gas') == '"Oil" > gas'


def test_blocks_keep_their_inline_source():
    blocks = parse_blocks("# عنوان *مائل*\n\nفقرة [رابط](https://example.org/) و`رمز`\n\n- بند **عريض**\n")
    assert [b.texts for b in blocks] == [("عنوان *مائل*",), ("فقرة [رابط](https://example.org/) و`رمز`",),
                                         ("بند **عريض**",)]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["paragraph", "code", "heading"]),
                          st.text(st.sampled_from("ab *ت "), max_size=30)), max_size=8),
       st.integers(min_value=1, max_value=60))
def test_a_summary_reads_only_the_blocks_it_shows(parts, limit):
    from digest.content.markup import Block
    from digest.render.blocks import summary
    from digest.text import shorten

    blocks = tuple(Block(kind, (text,)) for kind, text in parts)
    whole = " ".join(plain_text(t, b.plain) for b in blocks if b.kind != "code" for t in b.texts)
    assert summary.__wrapped__(blocks, limit) == shorten(whole, limit)


@settings(max_examples=2000, deadline=None)
@given(st.text(st.one_of(st.sampled_from("ا b\n\t\r\x00\x85\ufffe\ud800 "), st.characters()), max_size=40))
def test_clean_text_is_the_expression_it_shortcuts(text):
    from digest.content.cleantext import _LINE_BREAK, _UNWANTED

    assert clean_text(text) == _UNWANTED.sub("", _LINE_BREAK.sub("\n", text))
