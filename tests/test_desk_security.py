"""The edit endpoint of ``digest serve`` writes files: everything but a POST from the served page,
with its token, its own Origin and Host, about a paragraph of an existing article and of a sane
size, is refused and writes nothing (the content folder's bytes are compared before and after)."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest
from helpers import REPO, FakeTranslator, write_project

from digest.config import load_config
from digest.serve.editguard import MAX_BODY, TOKEN_HEADER, editing_allowed
from digest.serve.preview import start_serving
from digest.serve.project import Project

FILES = {
    "content/2026-11-01-oil.md": "---\ntitle: نفط\n---\nارتفعت أسعار النفط.\n\nتراجع المخزون.\n",
    "content/2026-11-01-oil.edits.toml": "# kept by the desk\n",
    "content/2026-11-02-fair.md": "---\ntitle: معرض\n---\nافتتح المعرض.\n",
    "content/2026-11-02-fair.en.md": "---\ntitle: Fair\n---\nThe fair opened.\n",
    "secret.md": "---\ntitle: سر\n---\nليس في المحتوى.\n",
}


@pytest.fixture
def served(tmp_path):
    write_project(tmp_path, FILES)
    project = Project(load_config(tmp_path), translator=FakeTranslator())
    preview, watcher = start_serving(project, "127.0.0.1", 0, editing=True)
    loop = threading.Thread(target=watcher.run, daemon=True)
    loop.start()
    yield preview, tmp_path
    watcher.stop()
    loop.join(5)
    preview.close()


def request(preview, method: str, path: str, body: bytes = b"", headers: dict | None = None):
    host, port = preview.httpd.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=20)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        headers = {"Host": f"127.0.0.1:{port}", **(headers or {})}
        if body and "Content-Length" not in headers:
            headers["Content-Length"] = str(len(body))
        for key, value in headers.items():
            if value is not None:
                conn.putheader(key, value)
        conn.endheaders()
        if body:
            try:
                conn.send(body)
            except OSError:  # refused before the body was read: the server may hang up first
                pass
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def token_of(preview) -> str:
    status, page = request(preview, "GET", "/articles/oil/")
    assert status == 200
    return json.loads(re.search(r"window\.digestDesk = (\{.*?\});", page).group(1))["token"]


def content_bytes(root) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and "site" not in p.relative_to(root).parts and ".digest-cache" not in p.parts}


def good(preview, token: str, **overrides):
    port = preview.httpd.server_address[1]
    body = {"slug": "oil", "index": 1, "english": "Stocks fell."}
    headers = {"Content-Type": "application/json", TOKEN_HEADER: token, "Origin": f"http://127.0.0.1:{port}"}
    for key, value in overrides.items():
        if key in body:
            body[key] = value
        else:
            headers[key.replace("_", "-")] = value
    return json.dumps(body).encode(), headers


def test_a_good_request_writes_the_post_edit_and_the_same_request_undoes_it(served):
    preview, root = served
    token = token_of(preview)
    status, reply = request(preview, "GET", "/__digest__/paragraph?slug=oil&index=1")
    assert status == 200 and json.loads(reply) == {
        "slug": "oil", "index": 1, "arabic": "تراجع المخزون.", "english": "EN(تراجع المخزون.)", "post_edited": False,
        "file": "content/2026-11-01-oil.edits.toml"}
    status, reply = request(preview, "POST", "/__digest__/edit", *good(preview, token))
    assert status == 200, reply
    assert json.loads(reply) == {"changed": True, "file": "content/2026-11-01-oil.edits.toml"}
    text = (root / "content/2026-11-01-oil.edits.toml").read_text(encoding="utf-8")
    assert text.startswith("# kept by the desk\n") and 'english = "Stocks fell."' in text
    preview.rebuild()
    page = request(preview, "GET", "/articles/oil/")[1]
    assert re.search(r'id="p2" data-provenance="post-edit".*?Stocks fell\.', page, re.S)
    status, _ = request(preview, "POST", "/__digest__/edit", *good(preview, token, english=None))
    preview.rebuild()
    page = request(preview, "GET", "/articles/oil/")[1]
    assert status == 200 and "Stocks fell." not in page and "EN(تراجع المخزون.)" in page


REFUSED = {
    "no token": ({TOKEN_HEADER: None}, 403),
    "a wrong token": ({TOKEN_HEADER: "not-the-token"}, 403),
    "another site's Origin": ({"Origin": "http://evil.example"}, 403),
    "an opaque Origin": ({"Origin": "null"}, 403),
    "another port's Origin": ({"Origin": "http://127.0.0.1:1"}, 403),
    "a rebinding Host": ({"Host": "evil.example"}, 403),
    "a form post": ({"Content-Type": "application/x-www-form-urlencoded"}, 400),
    "a path outside content": ({"slug": "../../secret"}, 400),
    "a file name for a slug": ({"slug": "2026-11-01-oil.md"}, 400),
    "a paragraph that does not exist": ({"index": 7}, 400),
    "a negative paragraph": ({"index": -1}, 400),
    "an extra key": ({"path": "/etc/passwd"}, 400),
    "empty English": ({"english": "  "}, 400),
    "a human translation's paragraph": ({"slug": "fair", "index": 0}, 400),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_bad_request_is_refused_and_writes_nothing(served, case):
    preview, root = served
    token = token_of(preview)
    before = content_bytes(root)
    changes, expected = REFUSED[case]
    body, headers = good(preview, token, **{k: v for k, v in changes.items() if k not in ("Host", "path")})
    if "Host" in changes:
        headers["Host"] = changes["Host"]
    if "path" in changes:
        body = json.dumps({**json.loads(body), "path": changes["path"]}).encode()
    status, reply = request(preview, "POST", "/__digest__/edit", body, headers)
    assert status == expected, reply
    assert content_bytes(root) == before


def test_an_oversized_body_is_refused_unread_and_writes_nothing(served):
    preview, root = served
    before = content_bytes(root)
    body, headers = good(preview, token_of(preview), english="x" * (MAX_BODY + 10))
    status, reply = request(preview, "POST", "/__digest__/edit", body, headers)
    assert status == 400 and "over" in reply
    headers["Content-Length"] = None  # no length at all
    assert request(preview, "POST", "/__digest__/edit", b"", headers)[0] == 400
    assert content_bytes(root) == before


@pytest.mark.parametrize("body", [b"[" * 60000, b"\xff\xfe not utf-8", b"{\"slug\": \"oil\""])
def test_a_body_that_is_not_json_is_refused_and_writes_nothing(served, body):
    preview, root = served
    before = content_bytes(root)
    _, headers = good(preview, token_of(preview))
    assert request(preview, "POST", "/__digest__/edit", body, headers)[0] == 400
    assert content_bytes(root) == before


def test_a_get_or_a_post_elsewhere_is_refused_and_writes_nothing(served):
    preview, root = served
    before = content_bytes(root)
    body, headers = good(preview, token_of(preview))
    assert request(preview, "GET", "/__digest__/edit?slug=oil&index=1&english=x")[0] == 405
    assert request(preview, "POST", "/articles/oil/", body, headers)[0] == 405
    assert request(preview, "POST", "/__digest__/other", body, headers)[0] == 404
    assert content_bytes(root) == before


def test_the_token_is_only_in_pages_served_never_in_site_files(served):
    preview, root = served
    token = token_of(preview)
    assert all(token.encode() not in p.read_bytes() for p in (root / "site").rglob("*") if p.is_file())
    assert not any(b"data-digest-desk" in p.read_bytes() for p in (root / "site").rglob("*.html"))
    assert not (root / "site" / "__digest__").exists()


def test_editing_is_off_off_this_machine_unless_asked():
    assert editing_allowed("127.0.0.1", False) == (True, None)
    assert editing_allowed("::1", False) == (True, None)
    assert editing_allowed("localhost", False)[0]
    off, warning = editing_allowed("0.0.0.0", False)
    assert not off and "--allow-remote-edits" in warning
    on, warning = editing_allowed("0.0.0.0", True)
    assert on and "everyone" in warning
    assert not editing_allowed("192.168.1.5", False)[0]


def test_without_editing_no_page_gets_the_editor_and_every_post_is_refused(tmp_path):
    write_project(tmp_path, FILES)
    preview, watcher = start_serving(Project(load_config(tmp_path), translator=FakeTranslator()), "127.0.0.1", 0)
    try:
        status, page = request(preview, "GET", "/articles/oil/")
        assert status == 200 and "data-digest-desk" not in page and "data-digest-live" in page
        body, headers = good(preview, preview.desk.token)
        before = content_bytes(tmp_path)
        assert request(preview, "POST", "/__digest__/edit", body, headers)[0] == 403
        assert content_bytes(tmp_path) == before
        assert request(preview, "GET", "/__digest__/review/")[0] == 200  # reading stays
        assert request(preview, "GET", "/__digest__/review")[0] == 301  # to the slash form
        assert request(preview, "GET", "/__digest__/nothing")[0] == 404
    finally:
        watcher.stop()
        preview.close()


@pytest.mark.parametrize("allow", [False, True])
def test_serve_on_every_interface_turns_editing_off_unless_allowed_with_a_warning(tmp_path, allow):
    write_project(tmp_path, {**FILES, "digest.toml": '[translation]\nengine = "none"\n'})
    args = ["--allow-remote-edits"] if allow else []
    process = subprocess.Popen([sys.executable, "-m", "digest", "serve", "--host", "0.0.0.0", "--port", "0", *args],
                               cwd=tmp_path, text=True, env=dict(os.environ, PYTHONPATH=str(REPO), HOME=str(tmp_path)),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline, found = time.monotonic() + 60, None
        while found is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            assert line or process.poll() is None, process.stderr.read()
            found = re.search(r"serving .* at http://[^:]+:(\d+)/", line)
        assert found, "serve never said where it serves"
        port = int(found.group(1))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        conn.request("GET", "/articles/oil/")
        page = conn.getresponse().read().decode()
        conn.close()
        assert "data-digest-live" in page and ("data-digest-desk" in page) is allow
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    if allow:
        assert "editing in place is on for everyone who can reach 0.0.0.0" in stderr
    else:
        assert "editing in place is off" in stderr and "--allow-remote-edits" in stderr
