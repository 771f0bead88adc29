"""The default theme in a real browser: axe-core finds no violation, nothing overflows, the
first headline shows on a phone, and the two columns of the parallel page carry equal weight.

The sample site is served on 127.0.0.1 and opened in Debian's Chromium through Playwright;
axe-core comes from ``axe-playwright-python``. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from helpers import CHROMIUM, REPO, browser_marks, serving
from sitebuild import build_sample

from digest.render.search import executable

sync_api = pytest.importorskip("playwright.sync_api")
axe_api = pytest.importorskip("axe_playwright_python.sync_playwright")
pytestmark = browser_marks(240) + [
    pytest.mark.skipif(executable() is None, reason="no Pagefind binary"),
]
ARTIFACTS = REPO / "test-artifacts"
PAGES = {
    "home": "",
    "article-ar": "articles/port/ar/",
    "article-en": "articles/port/en/",
    "parallel": "articles/port/",
    "tag": f"tags/{quote('زراعة')}/",
    "search": f"ar/search/?q={quote('القمح')}",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("theme")
    out, _, reporter = build_sample(root, base_url="http://127.0.0.1/")
    assert not reporter.of("warning"), reporter.of("warning")
    with serving(out) as root:
        yield root


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()


def open_page(browser, url: str, width: int = 1280, scheme: str = "light"):
    tab = browser.new_page(viewport={"width": width, "height": 740})
    tab.emulate_media(color_scheme=scheme)
    failed = []
    tab.on("response", lambda r: r.status >= 400 and failed.append(r.url))
    tab.goto(url)
    if "/search/" in url:
        tab.wait_for_selector(".pagefind-ui__result-link", timeout=20_000)
    return tab, failed


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_violation(site, browser, name, scheme):
    tab, failed = open_page(browser, site + PAGES[name], scheme=scheme)
    results = axe_api.Axe().run(tab)
    tab.close()
    assert results.violations_count == 0, results.generate_report()
    assert not failed, f"requests that failed (a missing favicon, say): {failed}"


@pytest.mark.parametrize("width", [360, 768, 1280])
def test_no_horizontal_overflow(site, browser, width):
    ARTIFACTS.mkdir(exist_ok=True)
    for name, path in PAGES.items():
        tab, _ = open_page(browser, site + path, width)
        overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        tab.screenshot(path=ARTIFACTS / f"theme-{name}-{width}.png", full_page=True)
        tab.close()
        assert overflow <= 0, f"{name} at {width} px is {overflow} px too wide"


def test_first_headline_above_the_fold_on_a_phone(site, browser):
    tab, _ = open_page(browser, site, 360)
    header = tab.locator(".site-header").bounding_box()
    headline = tab.locator(".card-title").first.bounding_box()
    tab.close()
    assert header["height"] <= 120, header
    assert headline["y"] + headline["height"] <= 740, headline


def test_home_page_has_a_lead_story_with_a_summary(site, browser):
    tab, _ = open_page(browser, site)
    cards = tab.locator(".card")
    assert "card-lead" in cards.first.get_attribute("class")
    assert cards.first.locator(".card-summary").count() == 1
    lead = cards.first.locator(".card-title").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    other = cards.nth(1).locator(".card-title").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    tab.close()
    assert lead > other * 1.3


def line_box(tab, selector: str) -> tuple[float, float]:
    return tab.locator(selector).first.evaluate(
        "e => [parseFloat(getComputedStyle(e).lineHeight), parseFloat(getComputedStyle(e).fontSize)]")


def test_parallel_columns_carry_equal_weight(site, browser):
    tab, _ = open_page(browser, site + PAGES["parallel"])
    ar_line, ar_size = line_box(tab, "#p1 .side-source p")
    en_line, en_size = line_box(tab, "#p1 .side-target p")
    ar_head = tab.locator(".pair-title h1[lang=ar]").evaluate("e => getComputedStyle(e).lineHeight")
    tab.close()
    assert abs(ar_line - en_line) <= 0.15 * en_line, (ar_line, en_line)
    assert ar_size > en_size, "Naskh needs a larger size to look as large as the Latin serif"
    assert float(ar_head.rstrip("px")) < ar_line * 2, "headings have a tight line-height"


def test_print_hides_navigation_and_search(site, browser):
    tab, _ = open_page(browser, site + PAGES["article-ar"])
    tab.emulate_media(media="print")
    hidden = tab.evaluate("""() => ['.site-nav', '.quick-search', '.switcher', '.site-footer']
        .map(s => getComputedStyle(document.querySelector(s)).display)""")
    tab.close()
    assert hidden == ["none"] * 4


def test_search_ui_speaks_the_page_language(site, browser):
    tab, _ = open_page(browser, site + PAGES["search"], scheme="dark")
    text = tab.locator(".search").inner_text()
    placeholder = tab.locator(".pagefind-ui__search-input").get_attribute("placeholder")
    tab.close()
    assert "Summary" not in text and "summary" not in text
    assert "نتيجة واحدة" in text
    assert not any("a" <= c.lower() <= "z" for c in placeholder), placeholder


def fonts_of(tab, selector: str) -> set[str]:
    """The font families Chromium actually drew ``selector``'s text with."""
    cdp = tab.context.new_cdp_session(tab)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return {f["familyName"] for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]}


def test_latin_inside_arabic_uses_the_companion_font_and_the_nav_one_family_per_language(site, browser):
    tab, _ = open_page(browser, site + PAGES["article-ar"])
    stack = tab.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--font-ar')")
    tab.evaluate("""() => { const p = document.createElement('p'); p.id = 'mixed';
        p.textContent = 'قال الروائي Paulo Coelho عام 2026 إن الكتاب يبقى.';
        document.querySelector('.body').append(p); }""")
    mixed = fonts_of(tab, "#mixed")
    arabic_nav = fonts_of(tab, ".site-nav a:not([lang])")
    english_nav = fonts_of(tab, '.site-nav a[lang="en"]')
    tab.close()
    if "Noto Naskh Arabic" not in mixed:
        pytest.skip(f"Noto Naskh Arabic is not installed (drawn with {mixed})")
    assert not any("DejaVu" in f for f in mixed), mixed
    assert all(f'"{f}"' in stack for f in mixed), (mixed, stack)
    assert len(arabic_nav) == 1 and len(english_nav) == 1 and arabic_nav != english_nav, (arabic_nav, english_nav)
