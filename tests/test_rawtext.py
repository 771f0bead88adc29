"""Raw text files: the seed article whole here; the line-by-line cases are in tests/fixtures/rawtext."""

import pytest
from casefile import cases
from helpers import SEED

from digest.config import DEFAULT_AGENCIES, DEFAULT_CHROME, load_config
from digest.content.articles import read_article
from digest.content.rawtext import parse_raw_text
from digest.errors import SourceError


def test_seed_article_reads_title_paragraphs_and_source(tmp_path):
    article = read_article(SEED, load_config(tmp_path))
    assert article.title == ("روسيا: تحقيق تقدم في التوافق على عقد اتفاق محتمل مع أمريكا "
                             "بشأن ضمان سلامة طلعات الطائرات الحربية في سورية")
    assert len(article.blocks) == 12
    assert all(b.kind == "paragraph" and b.plain for b in article.blocks)
    assert article.source == "وكالات"
    text = "\n".join(t for b in article.blocks for t in b.texts)
    assert "إضافة تعليق جديد" not in text
    assert article.blocks[0].texts[0].startswith("أكدت وزارة الدفاع الروسية")
    assert article.blocks[-1].texts[0].startswith("وتشن الطائرات الروسية")


def described(text: str, chrome: tuple[str, ...] = DEFAULT_CHROME) -> list[str]:
    """What parse_raw_text makes of ``text``, in the lines of tests/fixtures/rawtext."""
    try:
        raw = parse_raw_text(text, DEFAULT_AGENCIES, chrome)
    except SourceError as exc:
        return [f"error: {exc}"]
    head = [f"title: {raw.title}", f"date: {raw.date or 'none'}", f"source: {raw.source or 'none'}"]
    return head + [f"{b.kind}: {t}" for b in raw.blocks for t in b.texts]


@pytest.mark.parametrize("case", cases("rawtext"))
def test_raw_text(case):
    chrome = tuple(case.options.get("chrome", DEFAULT_CHROME))
    got = described(case.input, chrome)
    if case.expected[0].startswith("error: "):
        assert len(got) == 1 and got[0].startswith("error: ") and case.expected[0][7:] in got[0]
    else:
        assert got == case.expected


def test_a_dateline_in_a_raw_file_dates_the_article(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content/story.txt").write_text("الخميس 15 أكتوبر 2015\nعنوان\nنص.\n", encoding="utf-8")
    article = read_article(tmp_path / "content/story.txt", load_config(tmp_path))
    assert str(article.date) == "2015-10-15" and not article.undated
