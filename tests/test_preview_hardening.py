"""The preview server against slow, hostile and many clients, over real sockets on 127.0.0.1:
deadlines on request heads, a bound on connections, the Host check, hang-ups without
tracebacks (in a real ``digest serve`` subprocess) and 200 keep-alive clients at once."""

from __future__ import annotations

import errno
import http.client
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

import pytest
from helpers import REPO, write_project

from digest.serve.preview import Preview
from digest.serve.preview_http import host_allowed, host_name

pytestmark = pytest.mark.timeout(60)

SITE = {
    "site/index.html": "<!doctype html><html><body><p>home</p></body></html>",
    "site/articles/a/index.html": "<html><body>article a</body></html>",
    "site/static/style.css": "body{}",
}


class Outcome:
    ok = True
    failures = ()


@pytest.fixture
def preview(tmp_path):
    write_project(tmp_path, SITE)
    served = Preview(tmp_path / "site", lambda *args: Outcome(), "127.0.0.1", 0)
    served.poll_seconds = 20
    served.httpd.head_seconds = 1.0
    served.rebuild()
    served.start()
    yield served
    served.close()


def address(preview):
    return preview.httpd.server_address[:2]


def get(preview, path="/", host=None, timeout=10.0):
    conn = http.client.HTTPConnection(*address(preview), timeout=timeout)
    if host is None:
        conn.request("GET", path)
    else:
        conn.request("GET", path, headers={"Host": host})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, body


def raw(preview, data: bytes = b"") -> socket.socket:
    sock = socket.create_connection(address(preview), timeout=10)
    if data:
        sock.sendall(data)
    return sock


def closed_after(sock: socket.socket, limit: float) -> tuple[float, bytes]:
    """Seconds until the server closes ``sock``, and what it sent before."""
    started, received = time.monotonic(), b""
    sock.settimeout(limit)
    while chunk := sock.recv(4096):
        received += chunk
    return time.monotonic() - started, received


