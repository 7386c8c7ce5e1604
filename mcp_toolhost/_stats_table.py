"""`mcp-toolhost stats` as text: a header and a table of tools per running server."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .metrics import Metrics, ToolMetrics

__all__ = ["stats_report"]

_COLUMNS = ("tool", "calls", "ok", "errors", "protocol", "timeouts", "cancelled", "running")
_LATENCIES = ("p50_ms", "p95_ms", "p99_ms", "max_ms")


def stats_report(servers: list[Metrics], folder: Path, pid: int | None, *, as_json: bool) -> tuple[str, bool]:
    """The text to print, and whether any server was found (with `pid`, that one)."""
    if pid is not None:
        servers = [server for server in servers if server.pid == pid]
    if not servers:
        which = f"with pid {pid} " if pid is not None else ""
        return (
            f"No mcp-toolhost server {which}is running (no live state file in {folder}). A server started with"
            " another --state-dir (or MCP_TOOLHOST_STATE_DIR) is listed with the same option.",
            False,
        )
    if as_json:
        import orjson

        data = servers[0].model_dump() if pid is not None else [server.model_dump() for server in servers]
        return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode(), True
    return "\n\n".join(_server(server) for server in servers), True


def _server(server: Metrics) -> str:
    rss = "unknown" if server.rss_bytes is None else f"{server.rss_bytes / 2**20:.1f} MiB"
    lines = [
        f"{server.name} {server.version}, pid {server.pid}: up {_duration(server.uptime_seconds)}, RSS {rss},"
        f" {server.open_calls} open calls, messages {server.messages_in} in / {server.messages_out} out",
        "requests: " + (", ".join(f"{method} {count}" for method, count in server.requests.items()) or "none"),
    ]
    if not server.tools:
        return "\n".join([*lines, "no tool called yet"])
    rows = [[*_COLUMNS, *(name.removesuffix("_ms") + " ms" for name in _LATENCIES)]]
    rows += [_row(name, tool) for name, tool in server.tools.items()]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [row[0].ljust(widths[0]), *(cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True))]
        lines.append("  ".join(cells).rstrip())
    lines.append(
        f"(latency of the last {server.window_calls} calls per tool within {server.window_seconds:g} s;"
        " running: calls in flight)"
    )
    return "\n".join(lines)


def _row(name: str, tool: ToolMetrics) -> list[str]:
    counts = (tool.calls, tool.ok, tool.errors, tool.protocol_errors, tool.timeouts, tool.cancellations, tool.in_flight)
    latency = tool.latency.model_dump()
    return [name, *map(str, counts), *("-" if latency[key] is None else f"{latency[key]:.2f}" for key in _LATENCIES)]


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}d {hours}h {minutes}m"
    if hours:
        return f"{hours}h {minutes}m {secs}s"
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"
