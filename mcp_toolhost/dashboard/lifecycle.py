"""`Switches`: tools turned off and on from the dashboard, at once for every connected client.

A disabled tool leaves the registry, so `tools/list` stops listing it and every connection
sends `notifications/tools/list_changed` (handshake era; 2026-07-28: on the `subscriptions/listen`
streams that asked for it). It is kept here, to come back when enabled; a call naming it is
told why it is not served. It stays disabled when a reload serves a new version of it: the
new version is taken out and kept in its place.
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
        registry.on_change(self._keep_disabled)

    def disable(self, name: str) -> None:
        tool = self._registry.remove(name)
        if tool is not None:
            self.disabled[name] = tool

    def enable(self, name: str) -> None:
        tool = self.disabled.pop(name, None)
        if tool is not None and name not in self._registry:  # a reload may have served another meanwhile
            self._registry.add(tool)

    def _keep_disabled(self) -> None:
        for name in [name for name in self.disabled if name in self._registry]:
            self.disable(name)

    def _why_not_served(self, name: str) -> str | None:
        if name in self.disabled:
            return "it was disabled from the dashboard; enable it there (POST /api/tools/NAME/enable)"
        return None
