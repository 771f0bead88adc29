"""Small tools the tests share: tiny projects in temp folders and a predictable translator."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import shutil
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from digest.translate.result import TranslationResult

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "tests" / "data" / "000_aacfcbe59bb52c0a.txt"
CHROMIUM = os.environ.get("DIGEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def browser_marks(timeout: int) -> list:
    """The marks of a test module that drives Chromium: slow, browser, ``timeout`` seconds,
    and skipped (a failure in CI) where there is no Chromium."""
    return [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(timeout),
            pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}")]
"""Debian's Chromium, which the browser tests drive through Playwright's executable_path."""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file server for browser tests that logs nothing."""

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serving(directory: Path) -> Iterator[str]:
    """``directory`` served over HTTP on 127.0.0.1 (a free port) while the block runs; yields
    its root URL, ending in ``/``."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler,
                                                                                 directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        thread.join()
"""The seed article (a raw-text Arabic news page), kept in the repository so a bare clone tests."""


def write_project(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (relative path -> text or bytes) under ``root`` and return it."""
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def monthly_project(root: Path, months: int, per_month: int, shard: int, tags: str = "",
                    english: str = "Story of month {m}.") -> Path:
    """A project of ``per_month`` human-translated articles in each of ``months`` months of 2026,
    search shards of ``shard`` articles and no machine translation; ``tags`` is a front matter
    line added to every Arabic article, ``english`` the English text (``{m}``: the month)."""
    files = {"digest.toml": f'[site]\nsearch_shard_articles = {shard}\n[translation]\nengine = "none"\n'}
    for m in range(1, months + 1):
        for d in range(per_month):
            name = f"2026-{m:02d}-{d + 10}-a{m}-{d}"
            files[f"content/{name}.md"] = f"---\ntitle: خبر {m} {d}\n{tags}---\nنص الخبر في الشهر {m}.\n"
            files[f"content/{name}.en.md"] = f"---\ntitle: News {m} {d}\n---\n{english.format(m=m)}\n"
    return write_project(root, files)

class FakeTranslator:
    """Returns ``EN(<text>)`` for each text and records every call."""

    name = "fake-ar-en"
    version = "9.9"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def translate(self, texts):
        self.calls.append(list(texts))
        return TranslationResult.plain([f"EN({t})" for t in texts])


class Page(HTMLParser):
    """Collects what the tests look at in one HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html_attrs: dict = {}
        self.links: list[str] = []
        self.elements: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_attrs = attrs
        self.elements.append((tag, attrs))
        for key in ("href", "src"):
            if attrs.get(key):
                self.links.append(attrs[key])


def internal_targets(site: Path, page_path: Path, links: list[str]) -> list[tuple[str, Path]]:
    """Resolve the relative links of ``page_path`` to files in ``site``."""
    base = "http://site.invalid/" + page_path.relative_to(site).as_posix()
    out = []
    for link in links:
        if re.match(r"^[a-z]+:", link) and not link.startswith("http://site.invalid"):
            continue
        parts = urlsplit(urljoin(base, link))
        rel = unquote(parts.path.lstrip("/"))
        target = site / rel
        if rel == "" or rel.endswith("/"):
            target = target / "index.html"
        out.append((link, target))
    return out


def site_files(site: Path) -> dict[str, bytes]:
    """Every file of the built site ``site`` by path, but the manifest (its file times
    differ from build to build)."""
    from digest.output.guard import MANIFEST

    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file() and p.name != MANIFEST}


def fresh(root: Path, tmp: Path) -> dict[str, bytes]:
    """The site that ``root``'s content gives built from nothing (no output, no caches), in a
    copy under ``tmp``: what every incremental build of ``root`` must equal."""
    from digest.build import Builder
    from digest.config import load_config

    other = tmp / f"fresh-{len(list(tmp.glob('fresh-*')))}"
    shutil.copytree(root, other, ignore=shutil.ignore_patterns("site", ".digest-cache", ".site.digest"))
    assert Builder(load_config(other), translator=None).build().rendered > 0
    return site_files(other / "site")
