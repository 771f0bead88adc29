"""The preview server of ``digest serve``: a folder over HTTP, kept fresh by a rebuild function.

The server knows nothing of articles or templates. It serves what is inside one folder,
holds requests while :meth:`Preview.rebuild` runs so nobody sees a half-written site, and
injects a small script into the HTML it sends (never into the files) that long-polls for
the next build: after a good one the page reloads; after a failed one the last good site
stays and every page shows the errors in an overlay until a good build replaces them.
"""

from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, unquote, urlsplit

from ..text import printable
from .preview_http import ALL_INTERFACES, CHECK_SECONDS, IO_SECONDS, PreviewHTTPServer, host_allowed, hung_up

LIVE = "/__digest__/"
"""URL prefix of the server's own endpoints; no site file is served under it."""
POLL_SECONDS = 25.0
"""How long a live-reload request waits for a build before answering anyway."""

_TEXT = "; charset=utf-8"
TYPES = {
    ".html": "text/html" + _TEXT, ".htm": "text/html" + _TEXT, ".css": "text/css" + _TEXT,
    ".js": "text/javascript" + _TEXT, ".mjs": "text/javascript" + _TEXT,
    ".json": "application/json" + _TEXT, ".xml": "application/xml" + _TEXT,
    ".svg": "image/svg+xml" + _TEXT, ".txt": "text/plain" + _TEXT, ".md": "text/plain" + _TEXT,
    ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".otf": "font/otf",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon",
    ".wasm": "application/wasm", ".pdf": "application/pdf",
}

# Waits for the next build (never while the tab is hidden): reloads after a good one, shows
# the errors of a failed one. Filled with the state the page was served with.
_SCRIPT = """(function () {
  var state = __STATE__, box = null;
  function show(errors) {
    if (box) { box.remove(); box = null; }
    if (!errors.length) return;
    box = document.createElement("div");
    box.id = "digest-errors"; box.setAttribute("role", "alert"); box.lang = "en"; box.dir = "ltr";
    box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:60vh;overflow:auto;" +
      "z-index:2147483647;margin:0;padding:1em 1.25em;background:#3b0d0d;color:#fff;" +
      "border-top:4px solid #ff5c5c;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap;text-align:left";
    var title = document.createElement("strong");
    title.textContent = "digest: " + errors.length + (errors.length > 1 ? " errors" : " error");
    box.appendChild(title);
    errors.forEach(function (e) {
      var line = document.createElement("div");
      line.className = "digest-error";
      line.textContent = (e.file ? e.file + (e.line ? ", line " + e.line : "") + ": " : "") + e.reason;
      box.appendChild(line);
    });
    document.body.appendChild(box);
  }
  function poll() {
    if (document.hidden) {
      document.addEventListener("visibilitychange", poll, { once: true });
      return;
    }
    fetch("/__digest__/wait?since=" + state.build, { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (next) {
        if (next.epoch !== state.epoch) { location.reload(); return; }
        state = next; show(next.errors); poll();
      }, function () { setTimeout(poll, 1000); });
  }
  if (document.body) show(state.errors);
  else document.addEventListener("DOMContentLoaded", function () { show(state.errors); });
  poll();
})();"""


