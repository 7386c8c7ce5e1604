"""The host's own state as resources: `toolhost://tools` and `toolhost://metrics`.

Served whenever any built-in group is. The subscribers of `toolhost://tools` hear of
every change to the tool set (a plugin reloaded), as `notifications/resources/updated`;
those of `toolhost://metrics` at most once per `state_interval` (1 s), and only when a
tool call started or ended since they last heard: its uptime changes all the time, and
counting requests would make each read of the resource cause the next update.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

import anyio

from .._protocol.versions import LATEST_HANDSHAKE, feature_level
from ..errors import ConfigError

if TYPE_CHECKING:
    from ..host import ToolHost

__all__ = ["METRICS_URI", "TOOLS_URI", "serve_host_resources"]

TOOLS_URI: Final = "toolhost://tools"
METRICS_URI: Final = "toolhost://metrics"


def serve_host_resources(host: ToolHost) -> None:
    level = feature_level(LATEST_HANDSHAKE)

    @host.resource(TOOLS_URI, name="tools", title="Tools served", mime_type="application/json")
    def tools() -> dict[str, Any]:
        """The tools served now: names, titles, descriptions, schemas, annotations and where each comes from."""
        listed = []
        for tool in host.registry:
            try:
                described = tool.definition(level)
            except ConfigError as exc:
                described = {"name": tool.name, "error": str(exc)}
            described["source"] = tool.source or "the host's own"
            listed.append(described)
        return {"tools": listed}

    host.registry.on_change(lambda: host.subscriptions.updated(TOOLS_URI))

    @host.resource(METRICS_URI, name="metrics", title="Metrics", mime_type="application/json")
    def metrics() -> dict[str, Any]:
        """This server's figures now, as `mcp-toolhost stats --json` prints them: calls, outcomes, latencies."""
        return host.recorder.snapshot()

    host.background.append(_MetricsWatch(host).run)


class _MetricsWatch:
    """The `Watcher` of `toolhost://metrics`: tells its subscribers, at most once per `state_interval`."""

    def __init__(self, host: ToolHost) -> None:
        self._host = host
        self._subscribers = 0
        host.subscriptions.watchers.append(self)

    def offer(self, uri: str) -> Callable[[], None] | None:
        if uri != METRICS_URI:
            return None
        self._subscribers += 1
        return self._drop

    def _drop(self) -> None:
        self._subscribers -= 1

    async def settled(self) -> None:
        return None  # the next check is at most an interval away

    async def run(self) -> None:
        recorder = self._host.recorder
        told = recorder.activity()
        while True:  # a wake-up per interval costs nothing measurable; the state file's writer does the same
            await anyio.sleep(self._host.settings.state_interval)
            if not self._subscribers:
                continue
            now = recorder.activity()
            if now != told:
                told = now
                self._host.subscriptions.updated(METRICS_URI)
