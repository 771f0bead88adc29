"""The editor's desk end to end: a real ``digest serve`` with the fixture model, Chromium through
Playwright. An English paragraph is edited in place with the keyboard, shows on the page marked
post-edited, is found in name.edits.toml beside the comment that was there, and is undone; the
review page lists what needs an eye and links to its paragraph."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import threading
import time

import pytest
from helpers import CHROMIUM, REPO, browser_marks, write_project
from modelkit import argos_home, argosmodel  # noqa: F401  (fixtures)

from digest.translate.packages import install_file

sync_api = pytest.importorskip("playwright.sync_api")
axe_api = pytest.importorskip("axe_playwright_python.sync_playwright")
pytestmark = browser_marks(240)
ARTIFACTS = REPO / "test-artifacts"
EDITS = "content/2026-11-01-oil.edits.toml"
FILES = {
    "content/2026-11-01-oil.md": "---\ntitle: ارتفاع أسعار النفط\ndate: 2026-11-01\n---\n"
        "ارتفعت أسعار النفط في الأسواق العالمية.\n\nتراجع المخزون في الموانئ الكبرى.\n\n"
        "افتتح معرض الكتاب أبوابه أمام الزوار.\n",
    EDITS: "# Checked by the night desk; keep this note.\n[[edit]]\n"
        'arabic = "نص حذف من المقال منذ زمن طويل."\nenglish = "A paragraph long gone."\n',
    "digest.toml": '[site]\nsearch = false\n\n[translation]\nmax_decoding_length = 12\ninter_threads = 1\n'
        "intra_threads = 1\nbeam_size = 2\n",
}


@pytest.fixture
def served(tmp_path, argosmodel, argos_home):
    install_file(argosmodel)
    project = write_project(tmp_path / "project", FILES)
    process = subprocess.Popen([sys.executable, "-m", "digest", "serve", "--port", "0"], cwd=project, text=True,
                               env=argos_home | {"PYTHONPATH": str(REPO)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    url, deadline = None, time.monotonic() + 90
    while url is None and time.monotonic() < deadline:
        try:
            found = re.search(r"serving .* at (http://\S+) ", lines.get(timeout=1))
        except queue.Empty:
            assert process.poll() is None, process.stderr.read()
            continue
        url = found and found.group(1)
    assert url, "serve never said where it serves"
    yield url, project
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=30)


@pytest.fixture
def tab():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser.new_page(viewport={"width": 1100, "height": 900})
        browser.close()


def test_edit_a_paragraph_in_place_see_it_find_it_in_the_edits_file_and_undo_it(served, tab):
    url, project = served
    ARTIFACTS.mkdir(exist_ok=True)
    tab.goto(url + "articles/oil/")
    machine = tab.inner_text("#p2 .side-target")
    assert tab.get_attribute("#p2", "data-provenance") in ("machine", "failed")

    # Keyboard only: Tab reaches the paragraph, Enter opens the editor, Ctrl+Enter saves.
    tab.focus("#p1 .side-target")
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.closest('.pair').id") == "p2"
    tab.keyboard.press("Enter")
    area = tab.wait_for_selector("#p2 .digest-desk-editor textarea")
    assert area.get_attribute("dir") == "ltr" and tab.evaluate("document.activeElement.tagName") == "TEXTAREA"
    assert tab.eval_on_selector("#p2 .digest-desk-editor textarea", "el => getComputedStyle(el).direction") == "ltr"
    tab.keyboard.press("Control+A")
    tab.keyboard.type("Stocks fell at the big ports.")
    tab.screenshot(path=ARTIFACTS / "desk-1-editing.png")
    results = axe_api.Axe().run(tab)
    assert results.violations_count == 0, results.generate_report()
    started = time.monotonic()
    tab.keyboard.press("Control+Enter")
    tab.wait_for_selector('#p2[data-provenance="post-edit"]', timeout=20_000)
    shown = time.monotonic() - started
    assert "Stocks fell at the big ports." in tab.inner_text("#p2 .side-target")
    assert tab.query_selector("#p2 .block-note-edit") is not None  # marked post-edited
    # The reloaded page is matched while it parses; its script gives focus back once the DOM is
    # whole (DOMContentLoaded), a moment later: waited for, not sampled.
    tab.wait_for_function("document.readyState !== 'loading'")
    focused = "document.activeElement.closest('.pair') && document.activeElement.closest('.pair').id"
    try:
        tab.wait_for_function(f"({focused}) === 'p2'", timeout=5_000)
    except sync_api.TimeoutError:
        pass
    assert tab.evaluate(focused) == "p2", "focus comes back to the edited paragraph"
    tab.screenshot(path=ARTIFACTS / "desk-2-saved.png")
    text = (project / EDITS).read_text(encoding="utf-8")
    assert text.startswith("# Checked by the night desk; keep this note.\n")
    assert 'english = "A paragraph long gone."' in text
    assert 'arabic = "تراجع المخزون في الموانئ الكبرى."\nenglish = "Stocks fell at the big ports."' in text
    print(f"save to post-edit shown: {shown:.2f} s")

    # Undo from the same editor: the machine text comes back, the entry goes, the note stays.
    tab.click("#p2 .side-target")
    tab.click("#p2 .digest-desk-undo")
    tab.wait_for_selector('#p2:not([data-provenance="post-edit"])', timeout=20_000)
    assert tab.inner_text("#p2 .side-target") == machine
    text = (project / EDITS).read_text(encoding="utf-8")
    assert "Stocks fell" not in text and text.startswith("# Checked by the night desk; keep this note.\n")
    assert 'english = "A paragraph long gone."' in text


def test_the_review_page_lists_items_links_to_their_paragraph_and_is_never_written(served, tab):
    url, project = served
    tab.goto(url + "__digest__/review/")
    item = tab.wait_for_selector('.review-item[data-kind="unplaced-edit"]')
    assert "A paragraph long gone." in item.inner_text()
    results = axe_api.Axe().run(tab)
    assert results.violations_count == 0, results.generate_report()
    # It follows the site: a post-edit that goes out of date shows up without a reload by hand.
    edits = project / EDITS
    edits.write_text(edits.read_text(encoding="utf-8") + '\n[[edit]]\narabic = "تراجع المخزون في الموانئ."\n'
                     'english = "Stocks fell at the ports."\n', encoding="utf-8")
    stale = tab.wait_for_selector('.review-item[data-kind="stale-edit"]', timeout=20_000)
    assert "Stocks fell at the ports." in stale.inner_text()
    tab.click('.review-item[data-kind="stale-edit"] a')
    tab.wait_for_url(re.compile(r"/articles/oil/#p2$"))
    assert "Stocks fell at the ports." in tab.inner_text("#p2")
    assert not list((project / "site").rglob("__digest__")) and not list((project / "site").rglob("*review*"))


def test_unsaved_text_outlives_a_reload_caused_by_another_file(served, tab):
    url, project = served
    tab.goto(url + "articles/oil/")
    tab.click("#p3 .side-target")
    tab.wait_for_selector("#p3 .digest-desk-editor textarea")
    tab.fill("#p3 .digest-desk-editor textarea", "The book fair opened its doors (draft).")
    # Another article arrives: the site rebuilds and the live-reload script reloads this page.
    with tab.expect_navigation(timeout=30_000):
        (project / "content/2026-11-02-port.md").write_text(
            "---\ntitle: الميناء\ndate: 2026-11-02\n---\nافتتح الميناء الجديد.\n", encoding="utf-8")
    area = tab.wait_for_selector("#p3 .digest-desk-editor textarea", timeout=10_000)
    assert area.input_value() == "The book fair opened its doors (draft)."
    assert "not saved yet" in tab.inner_text("#p3 .digest-desk-status")
    assert "draft" not in (project / EDITS).read_text(encoding="utf-8")  # kept in the tab, not saved
    # Cancelled, it is gone for good: the next reload opens no editor.
    tab.click("#p3 .digest-desk-cancel")
    with tab.expect_navigation(timeout=30_000):
        (project / "content/2026-11-02-port.md").write_text(
            "---\ntitle: الميناء\ndate: 2026-11-02\n---\nافتتح الميناء الجديد اليوم.\n", encoding="utf-8")
    tab.wait_for_function("document.readyState === 'complete'")
    time.sleep(0.5)
    assert tab.query_selector(".digest-desk-editor") is None
