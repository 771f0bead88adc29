"""The HTTP layer under the preview: bounded connections, deadlines, a Host check, quiet hang-ups.

A thread per connection is simple, but each connection holds a file handle and a thread for
as long as its client likes: a thousand clients that open a socket and send nothing used every
file handle the process had. So :class:`PreviewHTTPServer` keeps a table of its connections.
A connection waiting for a request head has a deadline (:data:`HEAD_SECONDS` for the first
request, :data:`IDLE_SECONDS` between keep-alive requests) and a reaper thread shuts it down
when the deadline passes, however slowly its bytes trickle in. The table holds at most
:func:`connection_limit` connections: a new one pushes out the waiting connection nearest its
deadline, and only when every connection is busy answering does it get a quick 503.
A connection that is answering (a long-poll included) has no deadline; each read or write
still times out after :data:`IO_SECONDS`.

Clients hang up all the time (a tab closed, a page left, a dropped network): those errors end
the connection without a traceback. Any other error still prints one.
"""

from __future__ import annotations

import errno
import ipaddress
import select
import socket
import sys
import threading
import time
from http.server import ThreadingHTTPServer

HEAD_SECONDS = 10.0
"""How long a new connection has to send a whole request line and headers."""
IDLE_SECONDS = 15.0
"""How long a keep-alive connection may wait for its next request (and send its head)."""
IO_SECONDS = 10.0
"""The socket timeout of every read and write of a connection."""
CHECK_SECONDS = 0.25
"""How often deadlines are checked, and a long-poll looks whether its client hung up."""
BACKLOG = 1024
"""Connections the kernel queues before they are accepted (the standard library's is 5)."""
MAX_CONNECTIONS = 512
ALL_INTERFACES = {"0.0.0.0", "::", ""}
LOCAL_NAMES = {"localhost", "127.0.0.1", "::1"}

_BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
         b"Content-Length: 32\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
         b"busy: too many connections open\n")
# A client that hangs up or stalls shows up as one of these; none is a bug of the server.
_QUIET_ERRNOS = {errno.EBADF, errno.ENOTCONN, errno.EPIPE, errno.ECONNRESET, errno.ECONNABORTED,
                 errno.ESHUTDOWN, errno.ETIMEDOUT}


