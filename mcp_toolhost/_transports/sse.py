"""Server-sent event streams for Streamable HTTP: the messages of one response, numbered and kept
so that a client whose connection dropped can resume (basic/transports, "Resumability and Redelivery").

A `Stream` outlives the HTTP response writing it: a tool's progress and answer keep arriving
while the client reconnects, and `GET` with `Last-Event-ID: N-SEQ` goes on from event SEQ of
stream N. Each stream keeps its last `keep` events, so memory stays bounded.
"""

from __future__ import annotations

import asyncio
import collections
import re

from .asgi import Send

HEADERS = [
    (b"content-type", b"text/event-stream"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),  # nginx: pass events through as they come
]


class Stream:
    """The messages of one response (a POST's answer and what precedes it, or a session's GET stream)."""

    def __init__(self, number: int, keep: int) -> None:
        self.number = number
        self._log: collections.deque[tuple[int, bytes]] = collections.deque(maxlen=keep)
        self.last = 0
        """The number of the latest event."""
        self._changed = asyncio.Event()
        self.related = 0
        """Messages sent before the answer: any at all makes a POST's response an SSE stream."""
        self.done = False
        self.delivered = 0
        """The last event a client was sent: a GET without `Last-Event-ID` goes on after it."""
        self.attached = False
        """Whether a response is writing this stream now."""
        self._writers = 0
        """Responses that wrote this stream: the latest writes it, an earlier one has ended."""
        self._cut = False

    def send(self, data: bytes) -> None:
        if not self.done:
            self._append(data)
            self.related += 1

    def reply(self, data: bytes | None) -> None:
        """The answer (None: there is none, the request was cancelled): the stream ends with it."""
        if self.done:
            return
        if data is not None:
            self._append(data)
        self.close()

    def keep_open(self, data: bytes | None) -> None:
        """The answer to a `subscriptions/listen`: None means "stream open", so the stream goes on."""
        if data is not None:
            self.reply(data)

    def close(self) -> None:
        self.done = True
        self._changed.set()

    def cut(self) -> None:
        """End the response writing this stream now; the stream goes on, for the client to resume."""
        self._cut = True
        self._changed.set()

    def _append(self, data: bytes) -> None:
        self.last += 1
        self._log.append((self.last, data))
        self._changed.set()

    async def after(self, seq: int, writer: int | None = None) -> list[tuple[int, bytes]]:
        """The events after `seq`, waiting for one; [] once the stream is done (or cut) and nothing is left,
        or once a response later than `writer` writes it."""
        while True:
            if writer is not None and writer != self._writers:
                return []
            new = []
            for number, data in reversed(self._log):
                if number <= seq:
                    break
                new.append((number, data))
            if new or self.done or self._cut:
                new.reverse()
                return new
            self._changed.clear()
            await self._changed.wait()

    async def write(self, send: Send, seq: int, retry_ms: int | None, keepalive: float = 0) -> None:
        """Write the events after `seq` as an SSE response until the stream is done or cut.

        `retry_ms` numbers the events and starts with a priming event (an id, empty data and
        `retry`), after which a client that loses the connection can resume (2025-11-25);
        None writes bare events, for clients of earlier revisions and for 2026-07-28.

        After `keepalive` seconds without an event (0: never) a comment goes out: proxies keep
        a connection that carries something, and only writing finds a client gone unseen.

        A response writing the stream already ends: this one takes it over. The client would
        not open a second one while the first works, and the server may not know the first is
        dead (a laptop that slept: nothing tells it until it writes); refusing the second would
        leave the client without its stream for as long.
        """
        self._writers += 1
        writer = self._writers
        self.attached = True
        self._changed.set()  # wakes the earlier response, if any, to end
        try:
            await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
            if retry_ms is not None:
                priming = f"id: {self.number}-{seq}\nretry: {retry_ms}\ndata: \n\n".encode()
                await send({"type": "http.response.body", "body": priming, "more_body": True})
            while True:
                try:
                    async with asyncio.timeout(keepalive or None):
                        events = await self.after(seq, writer)
                except TimeoutError:
                    await send({"type": "http.response.body", "body": b": keepalive\n\n", "more_body": True})
                    continue
                if not events:
                    break
                body = b"".join(self._frame(number, data, retry_ms is not None) for number, data in events)
                await send({"type": "http.response.body", "body": body, "more_body": True})
                seq = self.delivered = events[-1][0]
                if self._cut:
                    break
            if writer == self._writers:
                self._cut = False  # a cut ends this response only: the client resumes the stream
            await send({"type": "http.response.body", "body": b""})
        finally:
            if writer == self._writers:
                self.attached = False

    def _frame(self, number: int, data: bytes, numbered: bool) -> bytes:
        head = f"id: {self.number}-{number}\n".encode() if numbered else b""
        return head + b"event: message\ndata: " + data + b"\n\n"


_EVENT_ID = re.compile(r"([0-9]{1,18})-([0-9]{1,18})")
"""`N-SEQ`, as `_frame` writes it; numbers past 18 digits are not ours (and could not be parsed in bounded time)."""


def parse_event_id(text: str) -> tuple[int, int] | None:
    """`N-SEQ` (stream number, event number) from a `Last-Event-ID` header, or None if it is not one."""
    found = _EVENT_ID.fullmatch(text.strip())
    return None if found is None else (int(found[1]), int(found[2]))
