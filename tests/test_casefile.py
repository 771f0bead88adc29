"""The reader of tests/fixtures: a case file is read as its README says, and a malformed
one is refused with its line, so a broken fixture cannot pass as zero cases."""

import pytest
from casefile import cases, read_cases


def test_cases_with_options_escapes_and_empty_parts(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("# a comment\n\nfirst\n:lang ar\n:term a=b\n:term c=d\n.\nline one\nline two\n.\nends with␣\n.\n"
                    "\nsecond\n.\n\\u200fmark\n.\n.\n", encoding="utf-8")
    first, second = read_cases(path)
    assert (first.title, first.input, first.expected) == ("first", "line one\nline two", ["ends with "])
    assert first.options == {"lang": ["ar"], "term": ["a=b", "c=d"]} and first.option("lang") == "ar"
    assert first.where == "x.txt:3"
    assert (second.title, second.input, second.expected, second.options) == ("second", "\u200fmark", [], {})


@pytest.mark.parametrize("text, reason", [
    ("title\ninput\n.\nexpected\n.\n", "expected a line '.' \\(line 2\\)"),
    ("\ntitle\n.\ninput\n.\nexpected\n", "its expected part has no closing '.'"),
    ("\ntitle\n.\ninput\n", "expected a line '.'"),
])
def test_a_malformed_file_is_refused_with_its_line(tmp_path, text, reason):
    path = tmp_path / "bad.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=f"bad.txt:{1 + text.startswith(chr(10))}: case 'title': {reason}"):
        read_cases(path)


def test_every_area_has_cases_with_unique_titles():
    for area in ("markup", "rawtext", "dates", "sentences", "masking"):
        ids = [param.id for param in cases(area)]
        assert ids and len(ids) == len(set(ids)), area
