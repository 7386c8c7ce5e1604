"""`LogEvents`: the server's log records as `log` events on `/api/events`, masked as on stderr.

Records at the level the server logs at (`--log-level`) are sent; credentials in a message are
masked (`_redact.redact_text`) as the stderr log masks them. A record logged in a worker thread
(a sync tool) is handed to the event loop, where `Events` lives.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from .._redact import redact_text
from .events import Events

__all__ = ["LogEvents"]


class LogEvents(logging.Handler):
    def __init__(self, events: Events, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._events = events
        self._loop = loop
        self._loop_thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            event = {
                "time": record.created,
                "level": record.levelname.lower(),
                "logger": record.name,
                "message": redact_text(record.getMessage()),
            }
            if record.exc_info and record.exc_info[1] is not None:
                error = record.exc_info[1]
                event["exception"] = redact_text(f"{type(error).__name__}: {error}")
        except Exception:  # a record that cannot be formatted: logging's own policy
            self.handleError(record)
            return
        if threading.get_ident() == self._loop_thread:
            self._events.publish("log", event)
        elif not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._events.publish, "log", event)
