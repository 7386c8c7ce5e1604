"""The host's own state as resources: `toolhost://tools`, the tools served right now.

Served whenever any built-in group is. Its subscribers hear of every change to the
tool set (a plugin reloaded), as `notifications/resources/updated`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from .._protocol.versions import LATEST_HANDSHAKE, feature_level
from ..errors import ConfigError

if TYPE_CHECKING:
    from ..host import ToolHost

__all__ = ["TOOLS_URI", "serve_host_resources"]

TOOLS_URI: Final = "toolhost://tools"


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
