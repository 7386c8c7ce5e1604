"""Plugins: tools from folders, installed packages and manifests that wrap programs.

One concept per module: `discovery` (where plugins come from), `metadata` (what a
plugin declares, dependency order), `modules` (importing a plugin's Python code),
`manifest` (the manifest format and its published JSON Schema), `command` (running a
manifest's program in a sandbox), `filters` (allow/deny lists), `loader` (loading it
all onto a host, with the name-conflict rule), `reload` (live reload), `scaffold`
(`new-plugin`) and `docs` (`docs`).

Nothing here is imported unless plugins are configured; the names below load on
first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .loader import PluginManager, PluginReport, plugin_host

__all__ = ["PluginManager", "PluginReport", "plugin_host"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import loader

        return getattr(loader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
