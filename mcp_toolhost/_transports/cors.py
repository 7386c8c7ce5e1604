"""Browser origins: which may use the server, and the CORS headers that let their pages read it.

A page on another origin (the MCP Inspector's direct connection from http://localhost:6274, a web
app listed in `allow_origins`) reaches the MCP endpoint through the browser's CORS protocol (Fetch
standard, "CORS protocol"): its POST carries `Content-Type: application/json` and MCP's own
headers, so the browser first asks with a preflight `OPTIONS`, and it hands the page an answer
only if it names the page's origin; the page reads `Mcp-Session-Id` only if it is exposed.

`Cors` answers those preflights and adds those headers, for exactly the origins `allows` lets
through. The origin is reflected, never `*`, and no cookie is ever asked for (the token travels in
`Authorization`, which a page sets itself), so no `Access-Control-Allow-Credentials`. A request from
a refused origin passes on untouched: the application answers it 403.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final
from urllib.parse import urlsplit

from .asgi import App, Message, Receive, Scope, Send
from .sockets import is_loopback

METHODS: Final = b"GET, POST, DELETE"
"""The methods the MCP endpoint serves: its 405 answers' `Allow`, and what a preflight may ask for."""
_PLAIN: Final = frozenset({b"accept", b"authorization", b"content-type", b"last-event-id"})
"""Request headers a page may send besides MCP's own (`Mcp-*`, `MCP-Protocol-Version`, SEP-2243's `Mcp-Param-*`)."""
_EXPOSED: Final = b"mcp-session-id, mcp-protocol-version, www-authenticate, retry-after"
"""Answer headers a client must read that are not CORS-safelisted: the session, the version, the
401's challenge (the TypeScript SDK's client reads it to start OAuth) and a 503's `Retry-After`."""
_MAX_AGE: Final = b"7200"
"""Seconds a browser may reuse a preflight's answer: Chromium's ceiling. A cached answer grants
nothing that the request itself is not checked for again."""


def allows(origin: str, allow_origins: Collection[str]) -> bool:
    """A browser origin that may use the server: a loopback one, or one that `allow_origins` lists."""
    try:
        host = urlsplit(origin).hostname
    except ValueError:  # a malformed origin, such as an unclosed "http://[::1": not one of ours
        return origin in allow_origins
    return is_loopback(host) or origin in allow_origins


class Cors:
    """ASGI middleware: CORS on `paths` for the origins `allows`; other requests reach `app` as they came."""

    def __init__(self, app: App, paths: Collection[str], allow_origins: Collection[str]) -> None:
        self._app = app
        self._paths = frozenset(paths)
        self._allow_origins = frozenset(allow_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = _header(scope, b"origin") if scope["type"] == "http" and scope["path"] in self._paths else None
        if origin is None or not allows(origin.decode("latin-1"), self._allow_origins):
            await self._app(scope, receive, send)
            return
        granted = [(b"access-control-allow-origin", origin), (b"vary", b"origin")]
        if scope["method"] == "OPTIONS" and _header(scope, b"access-control-request-method") is not None:
            await _preflight(scope, granted, send)
            return

        async def send_granted(message: Message) -> None:
            if message["type"] == "http.response.start":
                exposed = (b"access-control-expose-headers", _EXPOSED)
                message = {**message, "headers": [*message.get("headers", ()), *granted, exposed]}
            await send(message)

        await self._app(scope, receive, send_granted)


async def _preflight(scope: Scope, granted: list[tuple[bytes, bytes]], send: Send) -> None:
    """204 naming what a page may send. It needs no token (browsers never send one on a preflight)
    and tells nothing about the server: the same answer for every allowed origin and path.

    Asked headers that are not allowed are left out, and asked methods are not echoed, so the
    browser refuses the request itself, naming what was refused.
    """
    asked = (_header(scope, b"access-control-request-headers") or b"").lower().split(b",")
    headers = [name for name in (part.strip() for part in asked) if name in _PLAIN or name.startswith(b"mcp-")]
    answer = [*granted, (b"access-control-allow-methods", METHODS), (b"access-control-max-age", _MAX_AGE)]
    if headers:
        answer.append((b"access-control-allow-headers", b", ".join(headers)))
    await send({"type": "http.response.start", "status": 204, "headers": answer})
    await send({"type": "http.response.body", "body": b""})


def _header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of header `name` (lower case, as ASGI servers give names)."""
    for key, value in scope["headers"]:
        if key.lower() == name:
            return bytes(value)
    return None
