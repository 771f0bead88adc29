"""Markdown in articles: inline HTML and the blocks an article is cut into. The cases are
in tests/fixtures/markup."""

import pytest
from casefile import cases

from digest.content.markup import parse_blocks, render_inline


@pytest.mark.parametrize("case", cases("markup", "inline"))
def test_inline(case):
    html = render_inline(case.input, plain="plain" in case.options, rtl="rtl" in case.options)
    assert [html] == case.expected


def described(block) -> str:
    fields = [f"{name}={getattr(block, name)}" for name in ("level", "group", "columns", "number")
              if getattr(block, name)]
    flags = ["ordered"] if block.ordered else []
    texts = " | ".join(t.replace("\n", "⏎") for t in block.texts)
    return f"{' '.join([block.kind, *fields, *flags])}: {texts}"


@pytest.mark.parametrize("case", cases("markup", "blocks"))
def test_blocks(case):
    assert [described(b) for b in parse_blocks(case.input)] == case.expected
