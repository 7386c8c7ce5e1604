"""Assembling a `ToolHost` from `Settings`: the tools, built-ins and plugins to serve."""

from __future__ import annotations

from .config import Settings
from .host import ToolHost

__all__ = ["build_host"]


def build_host(settings: Settings) -> ToolHost:
    host = ToolHost(settings)
    for spec in settings.tools:
        host.add_module(spec)
    return host
