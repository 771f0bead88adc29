"""Search in a real browser: the built site served on 127.0.0.1, queried through the UI.

Needs Chromium (``/usr/bin/chromium`` or ``DIGEST_CHROMIUM``) and Playwright's Python
package; skipped when either is missing. Playwright's own browsers are not used.
"""

import json

import pytest
from helpers import CHROMIUM, browser_marks, serving
from sitebuild import build_sample

from digest.render.search import executable
from digest.text import fold_arabic

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = browser_marks(240) + [pytest.mark.skipif(executable() is None, reason="no Pagefind binary")]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The sample site under a sub-path, as a static host would serve it, its index in two
    shards: October (harvest) and November (the others)."""
    root = tmp_path_factory.mktemp("search")
    out, result, reporter = build_sample(root, base_url="http://127.0.0.1/digest/", search_shard_articles=1)
    assert not reporter.of("warning"), reporter.of("warning")
    assert json.loads((out / "pagefind/shards.json").read_bytes()) == {"shards": ["2026-11", "2026-10"]}
    docroot = root / "www"
    docroot.mkdir()
    (docroot / "digest").symlink_to(out, target_is_directory=True)
    with serving(docroot) as root:
        yield f"{root}digest/"


@pytest.fixture(scope="module")
def page(served):
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        tab = browser.new_page()
        yield tab
        browser.close()


def search(page, base, lang, term):
    """Type ``term`` into the search UI of the ``lang`` search page; return result links."""
    page.goto(f"{base}{lang}/search/")
    box = page.locator(".pagefind-ui__search-input")
    box.fill(term)
    # Done when the count message replaced "Searching for ..." and every result has its link.
    page.wait_for_function("""() => {
        const message = document.querySelector('.pagefind-ui__message');
        const results = document.querySelectorAll('.pagefind-ui__result').length;
        const links = document.querySelectorAll('.pagefind-ui__result-link').length;
        const text = message ? message.textContent.trim() : '';
        return text && !text.endsWith('...') && results === links
            && !document.querySelector('.pagefind-ui__loading');
    }""", timeout=15_000)
    return [a.get_attribute("href") for a in page.locator(".pagefind-ui__result-link").all()]


def test_arabic_word_finds_the_arabic_article(page, served):
    assert search(page, served, "ar", "القمح") == ["/digest/articles/harvest/ar/"]
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator(".pagefind-ui__search-input").evaluate("e => getComputedStyle(e).direction") == "rtl"


def test_articles_are_found_in_the_old_shard_and_the_new_one_in_one_search(page, served):
    # وسط is in harvest (October's shard); في in harvest and the November articles.
    assert search(page, served, "ar", "وسط") == ["/digest/articles/harvest/ar/"]
    assert search(page, served, "ar", "عن") == ["/digest/articles/port/ar/"]
    found = search(page, served, "ar", "في")
    assert "/digest/articles/harvest/ar/" in found and "/digest/articles/library/ar/" in found
    english = search(page, served, "en", "the")
    assert "/digest/articles/harvest/en/" in english and "/digest/articles/port/en/" in english
    assert all(href.endswith("/en/") for href in english)


def test_english_word_finds_the_english_article(page, served):
    assert search(page, served, "en", "wheat") == ["/digest/articles/harvest/en/"]
    assert search(page, served, "en", "container") == ["/digest/articles/port/en/"]
    assert search(page, served, "en", "القمح") == []


@pytest.mark.parametrize("term, slug", [
    ("مكتبة", "library"),      # text has مكتبةً: tanween dropped
    ("المصورة", "library"),    # text has المصوّرة: shadda dropped
    ("اعلنت", "port"),         # text has أعلنت
    ("التاهب", "rain"),        # text has التأهب
    ("الأمطار", "rain"),       # text has أمطار
    ("القري", "rain"),         # text has القرى
    ("المدي", "rain"),         # text has المدى
    ("مكتبه", "library"),      # ة / ه
])
def test_arabic_spelling_variants_match(page, served, term, slug):
    assert f"/digest/articles/{slug}/ar/" in search(page, served, "ar", term)


def test_result_titles_keep_the_original_spelling(page, served):
    search(page, served, "ar", "مكتبة")
    assert page.locator(".pagefind-ui__result-link").first.text_content() == \
        "مكتبة جديدة للأطفال في المدينة القديمة"


def test_query_folding_matches_the_index_folding(page, served):
    page.goto(f"{served}ar/search/")
    for text in ("أإآٱ", "مكتبةً", "المصوّرة", "القرى", "ـــالـــ"):
        assert page.evaluate("t => window.digestFoldArabic(t)", text) == fold_arabic(text)


def test_header_search_form_leads_to_results(page, served):
    page.goto(f"{served}articles/library/en/")
    page.fill("#quick-search-q", "library")
    page.press("#quick-search-q", "Enter")
    page.wait_for_url("**/en/search/?q=library")
    page.wait_for_selector('.pagefind-ui__result-link[href="/digest/articles/library/en/"]', timeout=15_000)
    assert page.locator(".pagefind-ui__search-input").input_value() == "library"


def test_result_excerpts_keep_the_original_spelling_with_the_match_marked(page, served):
    search(page, served, "ar", "اعلنت")  # the text has أعلنت
    excerpt = page.locator(".pagefind-ui__result-excerpt").first
    assert excerpt.locator("mark").first.text_content().startswith("أعلنت")
    assert "اعلنت" not in excerpt.text_content()
