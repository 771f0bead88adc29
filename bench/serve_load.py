"""Load on a real ``digest serve``: many keep-alive clients at once, every failed request counted.

    .venv/bin/python bench/serve_load.py                        # 200 clients for 20 s
    .venv/bin/python bench/serve_load.py --clients 400 --seconds 30
    .venv/bin/python bench/serve_load.py --half-open 300        # and 300 sockets that never finish a request

A throwaway project (12 articles, translation engine "none") is served by ``python -m digest
serve`` in a subprocess on a free port. Each client is a thread with one ``http.client``
connection kept alive, asking in turn for the home page, an article, the stylesheet and the
live-reload state; a request fails if it raises or answers anything but 200. ``--half-open``
opens that many sockets first, each sending half a request line, and opens a new one whenever
the server cuts one. Prints requests, failures, requests per second and latency percentiles.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def make_project(root: Path) -> None:
    (root / "content").mkdir(parents=True)
    (root / "digest.toml").write_text('[translation]\nengine = "none"\n', encoding="utf-8")
    for n in range(12):
        (root / f"content/2026-11-{n + 1:02d}-a{n}.md").write_text(
            f"---\ntitle: خبر {n}\n---\nنص الخبر رقم {n}.\n", encoding="utf-8")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"digest serve exited: {server.stderr.read()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("digest serve did not answer")


def client(port: int, n: int, paths: list[str], start: threading.Barrier, stop: threading.Event,
           results: list) -> None:
    conn, latencies, failures = None, [], []
    start.wait()
    while not stop.is_set():
        path = paths[(n + len(latencies) + len(failures)) % len(paths)]
        began = time.perf_counter()
        try:
            conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            if resp.status == 200:
                latencies.append(time.perf_counter() - began)
            else:
                failures.append(f"{path}: {resp.status}")
        except (OSError, http.client.HTTPException) as exc:
            failures.append(f"{path}: {exc!r}")
            conn = None
    if conn:
        conn.close()
    results.append((latencies, failures))


def hostile(port: int, count: int, stop: threading.Event) -> None:
    """Keep ``count`` sockets open, each with half a request line sent."""
    socks: list[socket.socket] = []
    while not stop.is_set():
        socks = [s for s in socks if not _cut(s)]
        while len(socks) < count and not stop.is_set():
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                sock.sendall(b"GET /ind")
                sock.setblocking(False)
                socks.append(sock)
            except OSError:
                break
        stop.wait(0.5)
    for sock in socks:
        sock.close()


def _cut(sock: socket.socket) -> bool:
    try:
        if sock.recv(1) == b"":
            sock.close()
            return True
    except BlockingIOError:
        return False
    except OSError:
        sock.close()
        return True
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--half-open", type=int, default=0, metavar="N")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="digest-serve-load-") as tmp:
        root = Path(tmp)
        make_project(root)
        port = free_port()
        env = dict(os.environ, PYTHONPATH=str(REPO))
        server = subprocess.Popen([sys.executable, "-m", "digest", "serve", "--port", str(port), "--quiet"],
                                  cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            wait_until_up(port, server)
            paths = ["/", "/articles/a3/ar/", "/static/style.css", "/__digest__/state"]
            stop, results = threading.Event(), []
            start = threading.Barrier(args.clients + 1)
            side = threading.Thread(target=hostile, args=(port, args.half_open, stop), daemon=True)
            if args.half_open:
                side.start()
                time.sleep(1)
            threads = [threading.Thread(target=client, args=(port, n, paths, start, stop, results))
                       for n in range(args.clients)]
            for thread in threads:
                thread.start()
            start.wait()
            began = time.monotonic()
            time.sleep(args.seconds)
            stop.set()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - began
        finally:
            server.send_signal(signal.SIGINT)
            _, stderr = server.communicate(timeout=30)
    latencies = sorted(x for lat, _ in results for x in lat)
    failures = [f for _, fail in results for f in fail]
    done = len(latencies) + len(failures)
    print(f"{args.clients} clients, {args.seconds:g} s, {args.half_open} half-open sockets")
    print(f"requests {done}, failed {len(failures)}, {done / elapsed:.0f} requests/s")
    if latencies:
        p50, p99 = (latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 for q in (0.5, 0.99))
        print(f"latency ms: p50 {p50:.1f}, p99 {p99:.1f}, max {latencies[-1] * 1000:.1f}")
    for failure in failures[:10]:
        print("  failed:", failure)
    tracebacks = stderr.count("Traceback")
    print(f"server exit {server.returncode}, tracebacks on stderr: {tracebacks}")
    return 1 if failures or tracebacks or server.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