def until(check, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def test_half_a_request_line_is_cut_at_the_deadline_while_others_are_answered(preview):
    preview.httpd.head_seconds = 2.0
    started = time.monotonic()
    slow = raw(preview, b"GET /ind")
    for _ in range(5):
        status, body = get(preview, "/")
        assert status == 200 and b"home" in body
    assert time.monotonic() - started < 1.5  # answered before the slow one's deadline
    _, received = closed_after(slow, 6)
    assert received == b""  # cut, not answered as an HTTP/0.9 "GET /ind"
    assert 1.9 < time.monotonic() - started < 4
    slow.close()
    assert until(lambda: preview.httpd.connections == 0)


def test_a_head_trickling_in_byte_by_byte_is_cut_all_the_same(preview):
    sock = raw(preview)
    started = time.monotonic()
    request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200
    try:
        for byte in request:  # each byte well inside any per-read timeout
            sock.sendall(bytes([byte]))
            time.sleep(0.1)
    except (BrokenPipeError, ConnectionResetError):
        pass
    elapsed = time.monotonic() - started
    assert 0.9 < elapsed < 5  # stopped by the 1 s deadline, not after 20 s of bytes
    sock.close()


def test_idle_keep_alive_connection_is_closed(preview):
    preview.httpd.idle_seconds = 0.5
    conn = http.client.HTTPConnection(*address(preview), timeout=10)
    conn.request("GET", "/static/style.css")
    assert conn.getresponse().read() == b"body{}"
    assert until(lambda: preview.httpd.connections == 0, 3)
    conn.close()


def test_300_half_open_connections_do_not_stop_a_normal_request(preview):
    preview.httpd.head_seconds = 3.0
    hostile = [raw(preview, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n") for _ in range(300)]
    try:
        assert until(lambda: preview.httpd.connections >= 300)
        started = time.monotonic()
        status, body = get(preview, "/articles/a/")
        assert status == 200 and b"article a" in body
        assert time.monotonic() - started < 1.5
        assert until(lambda: preview.httpd.connections == 0, 6)  # all cut at their deadline
    finally:
        for sock in hostile:
            sock.close()


def test_a_full_table_pushes_out_the_oldest_waiting_connection(preview):
    preview.httpd.head_seconds = 30.0
    preview.httpd.limit = 10
    hostile = [raw(preview, b"GE") for _ in range(25)]
    try:
        status, body = get(preview, "/")
        assert status == 200 and b"home" in body
        assert preview.httpd.connections <= 10 * 5 // 4
        assert closed_after(hostile[0], 5)[1] == b""  # the oldest went first
    finally:
        for sock in hostile:
            sock.close()


def test_when_every_connection_is_answering_a_new_one_gets_503_at_once(preview):
    preview.httpd.limit = 2
    build = preview.state()["build"]
    polls = [raw(preview, f"GET /__digest__/wait?since={build} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
             for _ in range(2)]
    try:
        assert until(lambda: preview.httpd.connections == 2 and preview.httpd.waiting_connections == 0)
        started = time.monotonic()
        status, body = get(preview, "/")
        assert status == 503 and b"too many connections" in body
        assert time.monotonic() - started < 1
    finally:
        for sock in polls:
            sock.close()
    assert until(lambda: preview.httpd.connections == 0, 3)
    assert get(preview, "/")[0] == 200


@pytest.mark.parametrize("host, status", [
    ("evil.example", 403), ("evil.example:8000", 403), ("127.0.0.1.evil.example", 403), ("localhost.", 403),
    ("127.0.0.1:{port}", 200), ("localhost:{port}", 200), ("LOCALHOST", 200), ("127.0.0.1", 200),
    ("[::1]:{port}", 200), ("localhost:abc", 403), ("", 403),
])
def test_host_header(preview, host, status):
    got, body = get(preview, "/", host.format(port=address(preview)[1]))
    assert got == status
    if status == 403:
        assert b"DNS rebinding" in body and b"home" not in body


def test_host_header_guards_the_live_endpoints_too(preview):
    got, body = get(preview, "/__digest__/state", "evil.example")
    assert got == 403 and b"epoch" not in body


def test_bound_to_every_interface_the_address_reached_is_allowed(tmp_path):
    write_project(tmp_path, SITE)
    served = Preview(tmp_path / "site", lambda *args: Outcome(), "0.0.0.0", 0).start()
    try:
        port = served.httpd.server_address[1]
        for reached, host, status in [("127.0.0.2", "127.0.0.2", 200), ("127.0.0.2", f"127.0.0.2:{port}", 200),
                                      ("127.0.0.1", "127.0.0.2", 403), ("127.0.0.2", "evil.example", 403)]:
            conn = http.client.HTTPConnection(reached, port, timeout=10)
            conn.request("GET", "/", headers={"Host": host})
            assert conn.getresponse().status == status, (reached, host)
            conn.close()
    finally:
        served.close()


def test_a_taken_port_is_an_oserror(preview):
    with pytest.raises(OSError) as caught:
        Preview(preview.folder, lambda *args: Outcome(), "127.0.0.1", address(preview)[1])
    assert caught.value.errno == errno.EADDRINUSE


def test_host_names_and_rules():
    assert host_name("[::1]:8000") == "::1" and host_name("Example.ORG:1") == "example.org"
    assert host_name("[::1") is None and host_name("[evil]") is None and host_name("a:b:c") is None
    assert host_name("x:٣") is None and host_name(":80") is None
    assert host_allowed("[::1]", {"127.0.0.1"}, "127.0.0.1")
    assert host_allowed("192.168.1.5:8000", {"0.0.0.0"}, "::ffff:192.168.1.5")
    assert not host_allowed("192.168.1.5:8000", {"127.0.0.1"}, "192.168.1.5")
    assert host_allowed("devbox:8000", {"devbox", "192.168.1.5"}, "192.168.1.5")
    assert not host_allowed(None, {"127.0.0.1"}, "127.0.0.1")


def test_a_long_poll_whose_client_leaves_ends_at_once(preview):
    build = preview.state()["build"]
    sock = raw(preview, f"GET /__digest__/wait?since={build} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    assert until(lambda: preview.httpd.connections == 1 and preview.httpd.waiting_connections == 0)
    sock.close()
    started = time.monotonic()
    assert until(lambda: preview.httpd.connections == 0, 3)
    assert time.monotonic() - started < 1.5  # the poll waits 20 s


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _reset(sock: socket.socket) -> None:
    """Close ``sock`` with a TCP reset, as a dropped connection looks to the server."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_real_serve_prints_no_traceback_when_clients_hang_up(tmp_path):
    project = tmp_path / "proj"
    write_project(project, {"content/2026-11-01-a.md": "---\ntitle: أ\n---\nنص.\n",
                            "digest.toml": '[translation]\nengine = "none"\n'})
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "digest", "serve", "--port", str(port)], cwd=project,
                              env=dict(os.environ, PYTHONPATH=str(REPO)), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        def up():
            try:
                return socket.create_connection(("127.0.0.1", port), timeout=1).close() is None
            except OSError:
                return False
        assert until(up, 30), server.stderr.read() if server.poll() is not None else "no server"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/__digest__/state")
        build = json.loads(conn.getresponse().read())["build"]
        conn.close()
        poll = f"GET /__digest__/wait?since={build} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
        page = f"GET /articles/a/ar/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
        left, dropped, torn = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        for sock, data in ((left, poll), (dropped, poll), (torn, page)):
            sock.sendall(data)
        time.sleep(0.5)
        left.close()  # the browser left the page or closed the tab
        _reset(dropped)  # the network dropped
        _reset(torn)  # reset before the page was read
        half = socket.create_connection(("127.0.0.1", port))
        half.sendall(b"GET /articles/a/ar/ HT")
        _reset(half)
        # A build now would answer a poll still held for a gone client.
        (project / "content/2026-11-01-a.md").write_text("---\ntitle: أ\n---\nنص آخر.\n", encoding="utf-8")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        conn.request("GET", f"/__digest__/wait?since={build}")
        assert conn.getresponse().status == 200
        conn.close()
        time.sleep(0.5)
    finally:
        server.send_signal(signal.SIGINT)
        _, stderr = server.communicate(timeout=20)
    assert server.returncode == 0, stderr
    for sign in ("Traceback", "Exception occurred", "BrokenPipe", "ConnectionReset"):
        assert sign not in stderr, stderr


def test_200_keep_alive_clients_at_once_and_no_request_fails(preview):
    paths = ["/", "/articles/a/", "/static/style.css", "/__digest__/state"]
    stop, start = threading.Event(), threading.Barrier(201)
    counts, failures, lock = [0], [], threading.Lock()

    def client(n: int) -> None:
        conn, done, failed = None, 0, []
        start.wait()
        while not stop.is_set():
            try:
                conn = conn or http.client.HTTPConnection(*address(preview), timeout=15)
                conn.request("GET", paths[(n + done) % len(paths)])
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    failed.append(resp.status)
                done += 1
            except (OSError, http.client.HTTPException) as exc:
                failed.append(repr(exc))
                conn = None
        if conn:
            conn.close()
        with lock:
            counts[0] += done
            failures.extend(failed)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(200)]
    for thread in threads:
        thread.start()
    start.wait()
    time.sleep(4)
    stop.set()
    for thread in threads:
        thread.join(30)
    assert failures == [] and counts[0] > 200
