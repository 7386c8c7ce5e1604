"""`Recorder`: the counters behind every metric, bumped when a request or a tool call ends.

On the hot path: a few integer additions and a ring-buffer store per call, no lock (the
protocol core updates them from the event loop's thread only) and no allocation a dict
lookup can avoid.
"""

from __future__ import annotations

import os
import time
from typing import Any, Literal

from .._version import __version__
from ..config import Settings
from .memory import resident_bytes
from .window import LatencyWindow

__all__ = ["OUTCOMES", "Outcome", "Recorder"]

Outcome = Literal["ok", "error", "protocol_error", "timeout", "cancelled"]
"""How a tool call ended: a result, an error result, a JSON-RPC error answer, its timeout, a cancellation."""
OUTCOMES: tuple[Outcome, ...] = ("ok", "error", "protocol_error", "timeout", "cancelled")
OTHER_METHOD = "(other)"
"""Requests for methods the server does not serve are counted together: a client cannot grow the table."""


class _ToolCounters:
    __slots__ = ("in_flight", "outcomes", "result_bytes", "window")

    def __init__(self, window: LatencyWindow) -> None:
        self.in_flight = 0
        self.outcomes: dict[str, int] = dict.fromkeys(OUTCOMES, 0)
        self.result_bytes = 0
        self.window = window


class Recorder:
    """Counts messages, requests by method and, per tool, calls by outcome with their latencies."""

    def __init__(self, name: str, window_calls: int, window_seconds: float) -> None:
        self._name = name
        self._window_calls = window_calls
        self._window_seconds = window_seconds
        self._started_at = time.time()
        self._started = time.perf_counter()
        self.messages_in = 0
        self.messages_out = 0
        self.open_calls = 0
        self._methods: dict[str, int] = {}
        self._tools: dict[str, _ToolCounters] = {}

    @classmethod
    def of(cls, settings: Settings) -> Recorder:
        return cls(settings.name, settings.metrics_window_calls, settings.metrics_window_seconds)

    def request(self, method: str, known: bool) -> None:
        key = method if known else OTHER_METHOD
        self._methods[key] = self._methods.get(key, 0) + 1

    def call_started(self, tool: str) -> None:
        counters = self._tools.get(tool)
        if counters is None:
            counters = self._tools[tool] = _ToolCounters(LatencyWindow(self._window_calls, self._window_seconds))
        counters.in_flight += 1
        self.open_calls += 1

    def call_ended(self, tool: str, outcome: Outcome, started: float, size: int) -> float:
        """Count a call that `call_started` counted; returns its duration in seconds."""
        ended = time.perf_counter()
        counters = self._tools[tool]
        counters.in_flight -= 1
        counters.outcomes[outcome] += 1
        counters.result_bytes += size
        counters.window.add(ended - started, ended)
        self.open_calls -= 1
        return ended - started

    def snapshot(self) -> dict[str, Any]:
        """Every figure now, as plain data shaped like `mcp_toolhost.metrics.Metrics`."""
        now = time.perf_counter()
        tools = {}
        for name, counters in sorted(self._tools.items()):
            outcomes = counters.outcomes
            tools[name] = {
                "calls": sum(outcomes.values()),
                "ok": outcomes["ok"],
                "errors": outcomes["error"],
                "protocol_errors": outcomes["protocol_error"],
                "timeouts": outcomes["timeout"],
                "cancellations": outcomes["cancelled"],
                "in_flight": counters.in_flight,
                "result_bytes": counters.result_bytes,
                "latency": counters.window.summary(now),
            }
        return {
            "pid": os.getpid(),
            "name": self._name,
            "version": __version__,
            "started_at": self._started_at,
            "uptime_seconds": now - self._started,
            "rss_bytes": resident_bytes(),
            "open_calls": self.open_calls,
            "messages_in": self.messages_in,
            "messages_out": self.messages_out,
            "requests": dict(sorted(self._methods.items())),
            "window_calls": self._window_calls,
            "window_seconds": self._window_seconds,
            "tools": tools,
        }