def connection_limit() -> int:
    """Connections served at once: :data:`MAX_CONNECTIONS`, or half the file handles the
    process may open if that is fewer (the builds need the other half)."""
    try:
        import resource
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):
        return MAX_CONNECTIONS
    if soft == resource.RLIM_INFINITY or soft <= 0:
        return MAX_CONNECTIONS
    return max(8, min(MAX_CONNECTIONS, soft // 2))


def _ip(text: str):
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def host_name(header: str) -> str | None:
    """The name in a Host header without its port (``[::1]:8000`` gives ``::1``), lower-cased;
    None when it is not a well-formed host."""
    header = header.strip().lower()
    if header.startswith("["):
        name, bracket, port = header[1:].partition("]")
        if not bracket or _ip(name) is None:
            return None
    else:
        name, colon, port = header.partition(":")
        port = colon + port
    if port and not (port[0] == ":" and port[1:].isascii() and port[1:].isdigit()):
        return None
    return name or None


def host_allowed(header: str | None, bound: set[str], local_address: str | None) -> bool:
    """Whether a Host header names this server: localhost, 127.0.0.1, [::1], a name in
    ``bound`` (the address the server was bound to, as given and as resolved) or, when bound
    to every interface, the address the client reached (this machine's own IP literal).

    DNS rebinding points an attacker's name at 127.0.0.1, so the browser lets the
    attacker's page read the preview: its requests carry that name, which is refused."""
    name = host_name(header) if header else None
    if name is None:
        return False
    if name in LOCAL_NAMES or name in bound:
        return True
    if bound & ALL_INTERFACES and local_address:
        ip = _ip(name)
        return ip is not None and ip == _ip(local_address)
    return False


def hung_up(sock: socket.socket) -> bool:
    """Whether the client of ``sock`` closed or reset the connection; reads nothing from it."""
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock, select.POLLIN | select.POLLPRI)
            events = poller.poll(0)
            if events and events[0][1] & (select.POLLERR | select.POLLNVAL):
                return True
            ready = bool(events)
        else:  # pragma: no cover - Windows
            ready = bool(select.select([sock], [], [], 0)[0])
        return ready and sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


class PreviewHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that bounds its connections and their idle time (see the module)."""

    daemon_threads = True
    request_queue_size = BACKLOG

    def __init__(self, address: tuple[str, int], handler, limit: int | None = None) -> None:
        self.limit = limit or connection_limit()
        self.head_seconds = HEAD_SECONDS
        self.idle_seconds = IDLE_SECONDS
        self._lock = threading.Lock()
        self._closed = threading.Condition(self._lock)  # notified whenever a connection closes
        self._open: set[socket.socket] = set()
        self._deadlines: dict[socket.socket, float] = {}  # the connections waiting for a request head
        self._cut: set[socket.socket] = set()
        self._stop = threading.Event()
        # An IPv6 address (``::`` included) needs an IPv6 socket. The table above exists
        # first: a failed bind calls server_close, and its OSError must come through.
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, handler)
        self.bound = {address[0].lower(), str(self.server_address[0]).lower()}
        self._reaper = threading.Thread(target=self._reap, name="digest-preview-reaper", daemon=True)
        self._reaper.start()

    @property
    def connections(self) -> int:
        """Connections open now (handed to a thread and not yet closed)."""
        with self._lock:
            return len(self._open)

    @property
    def waiting_connections(self) -> int:
        """Open connections waiting for a request head (the rest are answering one)."""
        with self._lock:
            return len(self._deadlines)

    def process_request(self, request, client_address) -> None:
        hard = self.limit * 5 // 4
        with self._lock:
            if len(self._open) - len(self._cut) >= self.limit and self._deadlines:
                self._shut(min(self._deadlines, key=self._deadlines.__getitem__))
            # A pushed-out connection holds its handle until its thread sees the shutdown and
            # closes it, a moment later; new connections wait in the backlog meanwhile.
            self._closed.wait_for(lambda: len(self._open) < hard or not self._cut, timeout=1.0)
            room = len(self._open) - len(self._cut) < self.limit and len(self._open) < hard
            if room:
                self._open.add(request)
                self._deadlines[request] = time.monotonic() + self.head_seconds
        if not room:
            return self._refuse(request)
        try:
            super().process_request(request, client_address)
        except RuntimeError:  # no thread could be started
            self.shutdown_request(request)

    def waiting(self, conn: socket.socket) -> None:
        """``conn`` (kept alive) waits for its next request head, for at most ``idle_seconds``."""
        with self._lock:
            if conn in self._open and conn not in self._cut:
                self._deadlines[conn] = time.monotonic() + self.idle_seconds

    def answering(self, conn: socket.socket) -> bool:
        """``conn`` has a whole request head: no deadline until it waits again. False when the
        connection was cut while the head arrived (then it must not be answered)."""
        with self._lock:
            self._deadlines.pop(conn, None)
            return conn in self._open and conn not in self._cut

    def shutdown_request(self, request) -> None:
        # Out of the table under the lock before the close, so the reaper never shuts a
        # handle number the kernel has already given to a new connection.
        with self._lock:
            self._open.discard(request)
            self._deadlines.pop(request, None)
            self._cut.discard(request)
            super().shutdown_request(request)
            self._closed.notify_all()

    def handle_error(self, request, client_address) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)) or (
                isinstance(exc, OSError) and exc.errno in _QUIET_ERRNOS):
            return
        super().handle_error(request, client_address)

    def server_close(self) -> None:
        """Stop the reaper, cut every connection (long-polls notice within
        :data:`CHECK_SECONDS`), then wait for their threads and close the socket."""
        self._stop.set()
        with self._lock:
            for conn in list(self._open):
                self._shut(conn)
        super().server_close()

    def _shut(self, conn: socket.socket) -> None:
        self._deadlines.pop(conn, None)
        self._cut.add(conn)
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _reap(self) -> None:
        while not self._stop.wait(CHECK_SECONDS):
            now = time.monotonic()
            with self._lock:
                for conn in [c for c, deadline in self._deadlines.items() if deadline <= now]:
                    self._shut(conn)

    def _refuse(self, request) -> None:
        try:
            request.setblocking(False)  # never wait on a client that is turned away
            request.send(_BUSY)
        except OSError:
            pass
        super().shutdown_request(request)
