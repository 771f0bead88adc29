import pytest
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


def parse(text, agencies=DEFAULT_AGENCIES, chrome=DEFAULT_CHROME):
    return parse_raw_text(text, agencies, chrome)


@pytest.mark.parametrize("line, source", [
    ("رويترز", "رويترز"),
    ("أ ف ب", "أ ف ب"),
    ("أ.ف.ب", "أ.ف.ب"),
    ("المصدر: وكالة الأنباء المحلية", "وكالة الأنباء المحلية"),
    ("رويترز - أ ف ب", "رويترز - أ ف ب"),
])
def test_trailing_agency_line_becomes_source(line, source):
    raw = parse(f"عنوان\nفقرة أولى.\nفقرة ثانية.\n{line}\n")
    assert raw.source == source
    assert [b.texts[0] for b in raw.blocks] == ["فقرة أولى.", "فقرة ثانية."]


def test_agency_name_inside_text_is_not_taken_as_source():
    raw = parse("عنوان\nنقلت رويترز عن مصادر أن المحادثات مستمرة.\n")
    assert raw.source is None
    assert len(raw.blocks) == 1


def test_chrome_lines_dropped_anywhere_ignoring_diacritics_and_spacing():
    raw = parse("عنوان\n  شارك  \nفقرة.\nطباعة\nإضافة تعليق جديد\nأضف تعليقاً\nوكالات\nاضافة   تعليق جديد\n")
    assert [b.texts[0] for b in raw.blocks] == ["فقرة."]
    assert raw.source == "وكالات"


def test_chrome_list_is_configurable():
    raw = parse("عنوان\nفقرة.\nتابعنا على تلغرام\n", chrome=("تابعنا على تلغرام",))
    assert [b.texts[0] for b in raw.blocks] == ["فقرة."]


def test_title_only_is_an_error():
    with pytest.raises(SourceError, match="no paragraphs"):
        parse("عنوان وحده\nوكالات\n")


@pytest.mark.parametrize("text", [
    "الأربعاء 14 أكتوبر 2015\nعنوان الخبر\nفقرة أولى.\n",
    "عنوان الخبر\n14 تشرين الأول 2015 - 10:30\nفقرة أولى.\n",
    "\u200f١٤/١٠/٢٠١٥\nعنوان الخبر\nفقرة أولى.\n",
])
def test_a_dateline_above_or_under_the_title_becomes_the_date(text):
    import datetime as dt

    raw = parse(text)
    assert (raw.title, raw.date) == ("عنوان الخبر", dt.date(2015, 10, 14))
    assert [b.texts[0] for b in raw.blocks] == ["فقرة أولى."]


def test_a_date_inside_the_text_stays_a_paragraph(tmp_path):
    raw = parse("عنوان الخبر\nفقرة أولى.\n14 أكتوبر 2015\nفقرة ثالثة.\n")
    assert raw.date is None and [b.texts[0] for b in raw.blocks] == ["فقرة أولى.", "14 أكتوبر 2015", "فقرة ثالثة."]
    (tmp_path / "content").mkdir()
    (tmp_path / "content/story.txt").write_text("الخميس 15 أكتوبر 2015\nعنوان\nنص.\n", encoding="utf-8")
    article = read_article(tmp_path / "content/story.txt", load_config(tmp_path))
    assert str(article.date) == "2015-10-15" and not article.undated
