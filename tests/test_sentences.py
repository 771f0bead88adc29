"""The Arabic-aware sentence splitter and the protected spans, case by case."""

import pytest

from digest.translate.protect import mask, renumber, restore, unmask
from digest.translate.sentences import split_sentences


@pytest.mark.parametrize("text, expected", [
    ("قال الوزير. ثم غادر.", ["قال الوزير. ", "ثم غادر."]),
    ("هل ستنجح؟ نعم! بالتأكيد…", ["هل ستنجح؟ ", "نعم! ", "بالتأكيد…"]),
    ("قال: «انتهى الأمر.» ثم صمت.", ["قال: «انتهى الأمر.» ", "ثم صمت."]),
    ('He said "it is over." Then he left.', ['He said "it is over." ', "Then he left."]),
    ("ارتفع السعر ٥٫٢٥ في المئة. وبلغ 12,500 دولار.", ["ارتفع السعر ٥٫٢٥ في المئة. ", "وبلغ 12,500 دولار."]),
    ("بلغ النمو 3.5 في المئة هذا العام", ["بلغ النمو 3.5 في المئة هذا العام"]),
    ("التقى د. أحمد بالسفير", ["التقى د. أحمد بالسفير"]),
    ("نقلت أ.ف.ب. الخبر. ثم نفته.", ["نقلت أ.ف.ب. الخبر. ", "ثم نفته."]),
    ("Mr. Smith met Dr. Jones. They talked.", ["Mr. Smith met Dr. Jones. ", "They talked."]),
    ("زوروا www.example.com. للتفاصيل", ["زوروا www.example.com. للتفاصيل"]),
    ("انتظر... ثم تكلم", ["انتظر... ", "ثم تكلم"]),
    ("", []),
])
def test_split(text, expected):
    assert split_sentences(text) == expected
    assert "".join(split_sentences(text)) == text


def test_masking_keeps_markup_targets_and_numbers_out_of_the_model():
    text = "رأى **الوزير** [التقرير](https://example.org/r?id=5 \"عنوان\") عن `x = 1` و٥٫٢٥ و#سوريا و info@example.org"
    masked = mask(text)
    for kept in ("https://example.org", "x = 1", "٥٫٢٥", "#سوريا", "info@example.org", "**"):
        assert kept not in masked.text
    assert "الوزير" in masked.text and "التقرير" in masked.text
    assert unmask(masked.text, masked.spans) == text


def test_a_percent_sign_arabic_or_latin_stays_with_its_number():
    masked = mask("بلغت النسبة ٥٫٢٥٪ و٣٪ و 4%")
    assert sorted(masked.spans) == ["4%", "٣٪", "٥٫٢٥٪"] and "٪" not in masked.text and "%" not in masked.text
    assert unmask(masked.text, masked.spans) == "بلغت النسبة ٥٫٢٥٪ و٣٪ و 4%"


def test_plain_text_keeps_markdown_characters_as_text():
    masked = mask("a *b* [c] 12", plain=True)
    assert masked.text == "a *b* [c] ⟦0⟧" and masked.spans == ("12",)


def test_glossary_terms_come_out_as_their_rendering_even_after_a_proclitic():
    masked = mask("قال البنتاغون إن داعش والبنتاغون", glossary={"البنتاغون": "the Pentagon", "داعش": "ISIS"})
    assert masked.text == "قال ⟦0⟧ إن ⟦1⟧ و⟦2⟧"
    assert masked.spans == ("the Pentagon", "ISIS", "the Pentagon")
    assert mask("البنتاغونية", glossary={"البنتاغون": "the Pentagon"}).spans == ()


def test_placeholders_are_renumbered_per_sentence_and_checked_on_the_way_back():
    local, order = renumber("⟦3⟧ قال ⟦4⟧")
    assert local == "⟦0⟧ قال ⟦1⟧" and order == [3, 4]
    assert restore("⟦1⟧ said ⟦0⟧", order) == "⟦4⟧ said ⟦3⟧"
    assert restore("said ⟦0⟧", order) is None
    assert restore("⟦0⟧ said ⟦0⟧ ⟦1⟧", order) is None
