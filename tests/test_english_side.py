"""The English side in English (issue 13, part B): agency and tag names, English listings,
archive links in one calendar, and notices written for readers."""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from helpers import FakeTranslator, write_project
from modelkit import argos_home, argosmodel  # noqa: F401  (fixtures)

from digest.build import Builder
from digest.config import load_config
from digest.content.articles import slugify
from digest.errors import ConfigError
from digest.events import RecordingReporter
from digest.translate.names import AGENCIES, known_name, source_parts
from digest.translate.result import TranslationResult

ARABIC = re.compile("[\u0600-\u06ff]")

ARTICLES = {
    "content/2026-11-20-port.md": "---\ntitle: توسعة الميناء التجاري\ndate: 2026-11-20\ntags: [اقتصاد, طقس]\n"
                                  "source: رويترز\nauthor: قسم الاقتصاد\n---\nأعلنت هيئة الموانئ عن توسعة الميناء.\n",
    "content/2026-11-10-rain.md": "---\ntitle: أمطار غزيرة على الساحل\ndate: 2026-11-10\ntags: [طقس]\n"
                                  "source: أ ف ب\n---\nهطلت أمطار غزيرة على القرى الساحلية.\n",
    "content/2026-10-05-harvest.txt": "حصاد القمح يبدأ\n2026-10-05\nبدأ المزارعون حصاد القمح.\nوكالات\n",
    "content/2026-10-06-mixed.md": "---\ntitle: خبر من مصدرين\ndate: 2026-10-06\nsource: رويترز + الجزيرة\n---\nنص.\n",
    "content/2026-10-07-yemen.md": "---\ntitle: خبر من صنعاء\ndate: 2026-10-07\nsource: وكالة سبأ\n---\nنص آخر.\n",
    "content/2026-10-08-local.md": "---\ntitle: خبر محلي\ndate: 2026-10-08\nsource: صحيفة محلية\n---\nنص ثالث.\n",
    "content/glossary.toml": '[terms]\n"اقتصاد" = "Economy"\n\n[names]\n"وكالة سبأ" = "Saba News Agency"\n',
}


class LatinTranslator(FakeTranslator):
    """Like :class:`FakeTranslator`, but its English has no Arabic letter in it, so a page
    can be searched for Arabic the translation did not put there."""

    def translate(self, texts):
        self.calls.append(list(texts))
        return TranslationResult.plain([latin(t) for t in texts])


def latin(text: str) -> str:
    return "Text " + hashlib.sha256(text.encode()).hexdigest()[:8]


