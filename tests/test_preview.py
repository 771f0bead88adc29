"""The preview server over real HTTP on 127.0.0.1: what it serves, what it refuses, and how
it behaves around a rebuild. Its rebuild function here is a plain function writing files."""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from dataclasses import dataclass, field

import pytest
from helpers import FakeTranslator, write_project

from digest.config import load_config
from digest.serve.preview import Preview, exposure_warning, inject
from digest.serve.project import Failure, Project

pytestmark = pytest.mark.timeout(30)

SITE = {
    "site/index.html": "<!doctype html><html><body><p>home v1</p></body></html>",
    "site/404.html": "<!doctype html><html><body><p>no such page</p></body></html>",
    "site/articles/a/index.html": "<html><body>article a v1</body></html>",
    "site/static/style.css": "body{}",
    "site/static/app.js": "1;",
    "site/feed.xml": "<feed/>",
    "site/data.json": "{}",
    "site/logo.svg": "<svg/>",
    "site/font.woff2": b"wOF2",
    "site/robots.txt": "User-agent: *",
    "secret.txt": "outside the site",
}


@dataclass
class Outcome:
    ok: bool
    failures: list = field(default_factory=list)


def get(preview, path, method="GET"):
    host, port = preview.httpd.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=20)
    conn.request(method, path)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, dict(resp.getheaders()), body


@pytest.fixture
def served(tmp_path):
    write_project(tmp_path, SITE)
    builds = []

    def rebuild(*args):
        builds.append(args)
        return Outcome(True)

    preview = Preview(tmp_path / "site", rebuild, "127.0.0.1", 0).start()
    preview.poll_seconds = 5
    yield preview
    preview.close()


def test_index_is_html_with_live_script_not_on_disk(served):
    status, headers, body = get(served, "/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"home v1" in body and b"data-digest-live" in body
    assert body.index(b"data-digest-live") < body.index(b"</body>")
    assert b"digest-live" not in (served.folder / "index.html").read_bytes()


@pytest.mark.parametrize("path, ctype", [
    ("/static/style.css", "text/css; charset=utf-8"),
    ("/static/app.js", "text/javascript; charset=utf-8"),
    ("/feed.xml", "application/xml; charset=utf-8"),
    ("/data.json", "application/json; charset=utf-8"),
    ("/logo.svg", "image/svg+xml; charset=utf-8"),
    ("/font.woff2", "font/woff2"),
    ("/robots.txt", "text/plain; charset=utf-8"),
])
def test_content_types_without_injection(served, path, ctype):
    status, headers, body = get(served, path)
    assert status == 200 and headers["Content-Type"] == ctype
    assert body == (served.folder / path.lstrip("/")).read_bytes()


def test_head_has_headers_and_no_body(served):
    status, headers, body = get(served, "/static/style.css", "HEAD")
    assert status == 200 and body == b"" and headers["Content-Length"] == "6"


def test_folder_without_slash_redirects(served):
    status, headers, _ = get(served, "/articles/a?x=1")
    assert status == 301 and headers["Location"] == "/articles/a/?x=1"
    status, _, body = get(served, "/articles/a/")
    assert status == 200 and b"article a v1" in body


def test_missing_page_is_the_sites_404(served):
    status, headers, body = get(served, "/articles/nope/")
    assert status == 404 and b"no such page" in body and b"data-digest-live" in body
    assert headers["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize("path", [
    "/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/articles/..%2f..%2f..%2fsecret.txt",
    "/articles/%2e%2e/%2e%2e/secret.txt", "/..%5csecret.txt", "/%00", "/./index.html",
    "//etc/passwd", "/%ff%fe", "/link/secret.txt", "/escape.txt",
])
def test_nothing_outside_the_folder(served, path):
    (served.folder / "link").symlink_to(served.folder.parent, target_is_directory=True)
    (served.folder / "escape.txt").symlink_to(served.folder.parent / "secret.txt")
    status, _, body = get(served, path)
    assert status == 404 and b"outside the site" not in body


@pytest.mark.slow
def test_requests_wait_for_a_rebuild_and_see_it_whole(tmp_path):
    write_project(tmp_path, SITE)
    site = tmp_path / "site"

    writing, written = threading.Event(), threading.Event()

    def rebuild():
        (site / "index.html").write_text("<html><body>home v2</body></html>")
        writing.set()
        time.sleep(0.6)  # the site is half written for a while
        (site / "articles/a/index.html").write_text("<html><body>article a v2</body></html>")
        written.set()
        return Outcome(True)

    preview = Preview(site, rebuild, "127.0.0.1", 0).start()
    try:
        worker = threading.Thread(target=preview.rebuild)
        worker.start()
        assert writing.wait(10)
        started = time.monotonic()
        status, _, body = get(preview, "/articles/a/")
        assert written.is_set()
        assert status == 200 and b"article a v2" in body
        assert time.monotonic() - started > 0.3
        worker.join()
    finally:
        preview.close()


