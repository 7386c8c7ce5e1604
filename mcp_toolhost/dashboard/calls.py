"""`CallLog`: the recent tool calls of every connection, for `/api/calls`, the page and `/api/events`.

Arguments and results are masked as the audit log masks them (`_redact.redact_data`, long
strings cut at `audit_max_value_chars`): the page shows them to whoever holds the token,
and a secret a client passed must not end up on a screen.
"""

from __future__ import annotations

import collections
import itertools
import time
from typing import TYPE_CHECKING, Any

from .._json import loads
from .._redact import redact_data
from .events import Events

if TYPE_CHECKING:
    from .._protocol.connection import Call
    from ..config import Settings

__all__ = ["CallLog"]


class CallLog:
    """A `CallWatcher` keeping the last `dashboard_calls_kept` calls and announcing each on `events`."""

    def __init__(self, settings: Settings, events: Events) -> None:
        self._events = events
        self._longest = settings.audit_max_value_chars
        self._recent: collections.deque[dict[str, Any]] = collections.deque(maxlen=settings.dashboard_calls_kept)
        self._ids = itertools.count(1)
        self._running: dict[int, dict[str, Any]] = {}
        """By `id(call)`: the record of each call in flight."""

    def started(self, call: Call) -> None:
        assert call.function is not None  # a tool call
        client = call.scope.client_info or {}
        record = {
            "id": next(self._ids),
            "time": time.time(),
            "client": client.get("name") if isinstance(client.get("name"), str) else None,
            "tool": call.function.name,
            "arguments": redact_data(call.arguments, self._longest),
            "outcome": "running",
        }
        self._running[id(call)] = record
        self._events.publish("call_started", record)

    def ended(self, call: Call, answer: bytes | None, seconds: float) -> None:
        record = self._running.pop(id(call), None)
        if record is None:
            return
        record["outcome"] = call.outcome
        record["duration_ms"] = round(seconds * 1000, 3)
        record["result"] = self._result(answer)
        self._recent.append(record)
        self._events.publish("call_finished", record)

    def recent(self, limit: int) -> list[dict[str, Any]]:
        """The last `limit` calls that ended, newest first."""
        return list(itertools.islice(reversed(self._recent), limit))

    def last_call(self, tool: str) -> float | None:
        """When the newest kept call of `tool` started (Unix time), if any is kept."""
        return next((record["time"] for record in reversed(self._recent) if record["tool"] == tool), None)

    def _result(self, answer: bytes | None) -> Any:
        if answer is None:
            return None
        message = loads(answer)
        return redact_data(message.get("result", message.get("error")), self._longest)
