"""The parts of article pages made in Python (digest.render.fragments): their HTML, and the
same HTML through the ``_macros.html`` macros of the same names that themes may import."""

from __future__ import annotations

import dataclasses

from helpers import FakeTranslator, write_project

from digest.build import Builder
from digest.config import load_config
from digest.render.memo import FragmentMemo
from digest.render.pages import page_context
from digest.render.theme import load_theme
from digest.translate.provenance import NAMED, Name, Provenance

ARTICLE = "---\ntitle: خبر\ndate: 2026-11-01\nsource: وكالات\nauthor: قسم <الاقتصاد>\ntags: [اقتصاد, مياه]\n---\nنص الخبر.\n"
ECONOMY = "%D8%A7%D9%82%D8%AA%D8%B5%D8%A7%D8%AF"
WATER = "%D9%85%D9%8A%D8%A7%D9%87"


def renderer(tmp_path):
    """A function rendering a template source on the English page of a one-article site,
    with ``article`` and ``english`` (and any other value given) in its context."""
    write_project(tmp_path, {"content/news.md": ARTICLE})
    config = load_config(tmp_path)
    site = Builder(config, translator=FakeTranslator()).build(write=False).site
    page = next(p for p in site.pages if p.url == "articles/news/en/")
    theme = load_theme(config)
    entry = site.entries[0]

    def render(source: str, **values) -> str:
        context = {**page_context(site, page, theme, FragmentMemo()), "article": entry.article,
                   "english": entry.english, **values}
        return theme.env.from_string(source).render(context)

    return render, entry


def test_byline_names_the_source_in_english_where_known_and_escapes_the_rest(tmp_path):
    render, _ = renderer(tmp_path)
    assert render("{{ byline(article, 'en', english) }}") == (
        '<p class="byline" lang="en" dir="ltr">  <time datetime="2026-11-01T00:00:00+00:00">1 November 2026</time>'
        ' · Source: <span lang="en" dir="ltr">agencies</span> · Author: <span lang="ar" dir="rtl">قسم &lt;الاقتصاد&gt;</span></p>')
    arabic = render("{{ byline(article, 'ar') }}")
    assert arabic.startswith('<p class="byline" lang="ar" dir="rtl">  <time datetime="2026-11-01T00:00:00+00:00">')
    assert ' · المصدر: <span lang="ar" dir="rtl">وكالات</span>' in arabic


def test_tag_links_lead_to_the_tag_pages_of_the_reader_language(tmp_path):
    render, entry = renderer(tmp_path)
    english = dataclasses.replace(entry.english, tags=(Name("Economy & more", NAMED), None))
    assert render("{{ tag_links(article, 'en', english) }}", english=english) == (
        f'<ul class="tags" lang="en" dir="ltr">\n<li><a href="../../../en/tags/{ECONOMY}/"><bdi><span lang="en" dir="ltr">'
        f'Economy &amp; more</span></bdi></a></li><li><a href="../../../en/tags/{WATER}/"><bdi>'
        '<span lang="ar" dir="rtl">مياه</span></bdi></a></li></ul>\n')
    # Without the English: the original's tag pages, the tags as written.
    assert f'href="../../../tags/{ECONOMY}/"><bdi><span lang="ar" dir="rtl">اقتصاد</span>' in render(
        "{{ tag_links(article, 'en') }}")
    assert render("{{ tag_links(article, 'en') }}", article=dataclasses.replace(entry.article, tags=())) == ""


def test_provenance_and_block_notes(tmp_path):
    render, entry = renderer(tmp_path)
    machine = dataclasses.replace(entry.english, provenance=Provenance("machine", "m", "1.0"))
    assert render("{{ provenance(english, 'en', 'articles/news/ar/') }}", english=machine) == (
        '<p class="provenance provenance-machine" lang="en" dir="ltr" data-pagefind-ignore>Machine translation · '
        '<bdi dir="ltr">m 1.0</bdi> · <a href="../../../articles/news/ar/" hreflang="ar" rel="alternate">Read the original</a></p>')
    pending = dataclasses.replace(entry.english, provenance=Provenance("pending"))
    assert render("{{ provenance(english, 'en', 'x/', 'pending_beside') }}", english=pending) == (
        '<p class="provenance provenance-pending" lang="en" dir="ltr" data-pagefind-ignore>English translation coming soon.</p>')
    failed = Provenance("failed", "m", "1.0", note="too <short>", stale="old & new")
    assert render("{{ block_notice(prov, 'en', true) }}", prov=failed) == (
        '<p class="block-note block-note-failed" lang="en" dir="ltr" data-pagefind-ignore>'
        'Machine translation failed for this paragraph; the original is shown. (too &lt;short&gt;)</p>'
        '<p class="block-note block-note-stale" lang="en" dir="ltr" data-outdated data-pagefind-ignore>'
        + render("{{ t('outdated_original', 'en') }}") + '</p>'
        '<p class="block-note block-note-stale" lang="en" dir="ltr" data-pagefind-ignore>'
        + render("{{ t('stale_edit', 'en') }}") + ' <q lang="en" dir="ltr">old &amp; new</q></p>')
    changed = dataclasses.replace(entry.english, added=(0, 2), removed=(4,), unplaced=("a <b>",))
    assert render("{{ original_changes(english, 'en') }}", english=changed) == (
        '<aside class="block-note block-note-stale" lang="en" dir="ltr" data-outdated data-pagefind-ignore>\n'
        "<p>" + render("{{ t('original_added', 'en') }}") + " 1, 3</p>"
        "<p>" + render("{{ t('original_removed', 'en') }}") + " 5</p></aside>")
    assert render("{{ unplaced_edits(english, 'en') }}", english=changed).endswith(
        '<ul><li><q lang="en" dir="ltr">a &lt;b&gt;</q></li></ul>\n</aside>')
    assert render("{{ original_changes(english, 'en') }}{{ unplaced_edits(english, 'en') }}") == ""


def test_the_macros_of_the_same_names_give_the_same_html(tmp_path):
    render, entry = renderer(tmp_path)
    english = dataclasses.replace(entry.english, provenance=Provenance("post-edit", stale="x"), added=(1,),
                                  unplaced=("y",))
    calls = ["byline(article, 'en', english)", "byline(article, 'ar')", "tag_links(article, 'en', english)",
             "tag_links(article, 'ar')", "provenance(english, 'en', 'articles/news/ar/')", "outdated_note('en')",
             "block_notice(english.provenance, 'en', true)", "original_changes(english, 'en')",
             "unplaced_edits(english, 'en')"]
    names = "byline, tag_links, provenance, outdated_note, block_notice, original_changes, unplaced_edits"
    for call in calls:
        direct = render("{{ " + call + " }}", english=english)
        through_macro = render('{% from "_macros.html" import ' + names + " with context %}{{ " + call + " }}",
                               english=english)
        assert direct and through_macro == direct, call


def test_the_label_macro_kept_for_themes_that_import_it(tmp_path):
    render, _ = renderer(tmp_path)
    named = Name("Economy & more", NAMED)
    through_macro = "{% import '_macros.html' as m with context %}{{ m.label('اقتصاد', named, 'en') }}"
    assert render(through_macro, named=named) == '<span lang="en" dir="ltr">Economy &amp; more</span>'
    assert render(through_macro, named=None) == '<span lang="ar" dir="rtl">اقتصاد</span>'
    # The reader of the original reads it as written, whatever the English.
    assert render("{{ label('<اقتصاد>', named, 'ar') }}", named=named) == '<span lang="ar" dir="rtl">&lt;اقتصاد&gt;</span>'