def test_long_poll_answers_after_the_next_build(served):
    before = served.state()["build"]
    threading.Timer(0.3, served.rebuild).start()
    started = time.monotonic()
    _, headers, body = get(served, f"/__digest__/wait?since={before}")
    state = json.loads(body)
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert state["build"] == before + 1 and state["epoch"] == 1 and state["errors"] == []
    assert time.monotonic() - started >= 0.25


def test_failed_build_keeps_the_site_and_shows_errors(tmp_path):
    write_project(tmp_path, SITE)
    results = iter([Outcome(False, [Failure("unexpected end of template", "templates/base.html", 12)]),
                    RuntimeError("boom"), Outcome(True)])

    def rebuild():
        result = next(results)
        if isinstance(result, Exception):
            raise result
        return result

    preview = Preview(tmp_path / "site", rebuild, "127.0.0.1", 0).start()
    try:
        preview.rebuild()
        _, _, body = get(preview, "/")
        assert b"home v1" in body
        state = json.loads(re.search(rb"var state = (\{.*?\}), box", body).group(1))
        assert state["epoch"] == 0 and state["errors"] == [
            {"file": "templates/base.html", "line": 12, "reason": "unexpected end of template"}]
        preview.rebuild()
        assert preview.state()["errors"][0]["reason"] == "RuntimeError: boom"
        preview.rebuild()
        assert preview.state() == {"build": 3, "epoch": 1, "errors": []}
    finally:
        preview.close()


@pytest.mark.slow
def test_content_problems_from_a_real_build_reach_the_page(tmp_path):
    write_project(tmp_path, {
        "content/2026-11-01-good.md": "---\ntitle: جيد\n---\nنص.\n",
        "content/2026-11-02-bad.md": "---\ntitle: [مكسور\n---\nنص.\n",
    })
    project = Project(load_config(tmp_path), translator=FakeTranslator())
    preview = Preview(tmp_path / "site", project.rebuild, "127.0.0.1", 0).start()
    try:
        preview.rebuild()
        _, _, body = get(preview, "/articles/good/ar/")
        state = json.loads(re.search(rb"var state = (\{.*?\}), box", body).group(1))
        assert state["epoch"] == 1
        (error,) = state["errors"]
        assert error["file"].endswith("2026-11-02-bad.md") and error["line"] in (2, 3)
    finally:
        preview.close()


def test_unknown_live_endpoint_is_404(served):
    assert get(served, "/__digest__/nothing")[0] == 404


def test_inject_without_body_tag_appends():
    assert inject(b"<p>x", b"<script></script>") == b"<p>x<script></script>"
    assert inject(b"<BODY>a</BODY>", b"S") == b"<BODY>aS</BODY>"


def test_all_interfaces_warning():
    assert "all interfaces" in exposure_warning("0.0.0.0")
    assert exposure_warning("::") and exposure_warning("127.0.0.1") is None


@pytest.mark.slow
def test_serve_follows_the_output_folder_when_digest_toml_moves_it(tmp_path):
    from digest.serve.preview import start_serving

    write_project(tmp_path, {"content/a.md": "---\ntitle: أ\n---\nنص أول.\n"})
    project = Project(load_config(tmp_path), translator=FakeTranslator())
    preview, watcher = start_serving(project, "127.0.0.1", 0)
    try:
        assert get(preview, "/articles/a/ar/")[0] == 200
        (tmp_path / "digest.toml").write_text('[paths]\noutput = "public"\n', encoding="utf-8")
        preview.rebuild(True)  # what the watcher does when digest.toml changes
        assert preview.folder == tmp_path / "public"
        status, _, body = get(preview, "/articles/a/ar/")
        assert status == 200 and "نص أول." in body.decode()
        (tmp_path / "site").rename(tmp_path / "old-site")  # nothing is served from the old folder
        assert get(preview, "/articles/a/ar/")[0] == 200
    finally:
        watcher.stop()
        preview.close()


@pytest.mark.slow
def test_a_rebuild_that_changes_no_file_does_not_reload_open_pages(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-a.md": "---\ntitle: أ\n---\nنص.\n"})
    project = Project(load_config(tmp_path), translator=FakeTranslator())
    preview = Preview(tmp_path / "site", project.rebuild, "127.0.0.1", 0).start()
    try:
        preview.rebuild()
        assert preview.state()["epoch"] == 1
        (tmp_path / "content/2026-11-01-a.md").touch()  # a save without a change
        preview.rebuild()
        assert preview.state() == {"build": 2, "epoch": 1, "errors": []}
        (tmp_path / "content/2026-11-01-a.md").write_text("---\ntitle: أ\n---\nنص جديد.\n", encoding="utf-8")
        preview.rebuild()
        assert preview.state()["epoch"] == 2
    finally:
        preview.close()
