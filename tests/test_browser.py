"""digest serve in headless Chromium: directions, live reload on edit, the error overlay.

Uses Debian's Chromium through Playwright's ``executable_path`` (Playwright's own browsers
are never downloaded). Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import threading

import pytest
from helpers import CHROMIUM, REPO, FakeTranslator, browser_marks, write_project

from digest.config import load_config
from digest.serve.preview import start_serving
from digest.serve.project import Project

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = browser_marks(90)
ARTIFACTS = REPO / "test-artifacts"


def article(body: str, title: str = "محطة تحلية جديدة") -> str:
    return f"---\ntitle: {title}\ndate: 2026-11-20\ntags: [مياه]\n---\n{body}\n"


@pytest.fixture
def served(tmp_path):
    """A project served with live reload and watched, as ``digest serve`` runs it."""
    write_project(tmp_path, {"content/2026-11-20-plant.md": article("افتتحت المحطة اليوم.")})
    project = Project(load_config(tmp_path), translator=FakeTranslator())
    preview, watcher = start_serving(project, "127.0.0.1", 0)
    loop = threading.Thread(target=watcher.run, daemon=True)
    loop.start()
    yield preview.url, tmp_path / "content/2026-11-20-plant.md", preview
    watcher.stop()
    loop.join(5)
    preview.close()


@pytest.fixture
def tab():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1000, "height": 800})
        yield page
        browser.close()


def direction(page, selector: str) -> str:
    return page.eval_on_selector(selector, "el => getComputedStyle(el).direction")


def test_edit_reload_break_overlay_fix(served, tab):
    url, source, _ = served
    ARTIFACTS.mkdir(exist_ok=True)
    tab.goto(url + "articles/plant/")
    assert direction(tab, "#p1 .side-source") == "rtl"
    assert direction(tab, "#p1 .side-target") == "ltr"
    assert "افتتحت المحطة اليوم." in tab.inner_text("#p1 .side-source")
    tab.screenshot(path=ARTIFACTS / "live-1-opened.png")

    tab.evaluate("window.notReloaded = true")
    source.write_text(article("بدأت المحطة ضخ المياه."), encoding="utf-8")
    tab.wait_for_function("document.body.innerText.includes('بدأت المحطة ضخ المياه.')", timeout=15000)
    assert tab.evaluate("window.notReloaded") is None, "the page changed without a reload"
    tab.screenshot(path=ARTIFACTS / "live-2-reloaded.png")

    source.write_text("---\ntitle: [محطة\ndate: 2026-11-20\n---\nنص مكسور.\n", encoding="utf-8")
    overlay = tab.wait_for_selector("#digest-errors", timeout=15000)
    text = overlay.inner_text()
    assert "2026-11-20-plant.md" in text and "line" in text and "YAML" in text
    assert "بدأت المحطة ضخ المياه." in tab.inner_text("#p1 .side-source"), "the last good page stays"
    tab.screenshot(path=ARTIFACTS / "live-3-overlay.png")

    source.write_text(article("عادت المحطة إلى العمل."), encoding="utf-8")
    tab.wait_for_function("document.body.innerText.includes('عادت المحطة إلى العمل.')", timeout=15000)
    assert tab.query_selector("#digest-errors") is None
    tab.screenshot(path=ARTIFACTS / "live-4-fixed.png")


def built(preview, page, text: str) -> None:
    """Wait until a finished rebuild has written ``text`` into ``page``."""
    state = preview.state()
    for _ in range(60):
        with preview.reading():  # no rebuild runs meanwhile: what is on disk is finished
            if page.is_file() and text in page.read_text(encoding="utf-8"):
                return
        state = preview.wait(state["build"], 0.5)
    raise AssertionError(f"no rebuild wrote {text!r} into {page}")


def test_hidden_tab_stops_polling_until_shown(served, tab):
    url, source, preview = served
    polls = []
    tab.on("request", lambda request: "/__digest__/wait" in request.url and polls.append(request.url))
    tab.goto(url + "articles/plant/ar/")
    tab.evaluate("""() => {
        window.notReloaded = true;
        Object.defineProperty(document, "hidden", {configurable: true, get: () => true});
    }""")
    # A failed build (a broken digest.toml) answers the request already waiting; the page
    # shows the overlay without reloading, then the hidden tab stops asking.
    config = source.parent.parent / "digest.toml"
    config.write_text("[site\n", encoding="utf-8")
    tab.wait_for_selector("#digest-errors", timeout=15000)
    assert "digest.toml" in tab.inner_text("#digest-errors")
    config.unlink()
    asked = len(polls)  # the first request, answered by the failed build: no new one since
    source.write_text(article("نص لا يظهر قبل عودة التبويب."), encoding="utf-8")
    built(preview, preview.folder / "articles/plant/ar/index.html", "نص لا يظهر قبل عودة التبويب.")
    # A visible tab would have been asking all along and reloaded as soon as that build
    # finished; the hidden one sent no request since the overlay and did not reload.
    assert tab.evaluate("window.notReloaded") is True
    assert len(polls) == asked == 1, polls
    tab.evaluate("""() => {
        Object.defineProperty(document, "hidden", {configurable: true, get: () => false});
        document.dispatchEvent(new Event("visibilitychange"));
    }""")
    tab.wait_for_function("document.body.innerText.includes('نص لا يظهر قبل عودة التبويب.')", timeout=15000)
    assert tab.evaluate("window.notReloaded") is None
