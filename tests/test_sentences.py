"""The Arabic-aware sentence splitter and the protected spans: the cases are in
tests/fixtures/sentences and tests/fixtures/masking."""

import pytest
from casefile import cases

from digest.translate.protect import mask, renumber, restore, unmask
from digest.translate.sentences import split_sentences


@pytest.mark.parametrize("case", cases("sentences"))
def test_split_sentences(case):
    assert split_sentences(case.input) == case.expected
    assert "".join(split_sentences(case.input)) == case.input


@pytest.mark.parametrize("case", cases("masking"))
def test_mask(case):
    glossary = dict(term.split("=", 1) for term in case.options.get("glossary", []))
    masked = mask(case.input, plain="plain" in case.options, glossary=glossary)
    assert [masked.text, *masked.spans] == case.expected
    if not glossary:
        assert unmask(masked.text, masked.spans) == case.input


def test_placeholders_are_renumbered_per_sentence_and_checked_on_the_way_back():
    local, order = renumber("⟦3⟧ قال ⟦4⟧")
    assert local == "⟦0⟧ قال ⟦1⟧" and order == [3, 4]
    assert restore("⟦1⟧ said ⟦0⟧", order) == "⟦4⟧ said ⟦3⟧"
    assert restore("said ⟦0⟧", order) is None
    assert restore("⟦0⟧ said ⟦0⟧ ⟦1⟧", order) is None
