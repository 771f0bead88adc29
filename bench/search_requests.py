"""What one search costs the reader's browser: requests and bytes, with the index in N shards.

    python bench/search_requests.py /tmp/x/digest/site 'النفط' 'oil'

Serves a built site (``digest build``'s output folder) on 127.0.0.1, opens its Arabic and
English search pages in Chromium (``DIGEST_CHROMIUM`` or ``chromium`` on PATH) and counts
the requests under ``pagefind/`` and their bytes: while the page loads (before typing) and
for one search of the given term (a fresh browser each time, so nothing is cached).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("DIGEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def one_search(base: str, lang: str, term: str) -> dict:
    """Requests and bytes under ``pagefind/`` for loading ``lang``'s search page and searching ``term``."""
    seen: list[tuple[str, str, int]] = []
    phase = ["load"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        tab = browser.new_page()

        def done(response) -> None:
            if "/pagefind/" in response.url:
                try:
                    size = len(response.body())
                except Exception:  # a redirect or an aborted request has no body
                    size = 0
                seen.append((phase[0], response.url, size))

        tab.on("response", done)
        tab.goto(f"{base}{lang}/search/")
        tab.wait_for_selector(".pagefind-ui__search-input")
        tab.wait_for_load_state("networkidle")
        phase[0] = "search"
        tab.fill(".pagefind-ui__search-input", term)
        tab.wait_for_selector(".pagefind-ui__result-link", timeout=60_000)
        tab.wait_for_load_state("networkidle")
        results = tab.locator(".pagefind-ui__message").text_content()
        browser.close()
    out: dict = {"lang": lang, "term": term, "message": results}
    for name in ("load", "search"):
        mine = [s for s in seen if s[0] == name]
        out[name] = {"requests": len(mine), "kB": round(sum(s[2] for s in mine) / 1024, 1)}
    return out


def main() -> None:
    """Serve the site, search once per language, print JSON lines."""
    site, ar, en = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    shards = json.loads((site / "pagefind/shards.json").read_bytes())["shards"]
    try:
        for lang, term in (("ar", ar), ("en", en)):
            print(json.dumps({"shards": len(shards), **one_search(base, lang, term)}, ensure_ascii=False), flush=True)
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
