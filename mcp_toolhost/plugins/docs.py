"""`mcp-toolhost docs`: a reference of every tool, resource and prompt, from the live host.

Each entry is built from exactly what `tools/list`, `resources/list`,
`resources/templates/list` or `prompts/list` sends (the latest revision's definition),
so the reference cannot disagree with what a client sees. Resources a provider lists
(the files under the roots) are not in it; the templates it serves are.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Final, Literal

from .._tools.shapes import JSON_VALUE_TYPES

if TYPE_CHECKING:
    from .._tools.prompt import Prompt
    from .._tools.resource import Resource
    from .._tools.tool import Tool
    from ..host import ToolHost

__all__ = ["HINTS", "render_docs", "type_label"]

logger = logging.getLogger("mcp_toolhost.plugins")

_LEVEL: Final = 2  # versions.feature_level of 2025-06-18 and later: titles and output schemas
HINTS: Final = (
    ("readOnlyHint", "read-only"),
    ("destructiveHint", "destructive"),
    ("idempotentHint", "idempotent"),
    ("openWorldHint", "open-world"),
)


def _entries(functions: Iterable[Tool | Resource | Prompt]) -> list[dict[str, Any]]:
    """Each one's definition with its `source`; one whose schema cannot be built is logged and left out."""
    entries = []
    for function in functions:
        try:
            definition = dict(function.definition(_LEVEL))
            if "uriTemplate" in definition:  # a template's parameters: its variables, typed and described
                definition["inputSchema"] = function.schema.input_schema
        except Exception as exc:
            logger.error("%s %s is left out: its schema cannot be built: %s", function.kind, function.key, exc)
            continue
        definition["source"] = function.source
        entries.append(definition)
    return entries


def render_docs(host: ToolHost, fmt: Literal["markdown", "json"] = "markdown") -> str:
    provided = [template for provider in host.resources.providers for template in provider.list_templates()]
    sections = {
        "tools": _entries(host.registry),
        "resources": _entries(host.resources.fixed),
        "resourceTemplates": _entries(host.resources.templates) + provided,
        "prompts": _entries(host.prompts),
    }
    # Tools always; the others when there are any, so a host of tools only documents as before.
    shown = {key: entries for key, entries in sections.items() if entries or key == "tools"}
    if fmt == "json":
        return json.dumps(shown, indent=2, ensure_ascii=False)
    out: list[str] = []
    for key, entries in shown.items():
        heading, section = _SECTIONS[key]
        out += [f"# {heading}", ""]
        if not entries:
            out += ["No tools.", ""]
        for entry in entries:
            out += section(entry)
    return "\n".join(out).rstrip() + "\n"


def _tool_section(entry: dict[str, Any]) -> list[str]:
    out = _heading(entry["name"], entry)
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


def _heading(label: str, entry: dict[str, Any]) -> list[str]:
    """An entry's heading, then its title and description when it has them."""
    out = [f"## `{label}`", ""]
    if entry.get("title"):
        out += [f"**{entry['title']}**", ""]
    if entry.get("description"):
        out += [entry["description"].strip(), ""]
    return out


def _resource_section(entry: dict[str, Any]) -> list[str]:
    """A resource or a resource template (`uri` or `uriTemplate`), with its variables if it has a schema."""
    out = _heading(entry.get("uri") or entry["uriTemplate"], entry)
    facts = [f"Name: `{entry['name']}`"]
    if entry.get("mimeType"):
        facts.append(f"MIME type: `{entry['mimeType']}`")
    if entry.get("source"):
        facts.append(f"From: `{entry['source']}`")
    out += [" · ".join(facts), ""]
    if "inputSchema" in entry:  # a decorated template (a provider's has none)
        out += _parameters(entry["inputSchema"])
    return out


def _prompt_section(entry: dict[str, Any]) -> list[str]:
    out = _heading(entry["name"], entry)
    if entry.get("source"):
        out += [f"From: `{entry['source']}`", ""]
    arguments = entry.get("arguments", [])
    if not arguments:
        return [*out, "No arguments.", ""]
    rows = ["| Argument | Required | Description |", "|---|---|---|"]
    for argument in arguments:
        required = "yes" if argument.get("required") else "no"
        rows.append(f"| `{argument['name']}` | {required} | {_cell(argument.get('description', ''))} |")
    return [*out, *rows, ""]


_SECTIONS: Final[dict[str, tuple[str, Callable[[dict[str, Any]], list[str]]]]] = {
    "tools": ("Tools", _tool_section),
    "resources": ("Resources", _resource_section),
    "resourceTemplates": ("Resource templates", _resource_section),
    "prompts": ("Prompts", _prompt_section),
}


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
