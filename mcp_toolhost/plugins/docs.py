"""`mcp-toolhost docs`: a reference of every tool, from the live registry.

Each tool's entry is built from exactly what `tools/list` sends (the latest revision's
definition), so the reference cannot disagree with what a client sees.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any, Final, Literal

from .._tools.shapes import JSON_VALUE_TYPES
from .._tools.tool import Tool

__all__ = ["HINTS", "render_docs", "type_label"]

logger = logging.getLogger("mcp_toolhost.plugins")

_LEVEL: Final = 2  # versions.feature_level of 2025-06-18 and later: titles and output schemas
HINTS: Final = (
    ("readOnlyHint", "read-only"),
    ("destructiveHint", "destructive"),
    ("idempotentHint", "idempotent"),
    ("openWorldHint", "open-world"),
)


def _entries(tools: Iterable[Tool]) -> list[dict[str, Any]]:
    entries = []
    for tool in tools:
        try:
            definition = dict(tool.definition(_LEVEL))
        except Exception as exc:
            logger.error("tool %s is left out: its schema cannot be built: %s", tool.name, exc)
            continue
        definition["source"] = tool.source
        entries.append(definition)
    return entries


def render_docs(tools: Iterable[Tool], fmt: Literal["markdown", "json"] = "markdown") -> str:
    entries = _entries(tools)
    if fmt == "json":
        return json.dumps({"tools": entries}, indent=2, ensure_ascii=False)
    return _markdown(entries)


def _markdown(entries: list[dict[str, Any]]) -> str:
    out = ["# Tools", ""]
    if not entries:
        out.append("No tools.")
    for entry in entries:
        out += _tool_section(entry)
    return "\n".join(out).rstrip() + "\n"


def _tool_section(entry: dict[str, Any]) -> list[str]:
    out = [f"## `{entry['name']}`", ""]
    if entry.get("title"):
        out += [f"**{entry['title']}**", ""]
    if entry.get("description"):
        out += [entry["description"].strip(), ""]
    facts = []
    hints = [label for key, label in HINTS if entry.get("annotations", {}).get(key)]
    if hints:
        facts.append(f"Hints: {', '.join(hints)}")
    if entry.get("source"):
        facts.append(f"From: `{entry['source']}`")
    if facts:
        out += [" · ".join(facts), ""]
    out += _parameters(entry["inputSchema"])
    if entry.get("outputSchema"):
        out += ["Output schema:", "", "```json", json.dumps(entry["outputSchema"], indent=2), "```", ""]
    return out


def _parameters(schema: dict[str, Any]) -> list[str]:
    properties: dict[str, Any] = schema.get("properties", {})
    if not properties:
        return ["No parameters.", ""]
    required = set(schema.get("required", ()))
    rows = ["| Parameter | Type | Required | Default | Description |", "|---|---|---|---|---|"]
    for name, prop in properties.items():
        default = f"`{json.dumps(prop['default'])}`" if "default" in prop else ""
        description = prop.get("description", "")
        if "enum" in prop:
            description = (description + " One of: " + ", ".join(f"`{json.dumps(v)}`" for v in prop["enum"])).strip()
        kind = type_label(prop)
        rows.append(f"| `{name}` | {kind} | {'yes' if name in required else 'no'} | {default} | {_cell(description)} |")
    return [*rows, ""]


def type_label(prop: dict[str, Any]) -> str:
    """A JSON Schema type in words: `integer`, `array of string`, `string or null`."""
    kind = prop.get("type")
    if kind == "array" and isinstance(prop.get("items"), dict):
        return f"array of {type_label(prop['items'])}"
    if isinstance(kind, list):
        if set(JSON_VALUE_TYPES) <= set(kind):
            return "any"
        if prop.get("default") is not None:  # null there only means "use the default": not a type to show
            kind = [one for one in kind if one != "null"]
        return " or ".join(type_label({**prop, "type": one}) for one in kind)
    if kind is None and "anyOf" in prop:
        return " or ".join(type_label(option) for option in prop["anyOf"])
    return str(kind or "any")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
