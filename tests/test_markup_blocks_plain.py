"""Bodies without block syntax are split at blank lines without markdown-it: the same
blocks as its block parser gives, for any body."""

from __future__ import annotations

from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from digest.content import markup
from digest.content.markup import parse_blocks, plain_paragraphs

_LINE_STARTS = "#>*+-_=`~[<0123456789|: \t"
_PIECES = st.one_of(
    st.sampled_from(["الخبر", " في ", "abc", " XYZ", "٥٫٢٥", ".", ",", "!", "(", ")", "\\", "&", "]", "\n", "\n\n",
                     "\n \n", "\n\t\n", "\r", "\x00", "\u00a0", "\u2003", "\u2028", "\x0c", "1. ", "- ", "---",
                     *_LINE_STARTS]),
    st.characters(),
)


def parsed_by_markdown_it(source: str) -> tuple[markup.Block, ...]:
    """The blocks as markdown-it's block parser makes them (what parse_blocks always did)."""
    saved = markup.plain_paragraphs
    markup.plain_paragraphs = lambda _source: None  # type: ignore[assignment]
    try:
        return parse_blocks(source)
    finally:
        markup.plain_paragraphs = saved


@settings(max_examples=4000, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
@example("فقرة أولى\nسطرها الثاني  \n\n\n\nفقرة ثانية\n")
@example("\u2003\n\nنص\u00a0")
@example("عنوان\n===\n\nنص")
@example("أ | ب\n--- | ---\nج | د")
def test_plain_bodies_split_as_markdown_it_splits_them(source):
    assert parse_blocks(source) == parsed_by_markdown_it(source)


def test_which_bodies_take_the_short_way():
    assert plain_paragraphs("فقرة\nسطر\n\nفقرة ثانية: ٣ أشياء، (و) \"اقتباس\"\n") == ["فقرة\nسطر", "فقرة ثانية: ٣ أشياء، (و) \"اقتباس\""]
    for body in ("# عنوان", "نص\n> اقتباس", "- بند", "1. بند", "نص\n    رمز", "أ | ب", "نص\n---", "[x]: /y",
                 "```\nرمز\n```", "نص\r\nنص", " مسافة"):
        assert plain_paragraphs(body) is None, body


def test_the_repository_content_and_seed_split_the_same():
    root = Path(__file__).resolve().parent.parent
    files = [*sorted((root / "content").glob("*.md")), *sorted((root / "tests" / "data").glob("*.txt"))]
    assert files
    for path in files:
        body = path.read_text(encoding="utf-8").split("---\n", 2)[-1]
        assert parse_blocks(body) == parsed_by_markdown_it(body), path


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["الخبر", "في ", "abc", ".", "،", "و**x**", "\n", "\n\n", "\n\n\n", "\u00a0",
                                 "\u2003", "\u2028", "\x0c", "\u200f"]), max_size=40).map("".join))
def test_bodies_of_text_take_the_short_way_and_agree(source):
    assert plain_paragraphs(source) is not None
    assert parse_blocks(source) == parsed_by_markdown_it(source)
