"""The metrics snapshot's types: what `ToolHost.metrics()` returns and `mcp-toolhost stats --json` prints.

Every figure comes from one place, the server's recorder; this module only gives them
names and types. Latencies cover a sliding window: the last `window_calls` calls of
each tool that ended within the last `window_seconds` (README, "Metrics and stats").
"""

from __future__ import annotations

from pydantic import BaseModel

__all__ = ["Latency", "Metrics", "ToolMetrics"]


class Latency(BaseModel):
    """Durations of a tool's recent calls in milliseconds (nearest-rank percentiles); None without calls."""

    samples: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None


class ToolMetrics(BaseModel):
    """One tool's calls since the server started; each finished call counts in exactly one outcome."""

    calls: int
    """Calls that ended, whatever the outcome."""
    ok: int
    errors: int
    """Calls answered with an error result (`isError`), timeouts aside."""
    protocol_errors: int
    """Calls answered with a JSON-RPC error (invalid arguments before 2025-11-25, an internal error)."""
    timeouts: int
    cancellations: int
    """Calls cancelled by the client, or by a shutdown: no answer was sent."""
    in_flight: int
    result_bytes: int
    """Bytes of the answers sent, in total."""
    latency: Latency


class Metrics(BaseModel):
    """A server's figures at one moment."""

    pid: int
    name: str
    version: str
    started_at: float
    """Unix time the server started."""
    uptime_seconds: float
    rss_bytes: int | None
    """Resident memory (the peak where the current figure is unavailable); None if unknown."""
    open_calls: int
    messages_in: int
    messages_out: int
    requests: dict[str, int]
    """Requests received by method; methods not served are counted as "(other)"."""
    window_calls: int
    window_seconds: float
    tools: dict[str, ToolMetrics]
    """By tool name: the tools called at least once."""
