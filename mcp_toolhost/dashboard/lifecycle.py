"""`Switches`: tools turned off and on from the dashboard, at once for every connected client.

A disabled tool leaves the registry, so `tools/list` stops listing it and every connection
sends `notifications/tools/list_changed` (handshake era; 2026-07-28: on the `subscriptions/listen`
streams that asked for it). It is kept here, to come back as it was when enabled; a call
naming it is told why it is not served.
"""

from __future__ import annotations

from .._tools.registry import ToolRegistry
from .._tools.tool import Tool

__all__ = ["Switches"]


class Switches:
    def __init__(self, registry: ToolRegistry) -> None:
        self._registry = registry
        self.disabled: dict[str, Tool] = {}
        registry.reasons.append(self._why_not_served)

    def disable(self, name: str) -> None:
        tool = self._registry.remove(name)
        if tool is not None:
            self.disabled[name] = tool

    def enable(self, name: str) -> None:
        tool = self.disabled.pop(name, None)
        if tool is not None and name not in self._registry:  # a reload may have served another meanwhile
            self._registry.add(tool)

    def _why_not_served(self, name: str) -> str | None:
        if name in self.disabled:
            return "it was disabled from the dashboard; enable it there (POST /api/tools/NAME/enable)"
        return None
