"""``digest serve`` options: --verbose access lines, --open, and pages that link to the address served."""

from __future__ import annotations

import http.client
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

from helpers import REPO, write_project

from digest.serve.preview import Preview

ARTICLE = {"content/2026-11-01-a.md": "---\ntitle: أ\n---\nنص.\n", "digest.toml": '[translation]\nengine = "none"\n'}
ACCESS = re.compile(r'^127\.0\.0\.1 - - \[[^\]]+\] "(GET|HEAD) (\S+) HTTP/1\.1" (\d{3})$')


class Served:
    """A real ``digest serve`` subprocess; its URL is read from its "serving ... at" line."""

    def __init__(self, project, *options, env=None):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "digest", "serve", *options], cwd=project, text=True,
            env=dict(os.environ, PYTHONPATH=str(REPO), HOME=str(project), **(env or {})),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in self.process.stdout], daemon=True).start()
        deadline = time.monotonic() + 60
        self.url = None
        while self.url is None and time.monotonic() < deadline:
            try:
                found = re.search(r"serving .* at (http://\S+) ", lines.get(timeout=1))
            except queue.Empty:
                assert self.process.poll() is None, self.process.stderr.read()
                continue
            self.url = found and found.group(1)
        assert self.url, "serve never said where it serves"

    def get(self, path: str) -> tuple[int, str]:
        parts = urlsplit(self.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read().decode()
        finally:
            conn.close()

    def stop(self) -> str:
        """Ctrl-C, then the server's stderr."""
        self.process.send_signal(signal.SIGINT)
        _, stderr = self.process.communicate(timeout=30)
        assert self.process.returncode == 0, stderr
        return stderr


def _canonical(html: str) -> str:
    return re.search(r'<link rel="canonical" href="([^"]+)"', html).group(1)


def test_serve_opens_the_browser_and_its_pages_link_to_the_port_served(tmp_path):
    project = write_project(tmp_path / "proj", dict(ARTICLE))
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\nprintf "%s" "$1" > "{opened}"\n', encoding="utf-8")
    browser.chmod(0o755)
    served = Served(project, "--port", "0", "--open", env={"BROWSER": str(browser)})
    try:
        port = urlsplit(served.url).port
        assert port and port != 8000  # the one the system chose
        deadline = time.monotonic() + 20
        while not (opened.exists() and opened.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert opened.read_text() == served.url == f"http://127.0.0.1:{port}/"
        status, html = served.get("/articles/a/")
        assert status == 200
        assert _canonical(html) == f"http://127.0.0.1:{port}/articles/a/"
        assert f'property="og:url" content="http://127.0.0.1:{port}/articles/a/"' in html
        assert f'hreflang="ar" href="http://127.0.0.1:{port}/articles/a/ar/"' in html
        assert f'hreflang="x-default" href="http://127.0.0.1:{port}/articles/a/"' in html
        assert "127.0.0.1:8000" not in html
        for path in ("/sitemap.xml", "/feed.xml", "/robots.txt"):
            status, text = served.get(path)
            assert status == 200 and f"http://127.0.0.1:{port}/" in text and ":8000" not in text, path
    finally:
        stderr = served.stop()
    assert not [line for line in stderr.splitlines() if ACCESS.match(line)], stderr  # quiet by default
    assert "GET /articles/a/" not in stderr


def test_verbose_prints_one_access_line_per_request_and_base_url_wins(tmp_path):
    project = write_project(tmp_path / "proj", dict(ARTICLE))
    served = Served(project, "--port", "0", "--verbose", "--base-url", "https://example.org/digest/")
    try:
        status, html = served.get("/articles/a/")
        assert status == 200 and _canonical(html) == "https://example.org/digest/articles/a/"
        assert served.get("/nothing/here")[0] == 404
    finally:
        stderr = served.stop()
    access = [ACCESS.match(line).groups() for line in stderr.splitlines() if ACCESS.match(line)]
    assert access == [("GET", "/articles/a/", "200"), ("GET", "/nothing/here", "404")], stderr


def test_preview_logs_one_line_per_answer_only_when_asked(tmp_path):
    write_project(tmp_path, {"site/index.html": "<html><body>hi</body></html>"})
    lines: list[str] = []
    for log in (None, lines.append):
        preview = Preview(tmp_path / "site", lambda: None, "127.0.0.1", 0, log=log).start()
        try:
            for path, host in (("/", "127.0.0.1"), ("/missing", "127.0.0.1"), ("/", "evil.example")):
                conn = http.client.HTTPConnection(*preview.httpd.server_address[:2], timeout=10)
                conn.request("GET", path, headers={"Host": host})
                conn.getresponse().read()
                conn.close()
            # A control character in the request line reaches the log escaped, on one line.
            with socket.create_connection(preview.httpd.server_address[:2], timeout=10) as sock:
                sock.sendall(b"GET /\x1b[31m HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                while sock.recv(65536):
                    pass
        finally:
            preview.close()
        if log is None:
            assert lines == []
    assert [ACCESS.match(line).group(2, 3) for line in lines] == [
        ("/", "200"), ("/missing", "404"), ("/", "403"), ("/\\x1b[31m", "404")], lines


def test_a_port_in_use_says_so_and_how_to_choose_another(tmp_path):
    project = write_project(tmp_path / "p", ARTICLE)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "digest", "serve", "--port", str(port)], cwd=project,
                                env=dict(os.environ, PYTHONPATH=str(REPO), HOME=str(project)),
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert result.stderr == (f"error: cannot serve on 127.0.0.1:{port}: Address already in use; "
                             f"try another port (--port {port + 1}), or --port 0 for any free one\n")
    assert not (project / "site").exists()  # refused before building anything


def test_serve_stopped_by_sigterm_ends_its_session_and_writes_the_article_pack(tmp_path):
    # A service manager stops `digest serve` with SIGTERM: the session ends as after Ctrl-C
    # (exit 0), and the article pack it writes only then is on disk for the next build.
    project = write_project(tmp_path / "proj", dict(ARTICLE))
    pack = project / ".digest-cache" / "build" / "articles.pack"
    served = Served(project, "--port", "0")
    try:
        assert served.get("/")[0] == 200
        assert not pack.exists()  # a session writes its pack when it ends
    finally:
        served.process.send_signal(signal.SIGTERM)
        _, stderr = served.process.communicate(timeout=30)
    assert served.process.returncode == 0, stderr
    assert pack.is_file()
