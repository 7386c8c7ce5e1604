"""uvicorn's HTTP/1.1 protocol, with a deadline and a size bound on each request's head.

uvicorn times out neither a client that connects and sends nothing nor one that sends its
request line and headers a byte at a time (slowloris), and httptools bounds no header: each
such client would hold a connection, and memory, for as long as it likes, until the server
runs out of either. The head (request line and headers) must arrive within
`http_read_timeout` (408) and stay within `max_header_bytes` (431); the body is bounded by the
app (`max_message_bytes`, `http_read_timeout`), idle keep-alive connections by uvicorn.
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .._protocol import jsonrpc
from ..errors import InvalidRequest


class BoundedHeads(HttpToolsProtocol):
    """The protocol of one connection; `bounded_heads` gives it its limits."""

    timeout: ClassVar[float]
    max_bytes: ClassVar[int]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        """The request line and headers parsed so far."""
        self._received = 0
        """The bytes received while the head was incomplete: a header line yet to end is in them."""
        self._deadline: asyncio.TimerHandle | None = None
        self._refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head()

    def _start_head(self) -> None:
        self._head_bytes = self._received = 0
        if self._deadline is None:  # a connection's first head: the deadline runs from the connection
            self._deadline = self.loop.call_later(self.timeout, self._too_slow)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._start_head()

    def on_url(self, url: bytes) -> None:
        self._head_bytes += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_bytes += len(name) + len(value) + 4  # ": " and CRLF
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._stop_deadline()
        if self._head_bytes > self.max_bytes:
            self._too_large()
        else:
            super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self._refused:
            super().on_message_complete()

    def data_received(self, data: bytes) -> None:
        if self._refused:  # lingering: what the client still sends is dropped unread
            return
        reading_head = self._deadline is not None
        super().data_received(data)
        if reading_head and self._deadline is not None and not self._refused:
            # Headers httptools has not finished parsing are held by it, unbounded: count
            # what arrives while the head is incomplete.
            self._received += len(data)
            if self._received > self.max_bytes:
                self._too_large()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_deadline()
        super().connection_lost(exc)

    def _stop_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        self._refuse(
            HTTPStatus.REQUEST_TIMEOUT,
            f"Request timeout: the request's headers did not arrive within {self.timeout:g} seconds",
        )

    def _too_large(self) -> None:
        text = f"Request header fields too large: over {self.max_bytes} bytes (max_header_bytes); send shorter headers"
        self._refuse(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, text)

    def _refuse(self, status: HTTPStatus, text: str) -> None:
        """Answer with `status` and a JSON-RPC error saying `text`; nothing more of the connection is read.

        The answer is followed by the end of our side of the connection, and the connection is
        closed once the client closes its side or after `timeout` (a lingering close: closing
        at once, with the client's bytes unread, would reset the connection, and the client
        could lose the answer). While the answer to an earlier request (HTTP/1.1 pipelining) is
        being written, the connection is only closed.
        """
        self._stop_deadline()
        self._refused = True
        if self.cycle is not None and not self.cycle.response_complete:
            self.transport.close()
            return
        body = jsonrpc.error_message(None, InvalidRequest(text))
        head = f"HTTP/1.1 {status.value} {status.phrase}\r\ncontent-type: application/json\r\n"
        self.transport.write(f"{head}content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode() + body)
        self.transport.write_eof()
        self.loop.call_later(self.timeout, self.transport.close)


def bounded_heads(timeout: float, max_bytes: int) -> type[asyncio.Protocol]:
    """The protocol class for uvicorn's `http`: request heads within `timeout` seconds and `max_bytes` bytes."""
    return type("BoundedHeads", (BoundedHeads,), {"timeout": timeout, "max_bytes": max_bytes})
