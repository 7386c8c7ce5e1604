"""What the `list-tools` and `call` commands print, kept out of `cli.py`'s option wiring."""

from __future__ import annotations

import shutil
from typing import Any

import anyio
import click
import orjson

from .host import ToolHost
from .testing import ClientError, connect

_HINTS = (
    ("readOnlyHint", "read-only"),
    ("destructiveHint", "destructive"),
    ("idempotentHint", "idempotent"),
    ("openWorldHint", "open-world"),
)


def _dump(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()


def render_tools(host: ToolHost, *, as_json: bool) -> str:
    """The `tools/list` result as JSON, or as a table: name, title and description, hints."""

    async def fetch() -> list[dict[str, Any]]:
        async with connect(host) as client:
            return await client.list_tools()

    tools = anyio.run(fetch)
    if as_json:
        return _dump({"tools": tools})
    if not tools:
        return "No tools."
    lines = []
    width = shutil.get_terminal_size((120, 24)).columns
    name_width = max(len(t["name"]) for t in tools)
    for t in tools:
        hints = [label for key, label in _HINTS if t.get("annotations", {}).get(key)]
        title = t.get("title") or ""
        description = (t.get("description") or "").strip().splitlines()
        summary = " - ".join(part for part in (title, description[0] if description else "") if part)
        if hints:
            summary += f" [{', '.join(hints)}]"
        room = max(width - name_width - 2, 20)
        lines.append(f"{t['name']:<{name_width}}  {summary[:room]}")
    return "\n".join(lines)


def _arguments(host: ToolHost, tool_name: str, pairs: tuple[str, ...], json_arguments: str | None) -> dict[str, Any]:
    arguments: dict[str, Any] = {}
    if json_arguments is not None:
        try:
            arguments = orjson.loads(json_arguments)
        except orjson.JSONDecodeError as exc:
            raise click.BadParameter(f"not valid JSON: {exc}", param_hint="--json") from None
        if not isinstance(arguments, dict):
            raise click.BadParameter("must be a JSON object", param_hint="--json")
    tool = host.registry.get(tool_name)
    properties = tool.schema.input_schema.get("properties", {}) if tool is not None else {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--arg")
        arguments[key] = _coerce(value, properties.get(key, {}))
    return arguments


def _coerce(value: str, schema: dict[str, Any]) -> Any:
    """Text for string parameters; JSON (falling back to text) for the rest."""
    if schema.get("type") == "string":
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return value


def _render(result: dict[str, Any]) -> str:
    parts = []
    for block in result.get("content", []):
        kind = block.get("type")
        if kind == "text":
            parts.append(block["text"])
        elif kind in ("image", "audio"):
            parts.append(f"[{kind} {block.get('mimeType')}, {len(block.get('data', '')) * 3 // 4} bytes]")
        elif kind == "resource_link":
            parts.append(f"[link {block.get('name')}: {block.get('uri')}]")
        elif kind == "resource":
            resource = block.get("resource", {})
            parts.append(resource.get("text") or f"[resource {resource.get('uri')}]")
    return "\n".join(parts)


def run_call(
    host: ToolHost, tool_name: str, pairs: tuple[str, ...], json_arguments: str | None, *, raw: bool
) -> tuple[str, int]:
    """Call the tool; returns what to print and the exit status (1 for an error)."""
    arguments = _arguments(host, tool_name, pairs, json_arguments)

    async def session() -> dict[str, Any]:
        async with connect(host) as client:
            return await client.call_tool(tool_name, arguments)

    try:
        result = anyio.run(session)
    except ClientError as exc:
        return f"Error: {exc.message}", 1
    return (_dump(result) if raw else _render(result)), 1 if result.get("isError") else 0
