import codecs

import pytest

from digest.content.sources import decode, read_source
from digest.errors import SourceError

TEXT = "عنوان الخبر\nقال المتحدث إن 12,500 شخص وصلوا.\n"


@pytest.mark.parametrize("data, encoding", [
    (TEXT.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
    (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
    (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
    (TEXT.encode("cp1256"), "windows-1256"),
])
def test_encodings_are_detected(data, encoding):
    text, found = decode(data)
    assert text == TEXT
    assert found == encoding


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_endings_are_unified(tmp_path, newline):
    path = tmp_path / "a.txt"
    path.write_bytes(TEXT.replace("\n", newline).encode("cp1256"))
    assert read_source(path).text == TEXT


def test_binary_file_is_rejected(tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(SourceError, match="binary"):
        read_source(path)


@pytest.mark.parametrize("data", [b"", b"   \n\r\n\t", codecs.BOM_UTF8])
def test_empty_file_is_rejected(tmp_path, data):
    path = tmp_path / "empty.md"
    path.write_bytes(data)
    with pytest.raises(SourceError, match="empty"):
        read_source(path)


def test_utf16_bom_with_odd_bytes_is_reported(tmp_path):
    path = tmp_path / "broken.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "عنوان".encode("utf-16-le") + b"\x00\xd8")
    with pytest.raises(SourceError, match="utf-16"):
        read_source(path)


def test_random_high_bytes_are_not_published_as_windows_1256(tmp_path):
    # Every byte means something in Windows-1256, so noise "decodes"; it is still refused.
    import random

    rng = random.Random(7)
    path = tmp_path / "noisy.txt"
    path.write_bytes(b"\n".join(bytes(rng.randrange(0x80, 0x100) for _ in range(60)) for _ in range(4)))
    with pytest.raises(SourceError, match="not Arabic text"):
        read_source(path)


def test_windows_1256_news_with_typographic_punctuation_still_reads():
    text = "«عاجل» – قال المتحدث: ارتفعت الأسعار 5.25% … والحرارة 40° (رويترز)\n"
    assert decode(text.encode("cp1256")) == (text, "windows-1256")


def test_a_yaml_error_points_at_the_line_where_the_unclosed_bracket_starts():
    from digest.content.sources import split_front_matter

    with pytest.raises(SourceError, match=r"^line 4: front matter is not valid YAML: .* while parsing a flow sequence"):
        split_front_matter("---\ntitle: x\ndate: 2026-11-01\ntags: [a, b\nsource: y\n---\nنص\n")


def test_front_matter_uses_libyaml_when_pyyaml_has_it_and_still_refuses_aliases():
    import yaml

    from digest.content.sources import _loader, split_front_matter

    if yaml.__with_libyaml__:
        assert issubclass(_loader(), yaml.CSafeLoader)
    meta, body, line = split_front_matter("---\ntitle: عنوان\ntags: [أ, ب]\n---\nنص\n")
    assert meta == {"title": "عنوان", "tags": ["أ", "ب"]} and body == "نص\n" and line == 5
    with pytest.raises(SourceError, match="aliases"):
        split_front_matter("---\na: &x [1]\nb: *x\n---\nنص\n")
    # libyaml refuses this escape; pure-Python PyYAML reads it (the surrogate is removed later).
    assert split_front_matter('---\ntitle: "a\\ud800b"\n---\nنص\n')[0] == {"title": "a\ud800b"}
    with pytest.raises(SourceError, match=r"^line 3: front matter is not valid YAML"):
        split_front_matter("---\ntitle: x\n  bad: : indent\n---\nنص\n")
