"""Pages with low-confidence and out-of-date paragraphs stay valid HTML that axe-core accepts,
in light and dark, in Debian's Chromium."""

from __future__ import annotations

import os

import html5lib
import pytest
from helpers import CHROMIUM, serving, write_project

from digest.build import Builder
from digest.config import load_config
from digest.events import RecordingReporter
from digest.translate.result import TranslationResult

pytestmark = [pytest.mark.slow]

ARTICLES = {
    "content/2026-11-01-wheat.md": "---\ntitle: موسم الحصاد\ndate: 2026-11-01\n---\n"
        "بدأ المزارعون الحصاد.\n\nالمحصول وفير هذا العام.\n\n- بند أول\n- بند ثان\n",
    "content/2026-11-02-plant.md": "---\ntitle: افتتاح محطة\ndate: 2026-11-02\n---\nالفقرة الأولى.\n\nالفقرة الثانية.\n",
    "content/2026-11-02-plant.en.md": "---\ntitle: A plant opens\n---\nThe first paragraph.\n\nThe second paragraph.\n",
    "digest.toml": "[site]\nsearch = false\nbase_url = \"http://127.0.0.1/\"\n[translation]\nreview_below = -1.0\n",
}
ENGLISH = {"موسم الحصاد": ("The harvest season", -0.2), "بدأ المزارعون الحصاد.": ("Farmers began the harvest.", -0.3),
           "المحصول وفير هذا العام.": ("The crop is plentiful this year.", -2.5),
           "بند أول": ("A first item", -1.7), "بند ثان": ("A second item", -0.1)}


class Scored:
    """Known English with a fixed score per text (the real scores come from the model)."""

    name, version = "scored", "1"

    def translate(self, texts):
        return TranslationResult(tuple(ENGLISH[t][0] for t in texts),
                                 scores={t: (ENGLISH[t][1],) for t in texts})


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    root = write_project(tmp_path_factory.mktemp("marks"), dict(ARTICLES))
    Builder(load_config(root), RecordingReporter(), Scored()).build()
    arabic = root / "content/2026-11-02-plant.md"
    arabic.write_text(arabic.read_text(encoding="utf-8").replace("الفقرة الثانية.", "الفقرة الثانية وقد تغيرت.\n\nجديدة."),
                      encoding="utf-8")
    Builder(load_config(root), RecordingReporter(), Scored()).build()
    return root / "site"


PAGES = ["articles/wheat/en/", "articles/wheat/", "articles/plant/en/", "articles/plant/"]


def test_the_marked_pages_carry_the_marks_and_parse_without_errors(out):
    wheat_en = (out / "articles/wheat/en/index.html").read_text(encoding="utf-8")
    assert '<p data-review data-score="-2.500">The crop is plentiful this year.</p>' in wheat_en
    assert '<li data-review data-score="-1.700">A first item</li>' in wheat_en
    assert '<p data-score="-0.300">Farmers began the harvest.</p>' in wheat_en
    plant = (out / "articles/plant/index.html").read_text(encoding="utf-8")
    assert "<p data-outdated>The second paragraph.</p>" in plant and "not translated yet: 3" in plant
    parser = html5lib.HTMLParser(strict=True)
    for page in PAGES:
        parser.parse((out / page / "index.html").read_bytes())


@pytest.mark.browser
@pytest.mark.timeout(240)
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}")
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_marked_pages(out, scheme):
    sync_api = pytest.importorskip("playwright.sync_api")
    axe_api = pytest.importorskip("axe_playwright_python.sync_playwright")
    with serving(out) as root:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            for page in PAGES:
                tab = browser.new_page(viewport={"width": 1280, "height": 740})
                tab.emulate_media(color_scheme=scheme)
                tab.goto(f"{root}{page}")
                results = axe_api.Axe().run(tab)
                tab.close()
                assert results.violations_count == 0, (page, results.generate_report())
            browser.close()
