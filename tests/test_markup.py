"""Markdown in articles: inline HTML and the blocks an article is cut into. The cases are
in tests/fixtures/markup."""

import pytest
from casefile import cases

from digest.content.markup import Block, parse_blocks, render_inline


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


def test_a_block_keeps_no_dict_of_its_own():
    """A build holds every article's blocks (200,000 at 10,000 articles): slotted, each is
    about a third of what it was with an instance dict, and still hashes, compares,
    pickles and can be weakly referenced (the workers' memo test watches blocks so)."""
    import pickle
    import sys
    import weakref

    block = Block("paragraph", ("نص", "text"), level=2, plain=True)
    assert not hasattr(block, "__dict__")
    assert sys.getsizeof(block) < 150
    assert weakref.ref(block)() is block
    again = pickle.loads(pickle.dumps(block))
    assert again == block and hash(again) == hash(block)
    assert block.with_texts(["x"]) == Block("paragraph", ("x",), level=2, plain=True)
