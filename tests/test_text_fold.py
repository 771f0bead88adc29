"""fold_arabic against the table it replaced: the same text for any input."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.text import fold_arabic

# The implementation before the str.replace one, kept as the reference.
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_TABLE = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي"})


def reference(text: str) -> str:
    return _DIACRITICS.sub("", text).translate(_TABLE)


# Arabic letters, every character folded or dropped, Latin, digits, spaces and punctuation,
# and now and then any character at all.
_ALPHABET = st.one_of(
    st.sampled_from("أإآٱةىاهيـًٌٍَُِؚّْٰۭۖؐ ،؛؟.abcXYZ019 \n\t’é"),
    st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
    st.characters(),
)


@settings(max_examples=2000, deadline=None)
@given(st.text(_ALPHABET, max_size=80))
def test_fold_arabic_is_the_table_it_replaced(text):
    assert fold_arabic(text) == reference(text)


def test_fold_arabic_on_an_article_paragraph():
    text = "أعلنت الوزارةُ إنشاءَ مكتبةٍ آليّة في القرى ٱلساحلية — Oil prices, 12,500 ـــ"
    assert fold_arabic(text) == reference(text) == "اعلنت الوزاره انشاء مكتبه اليه في القري الساحليه — Oil prices, 12,500 "
    assert fold_arabic("plain ASCII stays") == "plain ASCII stays"
