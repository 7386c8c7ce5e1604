"""Assembling a `ToolHost` from `Settings`: the tools, built-ins and plugins to serve."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from .config import Settings
from .host import ToolHost

if TYPE_CHECKING:
    from pathlib import Path

    from .plugins.loader import PluginReport

__all__ = ["assemble", "build_host"]


def build_host(settings: Settings, config_file: Path | None = None) -> ToolHost:
    """The host serving what `settings` (read from `config_file`, if any) select."""
    host = ToolHost(settings)
    files = None
    if settings.reload and settings.tools:
        from .plugins.tool_files import ToolFiles

        files = ToolFiles(host)
    for spec in settings.tools:
        served = host.add_module(spec)
        if files is not None:
            files.track(spec, served)
    if files is not None and files.served:
        host.list_changed = True
        host.background.append(files.serve)
    if settings.builtins:
        # After the user's tools, so that one of theirs replaces a built-in of the same name.
        from .builtins import register_builtins

        register_builtins(host, config_file=config_file)
    else:
        # Say why a built-in is missing; the built-ins are imported only if a call names one.
        host.registry.reasons.append(lambda name: _why_no_builtin(settings, name))
    _load_plugins(host)
    from ._state_files import write_state_file

    host.background.append(functools.partial(write_state_file, host))  # for `mcp-toolhost stats`
    return host


def _why_no_builtin(settings: Settings, name: str) -> str | None:
    from .builtins import why_hidden

    return why_hidden(settings, None, name)


# --- Plugins -------------------------------------------------------------------------


def assemble(settings: Settings) -> tuple[ToolHost, PluginReport | None]:
    """The host for `settings` and, when plugins are in play, what loading them found (`check`)."""
    host = build_host(settings)
    from .plugins.loader import PluginManager

    manager = PluginManager.of(host)
    return host, manager.report if manager is not None else None


def _load_plugins(host: ToolHost) -> None:
    """Plugin folders, manifests, entry points and the allow/deny lists, when configured.

    Nothing of `plugins/` is imported for a configuration without them; entry points
    are probed for cheaply (a directory listing per `sys.path` entry) before
    `importlib.metadata` is paid for.
    """
    settings = host.settings
    wanted = bool(settings.plugins or settings.manifests or settings.enable_plugins or settings.disable_plugins)
    filtered = bool(settings.enable_tools or settings.disable_tools)
    if not wanted and settings.entry_points:
        from .plugins.discovery import entry_points_declared

        wanted = entry_points_declared()
    if wanted:
        from .plugins.loader import PluginManager

        PluginManager(host).load()
    elif filtered:
        from .plugins.filters import ToolFilter

        tool_filter = ToolFilter.from_settings(settings)
        host.registry.reasons.append(tool_filter.disabled.get)
        tool_filter.apply(host.registry)
