"""Latin runs in right-to-left text are isolated by a search that looks back from each Latin
letter: the same HTML as the look-behind tried at every character gave, for any text."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from digest.content.markup import _LATIN_RUN, isolate_latin, isolate_latin_html


def isolated_as_before(escaped_text: str) -> str:
    """isolate_latin as it was written first: the look-behind at every position."""

    def wrap(match: re.Match) -> str:
        run = match.group(0)
        return run if run.startswith(("amp;", "lt;", "gt;", "quot;")) else f'<bdi dir="ltr">{run}</bdi>'

    return re.sub(r"(?<![&\w])" + _LATIN_RUN.pattern, wrap, escaped_text)


_PIECES = st.one_of(st.sampled_from(["النفط", " ", "Brent", "OPEC+", "a", "Z9", "9", "_", "&amp;", "&quot;", "&", ";",
                                     "12,500", "٥٫٢٥", "https://x.org/a?b=c", "e-mail", "’", "é", "ß", "\n", "<b>", "</b>"]),
                    st.characters())


@settings(max_examples=3000, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
@example("Brent&amp;WTI وBrent")
@example("aBrent")
def test_latin_runs_are_isolated_as_before(text):
    assert isolate_latin(text) == isolated_as_before(text)
    parts = re.split(r"(<[^>]*>)", text)
    assert isolate_latin_html(text) == "".join(p if p.startswith("<") else isolated_as_before(p) for p in parts)
