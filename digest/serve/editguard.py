"""Who may write through the preview: the checks every editing request passes before its body is read.

The edit endpoint of ``digest serve`` writes files, so a page of another site open in the
same browser must not be able to use it. A request is answered only when it is a POST that
names this server in its Host header, comes from this server's own pages (an ``Origin``,
when the browser sends one, equal to the served address), carries the token made when
serve started (only pages served by it hold it: another site's page cannot read them, and
sending the header from there needs a CORS preflight this server never grants), is JSON,
and is small. Anything else is refused before a byte of its body is read.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from typing import Mapping

from .preview_http import LOCAL_NAMES

TOKEN_HEADER = "X-Digest-Token"
"""The request header that carries the session's token."""
MAX_BODY = 64 * 1024
"""The largest request body accepted, in bytes: a paragraph and its address fit many times."""


def new_token() -> str:
    """A fresh, unguessable token for one serve session."""
    return secrets.token_urlsafe(32)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or name as given to ``--host``) is this machine only."""
    host = host.strip().strip("[]").lower()
    if host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def editing_allowed(host: str, allow_remote: bool) -> tuple[bool, str | None]:
    """Whether a preview bound to ``host`` may edit, and a warning to give (or None).

    Bound to anything but loopback, anyone who reaches the machine could post edits with
    the token of a page they were served, so editing is off unless ``allow_remote``."""
    if is_loopback(host):
        return True, None
    if allow_remote:
        return True, (f"editing in place is on for everyone who can reach {host or '*'} "
                      "(--allow-remote-edits): they can change the content folder's .edits.toml files")
    return False, (f"editing in place is off: the preview is bound to {host or '*'}, not to this machine "
                   "only (--allow-remote-edits turns it on)")


def refusal(headers: Mapping[str, str], token: str, host_ok: bool) -> tuple[int, str] | None:
    """Why a POST with ``headers`` is refused, as ``(status, reason)``; None when it may go on.

    ``host_ok``: its Host header names this server (checked by the HTTP layer)."""
    if not host_ok:
        return 403, "the Host header does not name this preview server"
    origin = headers.get("Origin")
    if origin is not None and origin.lower() != f"http://{headers.get('Host', '')}".lower():
        return 403, "the request comes from a page of another site (Origin)"
    sent = headers.get(TOKEN_HEADER) or ""
    if not hmac.compare_digest(sent.encode("utf-8", "replace"), token.encode()):
        return 403, "no valid token: reload the page (the token changes each time serve starts)"
    kind = (headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
    if kind != "application/json":
        return 400, "the body must be JSON (Content-Type: application/json)"
    length = body_length(headers)
    if length is None or headers.get("Transfer-Encoding"):
        return 400, "a Content-Length is needed"
    if length > MAX_BODY:
        return 400, f"the body is over {MAX_BODY} bytes"
    return None


def body_length(headers: Mapping[str, str]) -> int | None:
    """The request's Content-Length, or None when it is missing or not a number."""
    text = (headers.get("Content-Length") or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None
