"""`LatencyWindow`: one tool's latest call durations, in a ring buffer allocated once."""

from __future__ import annotations

import math
from array import array
from typing import Any

__all__ = ["LatencyWindow", "percentile"]

PERCENTILES = (("p50_ms", 0.50), ("p95_ms", 0.95), ("p99_ms", 0.99))


class LatencyWindow:
    """The last `size` durations and when each call ended; a summary keeps those of the last `span` seconds.

    Two fixed arrays of doubles and an index: adding a duration allocates nothing, and
    memory stays the same however many calls are made.
    """

    __slots__ = ("_ended", "_next", "_seconds", "_size", "_span")

    def __init__(self, size: int, span: float) -> None:
        self._size = size
        self._span = span
        self._seconds = array("d", bytes(8 * size))
        self._ended = array("d", [-math.inf]) * size  # an unused slot is older than any window
        self._next = 0

    def add(self, seconds: float, ended: float) -> None:
        """Record one call of `seconds` that ended at `ended` (a `time.perf_counter()` value)."""
        slot = self._next
        self._seconds[slot] = seconds
        self._ended[slot] = ended
        self._next = slot + 1 if slot + 1 < self._size else 0

    def summary(self, now: float) -> dict[str, Any]:
        """Percentiles and maximum, in milliseconds, of the calls that ended in the last `span` seconds."""
        since = now - self._span
        values = sorted(s for s, e in zip(self._seconds, self._ended, strict=True) if e >= since)
        figures: dict[str, Any] = {"samples": len(values)}
        for name, fraction in PERCENTILES:
            figures[name] = percentile(values, fraction) * 1000 if values else None
        figures["max_ms"] = values[-1] * 1000 if values else None
        return figures


def percentile(ordered: list[float], fraction: float) -> float:
    """The nearest-rank percentile of sorted values: the smallest value at or above `fraction` of them."""
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]
