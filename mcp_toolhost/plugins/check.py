"""`mcp-toolhost check`: what loading found, and every served tool's schema, as a report."""

from __future__ import annotations

import json

from ..host import ToolHost
from .loader import PluginReport

__all__ = ["check_report"]


def check_report(host: ToolHost, report: PluginReport | None, *, as_json: bool = False) -> tuple[str, bool]:
    """The report's text (or JSON) and whether there was no problem at all.

    Every served tool's (resource's, prompt's) schema is built, so one from `--tools` or a
    built-in that cannot be served shows up here rather than as a gap in a list.
    """
    report = report or PluginReport()
    report.other_problems += host.registry.unservable().values()
    report.other_problems += host.resources.unservable().values()
    report.other_problems += host.prompts.unservable().values()
    if as_json:
        data = {**report.to_dict(), "tools": [tool.name for tool in host.registry]}
        return json.dumps(data, indent=2), report.ok
    from_plugins = {name for status in report.plugins for name in status.tools}
    others: dict[str, list[str]] = {}
    for tool in host.registry:
        if tool.name not in from_plugins:
            others.setdefault(tool.source or "unknown source", []).append(tool.name)
    lines = [f"tools    {source}: {', '.join(names)}" for source, names in sorted(others.items())]
    return "\n".join([*lines, report.render(tool_count=len(host.registry))]), report.ok