class Preview:
    """Serves ``folder`` on ``host:port``; :meth:`rebuild` runs ``rebuild_site`` safely.

    ``rebuild_site(*args)`` rebuilds the folder and returns an object with ``ok`` (a site was
    written), ``failures`` (each with ``file``, ``line``, ``reason``) and optionally
    ``changed`` (false when no file changed: open pages then keep their place instead of
    reloading); if it raises, the build counts as failed with the exception as its reason.
    ``log``, if given, is handed one access-log line per request answered. ``desk``, if
    given, answers the other requests under :data:`LIVE` (``get``, ``post``) and adds its
    ``script()`` to every HTML page served (see :mod:`.desk`).
    """

    def __init__(self, folder: Path, rebuild_site: Callable[..., object], host: str = "127.0.0.1",
                 port: int = 8000, log: Callable[[str], None] | None = None, desk=None) -> None:
        self.folder = Path(folder)
        self._rebuild_site = rebuild_site
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self.builds = 0
        self.epoch = 0
        self.errors: list[dict] = []
        self.log = log
        self.desk = desk
        self.poll_seconds = POLL_SECONDS
        self.httpd = PreviewHTTPServer((host, port), _Handler)
        self.httpd.preview = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        assert isinstance(host, str)  # an IP address: the preview listens on TCP, not a Unix socket
        host = "127.0.0.1" if host in ALL_INTERFACES else host
        return f"http://{f'[{host}]' if ':' in host else host}:{port}/"

    def rebuild(self, *args) -> object:
        """Run the rebuild function while requests for files wait, then wake live pages."""
        with self._cond:
            self._cond.wait_for(lambda: not self._writing)
            self._writing = True
            self._cond.wait_for(lambda: self._readers == 0)
        outcome, ok, changed, errors = None, False, False, []
        try:
            outcome = self._rebuild_site(*args)
            ok = bool(getattr(outcome, "ok", True))
            changed = bool(getattr(outcome, "changed", True))
            errors = [_error(f) for f in getattr(outcome, "failures", ())]
        except Exception as exc:  # the server outlives a broken build
            errors = [{"file": None, "line": None, "reason": f"{type(exc).__name__}: {exc}"}]
        finally:
            with self._cond:
                self._writing = False
                self.builds += 1
                self.epoch += ok and changed
                self.errors = errors
                self._cond.notify_all()
        return outcome

    @contextmanager
    def reading(self):
        """Hold off rebuilds while a file is read; wait first if one is running."""
        with self._cond:
            self._cond.wait_for(lambda: not self._writing)
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    def state(self) -> dict:
        """Builds finished, the epoch (good builds that changed the site), and the current errors."""
        with self._cond:
            return {"build": self.builds, "epoch": self.epoch, "errors": list(self.errors)}

    def wait(self, since: int, timeout: float, gone: Callable[[], bool] | None = None) -> dict | None:
        """The state once more than ``since`` builds have finished, or after ``timeout``;
        None as soon as ``gone()`` is true (checked every :data:`CHECK_SECONDS`)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.builds <= since:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(min(left, CHECK_SECONDS) if gone else left)
                if gone is not None and self.builds <= since and gone():
                    return None
        return self.state()

    def start(self) -> "Preview":
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), name="digest-preview",
                                        daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join()
        self.httpd.server_close()

    def find(self, url_path: str) -> tuple[int, Path | None]:
        """``(status, file)`` for a request path: 200, 301 (folder without ``/``) or 404.

        Only files inside the folder are found: ``..`` and ``.`` segments (encoded or not),
        backslashes, NUL bytes and symlinks that lead outside give 404.
        """
        path = unquote(url_path, errors="strict") if "%" in url_path else url_path
        parts = path.split("/")
        if "\0" in path or "\\" in path or any(p in (".", "..") for p in parts):
            return 404, None
        root = self.folder.resolve()
        target = root.joinpath(*(p for p in parts if p))
        try:
            real = target.resolve()
        except (OSError, RuntimeError):
            return 404, None
        if not real.is_relative_to(root):
            return 404, None
        if real.is_dir():
            if not path.endswith("/"):
                return 301, None
            real = real / "index.html"
        return (200, real) if real.is_file() else (404, None)


def exposure_warning(host: str) -> str | None:
    """A warning when ``host`` binds every interface, else None."""
    if host not in ALL_INTERFACES:
        return None
    return (f"serving on all interfaces ({host or '*'}): anyone who can reach this machine can "
            "read the preview; use --host 127.0.0.1 to keep it local")


def _error(failure) -> dict:
    # Escaped like the console's lines: the overlay keeps line breaks (pre-wrap), so a file
    # name holding one would otherwise show a second, forged error.
    file = getattr(failure, "file", None)
    return {"file": printable(file) if file else file, "line": getattr(failure, "line", None),
            "reason": printable(str(getattr(failure, "reason", failure)))}


def live_script(state: dict) -> bytes:
    """The live-reload ``<script>`` for a page served now, with the current state in it."""
    data = json.dumps(state, ensure_ascii=True).replace("<", "\\u003c")
    return f'<script data-digest-live>{_SCRIPT.replace("__STATE__", data)}</script>'.encode()


def inject(html: bytes, script: bytes) -> bytes:
    """``html`` with ``script`` before its last ``</body>`` (or at its end)."""
    at = html.lower().rfind(b"</body>")
    return html + script if at < 0 else html[:at] + script + html[at:]


class _Handler(BaseHTTPRequestHandler):
    server_version = "digest-preview"
    protocol_version = "HTTP/1.1"
    timeout = IO_SECONDS  # each read and write; a long-poll waits without touching the socket
    served = 0
    server: PreviewHTTPServer

    def handle_one_request(self):
        if self.served:  # the first request's deadline was set when the connection was accepted
            self.server.waiting(self.connection)
        self.served += 1
        super().handle_one_request()

    def parse_request(self):
        ok = super().parse_request()
        if not self.server.answering(self.connection):  # its head came too late: the reaper cut it
            self.close_connection = True
            return False
        return ok

    def do_GET(self):
        self._respond(head=False)

    def do_HEAD(self):
        self._respond(head=True)

    def do_POST(self):
        preview: Preview = self.server.preview  # type: ignore[attr-defined]
        path = urlsplit(self.path).path
        # The body is read (by the desk) only once every check passed: never after a refusal.
        self.close_connection = True
        if preview.desk is None or not path.startswith(LIVE):
            return self._send(405, b"POST is only for the editor's desk of digest serve\n", "text/plain" + _TEXT,
                              False, {"Allow": "GET, HEAD"})
        host_ok = host_allowed(self.headers.get("Host"), self.server.bound, self.connection.getsockname()[0])
        status, reply = preview.desk.post(path[len(LIVE):], self.headers, self.rfile, host_ok)
        self._send(status, json.dumps(reply).encode(), TYPES[".json"], False)

    def log_request(self, code="-", size="-"):
        log = self.server.preview.log  # type: ignore[attr-defined]
        if log is not None:
            code = getattr(code, "value", code)
            log(printable(f'{self.address_string()} - - [{self.log_date_time_string()}] "{self.requestline}" {code}'))

    def log_message(self, format, *args):
        pass  # an error answered is logged by log_request, once; a hang-up is nobody's business

    def _send(self, status: int, body: bytes, ctype: str, head: bool, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _respond(self, head: bool) -> None:
        preview: Preview = self.server.preview  # type: ignore[attr-defined]
        if not host_allowed(self.headers.get("Host"), self.server.bound, self.connection.getsockname()[0]):
            self.close_connection = True
            reason = ("refused: the Host header does not name this preview server (a guard against "
                      f"DNS rebinding); open {preview.url}\n")
            return self._send(403, reason.encode(), "text/plain" + _TEXT, head)
        parts = urlsplit(self.path)
        if parts.path.startswith(LIVE):
            return self._live(preview, parts, head)
        try:
            with preview.reading():
                status, file = preview.find(parts.path)
                if status == 404:
                    file = preview.folder / "404.html"
                body = file.read_bytes() if file is not None and file.is_file() else None
        except (UnicodeDecodeError, OSError):
            status, body, file = 404, None, None
        if status == 301:
            location = parts.path + "/" + (f"?{parts.query}" if parts.query else "")
            return self._send(301, b"", "text/plain" + _TEXT, head, {"Location": location})
        if body is None:
            return self._send(404, b"Not found\n", "text/plain" + _TEXT, head)
        assert file is not None  # the body was read from it
        ctype = TYPES.get(file.suffix.lower(), "application/octet-stream")
        if ctype.startswith("text/html"):
            body = inject(body, live_script(preview.state()) + (preview.desk.script() if preview.desk else b""))
        self._send(status, body, ctype, head)

    def _live(self, preview: Preview, parts, head: bool) -> None:
        name = parts.path[len(LIVE):]
        state: dict | None
        if name == "state":
            state = preview.state()
        elif name == "wait":
            try:
                since = int(parse_qs(parts.query).get("since", ["0"])[0])
            except ValueError:
                since = 0
            state = preview.wait(since, preview.poll_seconds, lambda: hung_up(self.connection))
            if state is None:  # the tab closed, left the page or lost its network: nobody to answer
                self.close_connection = True
                return
        else:
            query = parse_qs(parts.query)
            got = preview.desk.get(name, query) if preview.desk else None
            if (got is None and preview.desk is not None and name and not name.endswith("/")
                    and preview.desk.get(name + "/", query)):
                # A folder-like page: its links are relative to the slash form, as for site pages.
                location = parts.path + "/" + (f"?{parts.query}" if parts.query else "")
                return self._send(301, b"", "text/plain" + _TEXT, head, {"Location": location})
            if got is None:
                return self._send(404, b"Not found\n", "text/plain" + _TEXT, head)
            status, ctype, body = got
            if ctype.startswith("text/html"):  # the review page follows the site's builds
                body = inject(body, live_script(preview.state()))
            return self._send(status, body, ctype, head, {"Allow": "POST"} if status == 405 else None)
        self._send(200, json.dumps(state).encode(), TYPES[".json"], head)


def start_serving(project, host: str = "127.0.0.1", port: int = 8000, poll: bool = False,
                  log: Callable[[str], None] | None = None, bound: Callable[[str], None] | None = None,
                  editing: bool = False):
    """The parts of ``digest serve`` for ``project``, built once and started: the preview
    server (following the output folder if ``digest.toml`` moves it) and the watcher,
    whose loop (``watcher.run``) the caller runs. Raises OSError if the port is taken.

    ``log`` gets the access-log lines. ``bound(url)``, if given, learns the address served
    (the port the system chose, for port 0) before the first build, which then reads the
    configuration again: the project's reload function can put the address in its pages.
    The review page is always served; ``editing`` turns on editing in place (see :mod:`.desk`)."""
    from .desk import Desk
    from .watcher import Watcher

    def rebuild(*args):
        outcome = project.rebuild(*args)
        preview.folder = project.config.output_dir
        desk.seen(outcome)
        return outcome

    desk = Desk(editing)
    preview = Preview(project.config.output_dir, rebuild, host, port, log, desk)
    if bound is not None:
        bound(preview.url)
    # Watching first: a change made during the first build is in the first batch.
    watcher = Watcher(project, preview.rebuild, poll=poll).start()
    preview.rebuild(bound is not None)
    preview.start()
    return preview, watcher
