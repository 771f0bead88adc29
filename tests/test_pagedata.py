"""Page data computed in Python (digest.render.pagedata): what the templates only present."""

from __future__ import annotations

import json
import re

from helpers import FakeTranslator, write_project

from digest.build import Builder
from digest.config import load_config
from digest.render.pagedata import LanguageLink, language_links, page_data
from digest.translate.stage import PENDING, English

ARTICLE = "---\ntitle: خبر\ndate: 2026-11-01\nauthor: سارة\n---\nنص الخبر.\n"


def site_of(tmp_path, translator):
    write_project(tmp_path, {"content/news.md": ARTICLE})
    return Builder(load_config(tmp_path), translator=translator).build(write=False)


def pages_by_url(result):
    return {page.url: page for page in result.site.pages}


def test_a_translated_article_links_its_parallel_page_and_other_language(tmp_path):
    pages = pages_by_url(site_of(tmp_path, FakeTranslator()))
    assert language_links(pages["articles/news/en/"]) == (
        LanguageLink("articles/news/", None, "parallel"), LanguageLink("articles/news/ar/", "ar", "read_ar"))
    assert language_links(pages["en/"]) == (LanguageLink("", None, "bilingual"), LanguageLink("ar/", "ar", "read_ar"))


def test_a_pending_article_names_no_english_version(tmp_path):
    result = site_of(tmp_path, None)
    assert result.site.entries[0].english.provenance == PENDING
    pages = pages_by_url(result)
    assert language_links(pages["articles/news/ar/"]) == (LanguageLink("articles/news/", None, "parallel"),)
    assert all(link.lang != "en" for link in language_links(pages["articles/news/"]))


def test_json_ld_of_a_machine_translation_names_the_original_and_the_model(tmp_path):
    result = site_of(tmp_path, FakeTranslator())
    page = pages_by_url(result)["articles/news/en/"]
    ld = page_data(result.site, page, lambda target: "https://example.org/" + target)["json_ld"]
    assert ld["headline"] == "EN(خبر)" and ld["inLanguage"] == "en"
    assert ld["author"] == {"@type": "Person", "name": "سارة"}
    assert ld["translationOfWork"]["@id"] == "https://example.org/articles/news/ar/"
    assert ld["translator"]["name"] == "fake-ar-en" and ld["creativeWorkStatus"] == "machine translation"
    # The page carries exactly this, as the template only serializes it.
    html = result.files["articles/news/en/index.html"].decode()
    shown = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert shown["translationOfWork"]["headline"] == "خبر" and shown["url"].endswith("articles/news/en/")


def test_json_ld_of_the_original_has_no_translation_parts(tmp_path):
    result = site_of(tmp_path, FakeTranslator())
    page = pages_by_url(result)["articles/news/ar/"]
    ld = page_data(result.site, page, lambda target: target)["json_ld"]
    assert ld["headline"] == "خبر" and ld["inLanguage"] == "ar"
    assert "translationOfWork" not in ld and "translator" not in ld
    assert isinstance(result.site.entries[0].english, English)


def test_paired_blocks_give_each_row_both_sides_and_say_which_need_a_notice(tmp_path):
    from dataclasses import replace

    from digest.render.pagedata import paired_blocks

    class SecondFails(FakeTranslator):
        def translate(self, texts):
            return replace(super().translate(texts), failures={"فقرة ثانية.": "echoed the source"})

    write_project(tmp_path, {"content/news.md": "---\ntitle: خبر\n---\nفقرة أولى.\n\nفقرة ثانية.\n"})
    result = Builder(load_config(tmp_path), translator=SecondFails()).build(write=False)
    first, second = paired_blocks(result.site, result.site.entries[0])
    assert first.anchor == "p1" and first.source == "<p>فقرة أولى.</p>" and first.target == "<p>EN(فقرة أولى.)</p>"
    assert not first.notice and first.provenance.kind == "machine"
    # A failed row's English side is rendered as text of the original's language (right to
    # left: the Latin run is isolated), with the notice.
    assert second.provenance.kind == "failed" and second.notice
    assert second.target == '<p><bdi dir="ltr">EN</bdi>(فقرة ثانية.)</p>'
    html = result.files["articles/news/index.html"].decode()
    assert '<div class="pair" id="p2" data-provenance="failed">' in html and "side-failed" in html


def test_a_pending_parallel_page_has_no_paired_blocks(tmp_path):
    result = site_of(tmp_path, None)
    page = pages_by_url(result)["articles/news/"]
    assert "paired_blocks" not in page_data(result.site, page, lambda target: target)


def test_the_head_links_and_the_language_switch_are_made_for_the_page(tmp_path):
    from digest.render.pagedata import alternate_links, switch_links

    pages = pages_by_url(site_of(tmp_path, FakeTranslator()))
    page = pages["articles/news/en/"]
    assert alternate_links(page, lambda target: "https://x.org/" + target) == "".join(
        f'<link rel="alternate" hreflang="{lang}" href="https://x.org/{url}">\n' for lang, url in page.alternates)
    labels = {"parallel": "Side by side", "read_ar": "العربية & <more>"}
    assert switch_links(language_links(page), lambda target: "../" + target, labels.__getitem__) == (
        '        <a href="../articles/news/" rel="alternate">Side by side</a>\n'
        '        <a href="../articles/news/ar/" rel="alternate" hreflang="ar" lang="ar" dir="rtl">'
        'العربية &amp; &lt;more&gt;</a>\n')
