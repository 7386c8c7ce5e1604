"""`Events`: what `/api/events` streams (calls starting and ending, tool list changes) to every reader.

Each reader has its own bounded queue: a reader that falls `dashboard_event_queue` events
behind is dropped (its stream ends; EventSource reconnects), so a stalled browser tab never
holds memory or slows a tool call. Publishing never blocks and never raises.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from .._json import dumps

__all__ = ["Events"]


class Events:
    def __init__(self, queue: int) -> None:
        self._queue = queue
        self._readers: set[MemoryObjectSendStream[bytes]] = set()
        self._ids = itertools.count(1)
        self._closed = False

    def publish(self, kind: str, data: dict[str, Any]) -> None:
        """One SSE event (`event: KIND`, JSON data) to every reader; called on the event loop thread."""
        frame = b"id: %d\nevent: %s\ndata: %s\n\n" % (next(self._ids), kind.encode(), dumps(data))
        for reader in list(self._readers):
            try:
                reader.send_nowait(frame)
            except anyio.WouldBlock:  # too far behind: drop it rather than buffer without end
                self._readers.discard(reader)
                reader.close()
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                self._readers.discard(reader)

    def close(self) -> None:
        """End every stream, and any opened from now on: shutting down, a server waits for them."""
        self._closed = True
        for reader in self._readers:
            reader.close()
        self._readers.clear()

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[MemoryObjectReceiveStream[bytes]]:
        """The events published from now on, until the block ends, the reader falls too far behind or `close`."""
        send, receive = anyio.create_memory_object_stream[bytes](self._queue)
        if self._closed:
            send.close()
        else:
            self._readers.add(send)
        try:
            with receive:
                yield receive
        finally:
            self._readers.discard(send)
            send.close()
