"""The ASGI interface, as the types of its parts (what an application is called with), and the
plumbing Streamable HTTP (`http.py`) and the dashboard share: request headers, the body,
responses, the Host check, and `Mount`, an app served on the `--http` port beside MCP.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any, Final, Protocol
from urllib.parse import urlsplit

import anyio

from .sockets import is_loopback

__all__ = [
    "JSON",
    "App",
    "BodyRefused",
    "Message",
    "Mount",
    "Receive",
    "Scope",
    "Send",
    "foreign_host",
    "headers",
    "read_body",
    "respond",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

JSON: Final = b"application/json"


class Mount(Protocol):
    """An ASGI app served on the `--http` port beside MCP, at every path but MCP's and `/healthz` (the dashboard)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None: ...

    def announce(self, url: str) -> None:
        """Say on stderr where it is served: `url` is the port's `http://HOST:PORT`."""

    def close(self) -> None:
        """Shutting down: end its open streams and calls, so that the server can finish."""


class BodyRefused(Exception):
    """A request body not read: too large or too slow; `status` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def headers(scope: Scope) -> dict[str, str]:
    """The request's headers by lower-case name; one given twice is the comma-joined list (RFC 9110, 5.3)."""
    given: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        given[name] = f"{given[name]}, {value}" if name in given else value
    return given


async def read_body(receive: Receive, given: dict[str, str], limit: int, timeout: float) -> bytes:
    """The request's body, at most `limit` bytes arriving within `timeout` seconds; else BodyRefused."""
    declared = given.get("content-length", "")
    size = int(declared) if declared.isdigit() else 0
    chunks: list[bytes] = []
    with anyio.move_on_after(timeout):
        while size <= limit:
            message = await receive()
            chunk = message.get("body", b"")
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)
            size += 0 if declared else len(chunk)
        raise BodyRefused(413, f"Content too large: a message may have {limit} bytes (max_message_bytes); send less")
    raise BodyRefused(408, f"Request timeout: the body did not arrive within {timeout:g} seconds")


async def respond(
    send: Send, status: int, body: bytes, head: Iterable[tuple[bytes, bytes]] = (), content_type: bytes = JSON
) -> None:
    """A whole response; `content_type` only when there is a body.

    With its length, so that uvicorn writes the body as it is instead of as chunks (and a
    client reads it to its end without parsing chunked framing).
    """
    fields = [*head, (b"content-length", b"%d" % len(body))]
    if body:
        fields.append((b"content-type", content_type))
    await send({"type": "http.response.start", "status": status, "headers": fields})
    await send({"type": "http.response.body", "body": body})


def foreign_host(given: dict[str, str], *, loopback: bool) -> str | None:
    """Why a request's `Host` is refused, or None.

    Bound to loopback, a request naming another host came through a name that resolves here:
    a DNS rebinding page (basic/transports, "Security Warning"), or a proxy that should pass
    `Host` through.
    """
    if not loopback:
        return None
    return _foreign(given.get("host", ""))


@functools.lru_cache(maxsize=16)  # parsing it cost a request 3% of its CPU, and a client sends the same one each time
def _foreign(header: str) -> str | None:
    try:
        host = urlsplit(f"//{header}").hostname
    except ValueError:  # a malformed name, such as an unclosed "[::1"
        host = None
    if is_loopback(host):
        return None
    return f"Forbidden: host {host!r} is not this loopback server's (DNS rebinding?); use 127.0.0.1 or localhost"
