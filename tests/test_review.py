"""The review page's items: what needs an editor's eye, grouped by article, newest first, each
pointing at its paragraph on the parallel page."""

from __future__ import annotations

import re

import pytest
from helpers import write_project
from modelkit import argos_home, argosmodel  # noqa: F401  (fixtures)

from digest.config import load_config
from digest.content.articles import load_articles
from digest.render.pages import Renderer
from digest.render.theme import load_theme
from digest.serve.reviewpage import review_html
from digest.site.model import build_site
from digest.site.review import FAILED, PENDING, STALE_EDIT, UNPLACED_EDIT, review
from digest.translate.stage import PENDING as NO_ENGLISH
from digest.translate.stage import English, Provenance

MACHINE = Provenance("machine", "argos-ar-en", "1.0")
FILES = {
    "content/2026-11-01-old.md": "---\ntitle: قديم\n---\nفقرة أولى.\n\nفقرة ثانية.\n\nفقرة ثالثة.\n",
    "content/2026-11-03-new.md": "---\ntitle: جديد\n---\nخبر جديد.\n",
    "content/2026-11-02-fine.md": "---\ntitle: سليم\n---\nكل شيء على ما يرام.\n",
}


def site_of(tmp_path):
    write_project(tmp_path, FILES)
    config = load_config(tmp_path)
    articles, _ = load_articles(config)
    by_slug = {a.slug: a for a in articles}
    old = by_slug["old"]
    english = {
        "old": English("Old", tuple(b.with_texts([f"EN {i}"]) for i, b in enumerate(old.blocks)), MACHINE,
                       (MACHINE,
                        Provenance("failed", "argos-ar-en", "1.0", note="placeholders lost"),
                        Provenance("machine", "argos-ar-en", "1.0", stale="A correction of old.")),
                       unplaced=("A correction of nothing.",)),
        "new": English(None, (), NO_ENGLISH),
        "fine": English("Fine", tuple(b.with_texts(["All is well."]) for b in by_slug["fine"].blocks), MACHINE,
                        (MACHINE,)),
    }
    return config, build_site(config, articles, english)


def test_items_are_grouped_by_article_newest_first_and_point_at_their_paragraph(tmp_path):
    config, site = site_of(tmp_path)
    groups = review(site)
    assert [g.slug for g in groups] == ["new", "old"]  # "fine" has nothing to review
    (pending,) = groups[0].items
    assert (pending.kind, pending.url, pending.block) == (PENDING, "articles/new/", None)
    failed, stale, unplaced = groups[1].items
    assert (failed.kind, failed.url, failed.text, failed.detail) == (
        FAILED, "articles/old/#p2", "فقرة ثانية.", "placeholders lost")
    assert (stale.kind, stale.url, stale.detail) == (STALE_EDIT, "articles/old/#p3", "A correction of old.")
    assert (unplaced.kind, unplaced.url, unplaced.detail) == (UNPLACED_EDIT, "articles/old/", "A correction of nothing.")
    # Every anchor names a paragraph pair of the parallel page the theme renders.
    page = Renderer().render(site, load_theme(config))["articles/old/index.html"].decode()
    for item in groups[1].items:
        if "#" in item.url:
            anchor = item.url.split("#")[1]
            pair = re.search(rf'<div class="pair" id="{anchor}"[^>]*>.*?</div>', page, re.S)
            assert pair and item.text in pair.group(0)


def test_the_review_page_lists_every_item_with_its_link_and_escapes_what_it_shows(tmp_path):
    _, site = site_of(tmp_path)
    html = review_html(review(site), tmp_path, editing=True)
    assert html.count('class="review-item"') == 4 and "<title>Review (4) · digest</title>" in html
    assert html.index('data-slug="new"') < html.index('data-slug="old"')
    assert 'href="/articles/old/#p2"' in html and "placeholders lost" in html
    assert "content/2026-11-01-old.md · 2026-11-01" in html
    for kind in (FAILED, STALE_EDIT, UNPLACED_EDIT, PENDING):
        assert f'data-kind="{kind}"' in html
    hostile = review_html((), tmp_path, editing=False)
    assert 'id="review-empty"' in hostile
    _, site = site_of(tmp_path / "x")
    group = review(site)[1]
    evil = type(group)(group.slug, "<script>alert(1)</script>", group.published, group.path, group.url, group.items)
    assert "<script>alert" not in review_html((evil,), tmp_path, editing=True)


@pytest.mark.parametrize("kind", [FAILED, STALE_EDIT])
def test_a_kind_can_be_left_out(tmp_path, kind):
    from digest.site import review as module

    _, site = site_of(tmp_path)
    kinds = tuple(k for k in module.KINDS if k is not {FAILED: module.failed_blocks,
                                                         STALE_EDIT: module.stale_post_edits}[kind])
    found = [item.kind for group in review(site, kinds) for item in group.items]
    assert kind not in found and PENDING in found