class Visible(HTMLParser):
    """The text a reader sees in ``<body>``, leaving out elements marked ``lang="ar"``
    (the original shown on purpose, the language switcher) and scripts."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: is its text hidden from the check
        self.in_body = False
        self.parts: list[str] = []
        self.feed(html)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.in_body = True
        if tag in self.VOID:
            return
        hidden = bool(self.stack and self.stack[-1]) or dict(attrs).get("lang") == "ar" or tag in ("script", "style")
        self.stack.append(hidden)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.in_body and not (self.stack and self.stack[-1]):
            self.parts.append(data)


def english_pages(out: Path) -> dict[str, str]:
    pages = {}
    for path in out.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        if '<html lang="en"' in html:
            pages[path.relative_to(out).as_posix()] = html
    return pages


def build(root: Path, translator) -> tuple[Path, object, RecordingReporter]:
    write_project(root, dict(ARTICLES))
    reporter = RecordingReporter()
    result = Builder(load_config(root, {"site": {"page_size": 20}}), reporter, translator).build()
    return root / "site", result, reporter


@pytest.fixture(scope="module")
def fake(tmp_path_factory):
    translator = FakeTranslator()
    return (*build(tmp_path_factory.mktemp("fake"), translator), translator)


@pytest.fixture(scope="module")
def pending(tmp_path_factory):
    return build(tmp_path_factory.mktemp("pending"), None)


@pytest.fixture(scope="module")
def translated(tmp_path_factory):
    return build(tmp_path_factory.mktemp("latin"), LatinTranslator())


def test_the_agency_table_knows_spellings_and_splits_several_sources():
    assert known_name("رويترز", AGENCIES) == "Reuters"
    assert known_name("أ.ف.ب", AGENCIES) == known_name("ا ف ب", AGENCIES) == "AFP"
    assert known_name("وكالة الأناضول", AGENCIES) == "Anadolu"
    assert known_name("وكالات", AGENCIES) == "agencies"
    assert known_name("BBC", AGENCIES) == "BBC"
    assert known_name("صحيفة محلية", AGENCIES) is None
    assert source_parts("رويترز + الجزيرة", AGENCIES) == ["رويترز", "الجزيرة"]
    assert source_parts("رويترز ووكالات", AGENCIES) == ["رويترز", "وكالات"]
    # An unknown name keeps its "و": it may be a letter of the name itself.
    assert source_parts("هيئة الإذاعة والتلفزيون", AGENCIES) == ["هيئة الإذاعة والتلفزيون"]


@pytest.mark.parametrize("which", ["fake", "pending"])
def test_english_pages_name_known_agencies_in_english(which, request):
    out = request.getfixturevalue(which)[0]
    port = (out / "articles/port/en/index.html").read_text(encoding="utf-8")
    assert "Source: <span lang=\"en\" dir=\"ltr\">Reuters</span>" in port and "رويترز" not in port
    rain = (out / "articles/rain/en/index.html").read_text(encoding="utf-8")
    assert ">AFP</span>" in rain and "أ ف ب" not in rain
    assert ">agencies</span>" in (out / "articles/harvest/en/index.html").read_text(encoding="utf-8")
    assert ">Reuters, Al Jazeera</span>" in (out / "articles/mixed/en/index.html").read_text(encoding="utf-8")
    # The glossary's [names] table adds a name the built-in table does not know.
    assert ">Saba News Agency</span>" in (out / "articles/yemen/en/index.html").read_text(encoding="utf-8")
    english_index = (out / "en/index.html").read_text(encoding="utf-8")
    assert "رويترز" not in english_index and "Reuters" in english_index
    # Arabic pages keep the Arabic name.
    assert "رويترز" in (out / "articles/port/ar/index.html").read_text(encoding="utf-8")


def test_an_unknown_source_goes_to_the_machine_and_waits_in_arabic_without_one(fake, pending):
    out, _, _, translator = fake
    assert len(translator.calls) == 1 and "صحيفة محلية" in translator.calls[0]
    assert ">EN(صحيفة محلية)</span>" in (out / "articles/local/en/index.html").read_text(encoding="utf-8")
    waiting = (pending[0] / "articles/local/en/index.html").read_text(encoding="utf-8")
    assert '<span lang="ar" dir="rtl">صحيفة محلية</span>' in waiting


def test_tags_are_translated_glossary_first_then_machine_with_english_pages_under_en(fake):
    out, result, _, translator = fake
    (call,) = translator.calls
    assert "طقس" in call and "اقتصاد" not in call  # the glossary answered it
    assert call.count("طقس") == 1  # two articles, one text
    economy, weather = slugify("اقتصاد"), slugify("طقس")
    for slug, name in ((economy, "Economy"), (weather, "EN(طقس)")):
        arabic = (out / f"tags/{slug}/index.html").read_text(encoding="utf-8")
        english = (out / f"en/tags/{slug}/index.html").read_text(encoding="utf-8")
        assert f"<h1>Tag: <bdi>{name}</bdi></h1>" in english and '<html lang="en"' in english
        for page in (arabic, english):
            base = result.site.config.site.base_url
            assert f'hreflang="en" href="{base}en/tags/{quote(slug)}/"' in page
            assert f'hreflang="ar" href="{base}tags/{quote(slug)}/"' in page
    tags = {t.slug: t for t in result.site.tags}
    assert tags[economy].english.provenance.kind == "glossary"
    machine = tags[weather].english.provenance
    assert (machine.kind, machine.model, machine.version) == ("machine", "fake-ar-en", "9.9")
    listing = (out / "en/tags/index.html").read_text(encoding="utf-8")
    assert f'href="../../en/tags/{quote(economy)}/"' in listing and "<bdi>Economy</bdi>" in listing and "<bdi>EN(طقس)</bdi>" in listing
    # /tags/ (the x-default) names each tag in both languages, the English linking to its page.
    both = (out / "tags/index.html").read_text(encoding="utf-8")
    assert f'<a href="../en/tags/{quote(economy)}/" hreflang="en" lang="en" dir="ltr">Economy</a>' in both
    article = (out / "articles/port/en/index.html").read_text(encoding="utf-8")
    assert f'href="../../../en/tags/{quote(economy)}/"' in article and ">Economy</span>" in article
    assert "/en/tags/" not in (out / "articles/port/ar/index.html").read_text(encoding="utf-8")


def test_a_tag_waits_in_arabic_on_english_pages_until_translated(pending):
    out = pending[0]
    weather = slugify("طقس")
    english = (out / f"en/tags/{weather}/index.html").read_text(encoding="utf-8")
    assert '<bdi lang="ar" dir="rtl">طقس</bdi>' in english
    # The glossary needs no machine.
    assert "<bdi>Economy</bdi>" in (out / f"en/tags/{slugify('اقتصاد')}/index.html").read_text(encoding="utf-8")


def test_the_english_index_lists_english_headlines_and_marks_pending_ones(fake, pending):
    listed = (fake[0] / "en/index.html").read_text(encoding="utf-8")
    assert '<h2 class="card-title" lang="en" dir="ltr">' in listed and "EN(توسعة الميناء التجاري)</a>" in listed
    assert "coming soon" not in listed
    waiting = (pending[0] / "en/index.html").read_text(encoding="utf-8")
    # Pending articles stay listed under their Arabic title, marked, so /en/ page N and /ar/
    # page N list the same articles.
    assert waiting.count("English translation coming soon") == len(ARTICLES) - 1
    assert '<h2 class="card-title" lang="ar" dir="rtl">' in waiting


@pytest.mark.parametrize("which", ["translated", "pending"])
def test_english_pages_show_no_arabic_outside_arabic_elements(which, request):
    out = request.getfixturevalue(which)[0]
    pages = english_pages(out)
    assert {"en/index.html", "en/tags/index.html", "en/archive/index.html", "articles/port/en/index.html",
            f"en/tags/{slugify('طقس')}/index.html", "en/archive/2026/11/index.html"} <= set(pages)
    for path, html in pages.items():
        text = Visible(html).text
        assert not ARABIC.search(text), (path, ARABIC.findall(text)[:10], text[:300])


def test_archive_links_carry_one_calendar_each(fake):
    out = fake[0]
    arabic = (out / "archive/index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="[^"]*archive/2026/11/">([^<]*)</a>', arabic)
    assert links == ["نوفمبر 2026 م"]
    assert re.search(r'<span class="secondary">[^<]*هـ</span>', arabic)  # the Hijri months, under it
    english = (out / "en/archive/index.html").read_text(encoding="utf-8")
    assert re.findall(r'<a href="[^"]*2026/11/">([^<]*)</a>', english) == ["November 2026"]
    assert re.findall(r'<a href="[^"]*2026/10/">([^<]*)</a>', english) == ["October 2026"]
    assert "secondary" not in english
    month = (out / "en/archive/2026/11/index.html").read_text(encoding="utf-8")
    assert "<h1>Archive: November 2026</h1>" in month and 'hreflang="ar"' in month


@pytest.mark.parametrize("which", ["fake", "pending"])
def test_no_page_talks_to_readers_about_models(which, request):
    out = request.getfixturevalue(which)[0]
    for path in out.rglob("*.html"):
        text = Visible(path.read_text(encoding="utf-8")).text  # lang="ar" text left out
        assert "model" not in text.lower(), path
        assert "نموذج" not in path.read_text(encoding="utf-8"), path


def test_the_build_log_still_tells_the_operator(tmp_path, argos_home):
    write_project(tmp_path, {"content/2026-11-01-a.md": "---\ntitle: عنوان\n---\nنص.\n"})
    reporter = RecordingReporter()
    Builder(load_config(tmp_path), reporter).build()  # no package in this Argos home
    (warning,) = reporter.of("warning")
    assert "no ar->en translation model is installed" in warning
    assert "model" not in Visible((tmp_path / "site/articles/a/en/index.html").read_text(encoding="utf-8")).text


def test_a_bad_names_table_is_reported_with_every_problem(tmp_path):
    write_project(tmp_path, {"content/a.md": "---\ntitle: عنوان\nsource: سبأ\n---\nنص.\n",
                             "content/glossary.toml": '[names]\n"سبأ" = 3\n"واس" = ""\n[people]\n'})
    with pytest.raises(ConfigError) as caught:
        Builder(load_config(tmp_path), translator=None).build()
    assert caught.value.problems == ["people: unknown table (the glossary has a [terms] and a [names] table)",
                                     "names.'سبأ': expected a non-empty English string, got 3",
                                     "names.'واس': expected a non-empty English string, got ''"]
    assert not (tmp_path / "site").exists()


@pytest.mark.slow
def test_tag_names_share_the_engines_cache_and_survive_a_prune(tmp_path, argosmodel, argos_home):
    from modelkit import digest_cli

    from digest.translate.packages import install_file

    install_file(argosmodel)
    write_project(tmp_path, {
        "content/2026-11-01-a.md": "---\ntitle: عنوان الخبر\ntags: [طقس, اقتصاد]\nsource: صحيفة محلية\n---\nنص الخبر.\n",
        "content/glossary.toml": '[terms]\n"اقتصاد" = "Economy"\n',
        "digest.toml": "[translation]\nmax_decoding_length = 8\ninter_threads = 1\nintra_threads = 1\nbeam_size = 1\n"})
    first = Builder(load_config(tmp_path), RecordingReporter())
    first.build()
    engine = first.translator
    # Title, paragraph, one tag and the unknown source: the glossary named the other tag.
    assert engine.calls >= 1 and engine.stats.unique == 4
    pruned = digest_cli("cache", "prune", "--project", str(tmp_path), env=argos_home)
    assert pruned.returncode == 0 and "pruned 0 entries" in pruned.stdout, pruned.stdout + pruned.stderr
    again = Builder(load_config(tmp_path), RecordingReporter())
    result = again.build()
    assert again.translator.calls == 0 and again.translator.stats.hits == 4
    weather = {t.slug: t for t in result.site.tags}[slugify("طقس")]
    if weather.english is not None:  # the random model's output may be rejected: then it waits in Arabic
        assert weather.english.provenance.model == "argos-ar-en"
