"""The dashboard page: server-rendered HTML, with `static/dashboard.js` for what changes live.

Rendered on the server so that it shows the tools at once, with no build step and nothing
fetched from the internet (it works offline); one table row per tool, plain text, so 500
tools render in milliseconds.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

from .._json import dumps

__all__ = ["render"]

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="{csrf}">
<title>mcp-toolhost dashboard</title>
<link rel="stylesheet" href="/static/dashboard.css">
</head><body>
<header><h1>mcp-toolhost</h1><span id="health" class="muted">connecting…</span>
<p id="notice" class="error" role="alert" title="click to dismiss" hidden></p></header>
<main>
<section id="tools-section"><h2>Tools <span class="muted" id="tool-count">{count}</span></h2>
<input id="search" type="search" placeholder="Filter by name, source, annotation or description" autocomplete="off">
<select id="state" aria-label="show"><option value="">all</option><option value="on">enabled</option>
<option value="off">disabled</option></select>
<div id="tools-scroll"><table id="tools"><thead><tr><th>Tool</th><th>Source</th><th>Annotations</th><th>Enabled</th>
</tr></thead><tbody>{rows}</tbody></table></div>
<p id="no-match" class="muted" hidden>No tool matches this filter.
<button id="show-all" type="button">Show all tools</button></p>
{empty}
</section>
<section id="live"><h2>Live calls</h2>
<p id="calls-empty" class="muted">No calls yet: calls from MCP clients and from this page appear here
as they happen.</p>
<div id="calls-scroll" hidden><table id="calls"><thead><tr><th>Time</th><th>Client</th><th>Tool</th>
<th>Arguments</th><th>Outcome</th><th>ms</th></tr></thead><tbody></tbody></table></div>
<pre id="call-detail" hidden></pre></section>
<section id="try" hidden><h2>Tool <span id="try-name"></span>
<button id="try-close" type="button" aria-label="close the tool's view">Close</button></h2>
<p id="try-figures" class="muted"></p>
<details><summary>Schemas</summary><pre id="try-schemas"></pre></details>
<form id="try-form"><div id="try-fields"></div><button type="submit">Call</button></form>
<pre id="try-result"></pre></section>
<section id="system"><h2>System</h2>
<p><span id="uptime"></span> · <span id="rss"></span> · <span id="open-calls"></span></p>
<h3>Calls per second</h3><canvas id="rate" width="600" height="80" aria-label="calls per second"></canvas>
<h3>Latency by tool (ms) <span id="latency-count" class="muted"></span></h3>
<table id="latency"><thead><tr><th>Tool</th><th>Calls</th><th>p50</th><th>p95</th><th>p99</th><th></th></tr></thead>
<tbody></tbody></table>
<p id="latency-empty" class="muted">No tool has been called yet: call one from an MCP client, or open a tool
(its name in the table) and try it from its form.</p>
<h3>Plugins <button id="reload" type="button">Reload</button></h3>
<ul id="plugins"></ul></section>

</main>
<script id="tool-data" type="application/json">{data}</script>
<script src="/static/dashboard.js"></script>
</body></html>
"""

_ROW = (
    '<tr data-name="{name}" data-search="{search}"><td><a href="#tool/{link}" class="tool-link">{name}</a>'
    '<div class="muted">{description}</div></td><td>{source}</td><td>{annotations}</td>'
    '<td><input type="checkbox" class="toggle" aria-label="enable {name}"{checked}></td></tr>'
)
_SCHEMAS = ("inputSchema", "outputSchema")
_HINTS = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")


def render(tools: list[dict[str, Any]], csrf: str) -> str:
    rows = "".join(_row(tool) for tool in tools)
    empty = "" if tools else '<p class="muted">No tools are served: start the server with --tools FILE or plugins.</p>'
    # The schemas, for the tool view and its form; `</` escaped so that no string can end the script element.
    schemas = {tool["name"]: {key: tool[key] for key in _SCHEMAS if key in tool} for tool in tools}
    data = dumps(schemas).decode().replace("</", "<\\/")
    return _TEMPLATE.format(csrf=escape(csrf), count=len(tools), rows=rows, empty=empty, data=data)


def _row(tool: dict[str, Any]) -> str:
    annotations = tool.get("annotations") or {}
    hints = " ".join(hint.removesuffix("Hint") for hint in _HINTS if annotations.get(hint))
    description = (tool.get("description") or "").split("\n", 1)[0]
    return _ROW.format(
        name=escape(tool["name"]),
        link=escape(quote(tool["name"], safe="")),
        search=escape(f"{tool['name']} {tool['source']} {hints} {description}".lower()),
        description=escape(description),
        source=escape(tool["source"]),
        annotations=escape(hints),
        checked=" checked" if tool["enabled"] else "",
    )