MODEL_FILES = {
    "content/2026-11-01-oil.md": "---\ntitle: ارتفاع أسعار النفط\ndate: 2026-11-01\n---\n"
        "ارتفعت أسعار النفط ٥٫٢٥ في المئة يوم الاثنين. وقال محللون إن [السوق](https://example.org/m) متوترة.\n\n"
        "تراجع المخزون في الموانئ الكبرى.\n\nافتتح معرض الكتاب أبوابه أمام الزوار.\n",
    # One correction of a paragraph that has since changed, one of a paragraph that is gone.
    "content/2026-11-01-oil.edits.toml": '[[edit]]\narabic = "تراجع المخزون في الموانئ."\n'
        'english = "Stocks fell at the ports."\n\n[[edit]]\narabic = "نص حذف من المقال منذ زمن طويل."\n'
        'english = "A paragraph long gone."\n',
    "content/2026-11-02-water.md": "---\ntitle: محطة تحلية جديدة\ndate: 2026-11-02\n---\n"
        "ستزود المحطة 12,500 منزل بمياه الشرب.\n",
    "digest.toml": "[translation]\nmax_decoding_length = 12\ninter_threads = 1\nintra_threads = 1\nbeam_size = 2\n",
}


@pytest.mark.slow
def test_a_project_built_with_the_fixture_model_lists_each_kind(tmp_path, argosmodel, argos_home):
    from digest.build import Builder
    from digest.translate.packages import install_file

    install_file(argosmodel)
    write_project(tmp_path / "p", MODEL_FILES)
    result = Builder(load_config(tmp_path / "p")).build(write=False)
    groups = review(result.site)
    assert [g.published for g in groups] == sorted((g.published for g in groups), reverse=True)
    oil = {g.slug: g for g in groups}["oil"]
    kinds = [(item.kind, item.url) for item in oil.items]
    assert (STALE_EDIT, "articles/oil/#p2") in kinds and (UNPLACED_EDIT, "articles/oil/") in kinds
    # Failed blocks are listed exactly where the stage rejected the machine's output.
    (entry,) = [e for e in result.site.entries if e.slug == "oil"]
    failed = {i for i, p in enumerate(entry.english.block_provenance) if p.kind == "failed"}
    assert {item.block for item in oil.items if item.kind == FAILED} == failed

    # Without a model every article is pending, and listed as such, newest first.
    (tmp_path / "p" / "digest.toml").write_text('[translation]\nengine = "none"\n', encoding="utf-8")
    groups = review(Builder(load_config(tmp_path / "p")).build(write=False).site)
    assert [(g.slug, [i.kind for i in g.items]) for g in groups] == [("water", [PENDING]), ("oil", [PENDING])]


@pytest.mark.slow
def test_low_confidence_and_out_of_date_human_paragraphs_are_listed_too(tmp_path, argosmodel, argos_home):
    from digest.build import Builder
    from digest.site.review import LOW_CONFIDENCE, OUTDATED
    from digest.translate.packages import install_file

    install_file(argosmodel)
    files = dict(MODEL_FILES)
    # Every log-probability is below zero: each scored machine paragraph is low-confidence.
    files["digest.toml"] += "review_below = 0.0\n"
    files["content/2026-11-02-water.md"] += "\nوتعمل بالطاقة الشمسية.\n"
    files["content/2026-11-02-water.en.md"] = ("---\ntitle: A new desalination plant\n---\n"
                                               "The plant will supply 12,500 homes.\n\nIt runs on solar power.\n")
    project = tmp_path / "p"
    write_project(project, files)
    first = Builder(load_config(project)).build()  # records what water.en.md was made from
    assert not [g for g in review(first.site) if g.slug == "water"]
    oil = {g.slug: g for g in review(first.site)}["oil"]
    scored = [i for i in oil.items if i.kind == LOW_CONFIDENCE]
    (entry,) = [e for e in first.site.entries if e.slug == "oil"]
    assert {i.block for i in scored} == {i for i, flag in enumerate(entry.english.review) if flag}
    assert scored and all(re.fullmatch(r"score -?\d+\.\d\d", i.detail) for i in scored)

    arabic = project / "content/2026-11-02-water.md"
    arabic.write_text(arabic.read_text(encoding="utf-8").replace("بالطاقة الشمسية", "بطاقة الرياح"),
                      encoding="utf-8")
    water = {g.slug: g for g in review(Builder(load_config(project)).build().site)}["water"]
    assert [(i.kind, i.url) for i in water.items] == [(OUTDATED, "articles/water/#p2")]
    html = review_html((water,), project, editing=True)
    assert 'data-kind="outdated"' in html and "the original changed after this translation" in html
