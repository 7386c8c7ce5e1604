"""What the commands print (`list-tools`, `call`, `list-resources`, `read`...), kept out of `cli.py`'s wiring.

Everything here returns text; `cli.py` decides where it goes. Whether stdout is a
terminal (for width and colour) is asked by the caller, before or after tools run:
while they run, fd 1 points at stderr (`claim_stdout`).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import shutil
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import anyio
import click
import orjson

from .host import ToolHost
from .plugins.docs import HINTS, type_label
from .testing import ClientError, connect

__all__ = [
    "CallOutcome",
    "Printed",
    "colour_wanted",
    "describe_tool",
    "get_prompt",
    "read_resource",
    "render_prompts",
    "render_resources",
    "render_tools",
    "run_call",
    "terminal_width",
]

Form = Literal["text", "json", "raw"]
"""How `call` prints a result: readable, as one line of JSON, or as indented JSON (the whole `CallToolResult`)."""

_MIN_TEXT_WIDTH = 20
"""Columns a tool's text needs beside its name in `list-tools`; with fewer it goes below."""


def _dump(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()


def terminal_width() -> int | None:
    """The width to fit lines to: $COLUMNS, else the terminal's; None when stdout is not a terminal."""
    if os.environ.get("COLUMNS", "").isdigit() or sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None  # piped: whole lines, for grep and friends


def colour_wanted() -> bool:
    """Colour only on a terminal, and never with NO_COLOR set and not empty (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _listed(host: ToolHost, method: str, key: str) -> list[dict[str, Any]]:
    """Exactly what a list method (every page of it) gives a client."""

    async def fetch() -> list[dict[str, Any]]:
        async with connect(host) as client:
            return await client.list_all(method, key)

    return anyio.run(fetch)


def _tools(host: ToolHost) -> list[dict[str, Any]]:
    return _listed(host, "tools/list", "tools")


def _hints(tool: dict[str, Any]) -> list[str]:
    return [label for key, label in HINTS if tool.get("annotations", {}).get(key)]


def render_tools(host: ToolHost, *, as_json: bool, width: int | None) -> str:
    """The `tools/list` result as JSON, or as a table: name, then title, description and hints."""
    tools = _tools(host)
    if as_json:
        return _dump({"tools": tools})
    rows = []
    for t in tools:
        summary = _summary_line(t)
        hints = _hints(t)
        if hints:
            summary += f" [{', '.join(hints)}]"
        rows.append((t["name"], summary))
    return _table(rows, width) if rows else "No tools."


def render_resources(host: ToolHost, *, as_json: bool, width: int | None) -> str:
    """The `resources/list` and `resources/templates/list` results as one JSON object, or as a table:
    URI (or template), then name or title, description and MIME type."""
    resources = _listed(host, "resources/list", "resources")
    templates = _listed(host, "resources/templates/list", "resourceTemplates")
    if as_json:
        return _dump({"resources": resources, "resourceTemplates": templates})
    rows = []
    for resource in [*resources, *templates]:
        summary = _summary_line(resource, resource.get("name"))
        if resource.get("mimeType"):
            summary += f" [{resource['mimeType']}]"
        rows.append((resource.get("uri") or resource["uriTemplate"], summary))
    return _table(rows, width) if rows else "No resources."


def render_prompts(host: ToolHost, *, as_json: bool, width: int | None) -> str:
    """The `prompts/list` result as JSON, or as a table: name, then title, description and arguments."""
    prompts = _listed(host, "prompts/list", "prompts")
    if as_json:
        return _dump({"prompts": prompts})
    rows = []
    for prompt in prompts:
        summary = _summary_line(prompt)
        arguments = [a["name"] + ("" if a.get("required") else "?") for a in prompt.get("arguments", [])]
        if arguments:
            summary += f" ({', '.join(arguments)})"
        rows.append((prompt["name"], summary))
    return _table(rows, width) if rows else "No prompts."


def _summary_line(item: dict[str, Any], fallback: str | None = None) -> str:
    """Title (or `fallback`) and the description's first line, joined by " - "."""
    description = (item.get("description") or "").strip().splitlines()
    parts = (item.get("title") or fallback, description[0] if description else "")
    return " - ".join(part for part in parts if part)


def _table(rows: list[tuple[str, str]], width: int | None) -> str:
    """Two columns: a name, and its text wrapped at word boundaries to `width` (None: one line each)."""
    name_width = max(len(name) for name, _ in rows)
    indent = " " * (name_width + 2)
    # Too narrow beside the names: each row's text goes under its name instead.
    below = width is not None and width - len(indent) < _MIN_TEXT_WIDTH
    if below:
        indent = " " * 4
    lines = []
    for name, text in rows:
        if width is None:
            lines.append(f"{name:<{name_width}}  {text}")
            continue
        wrapped = textwrap.wrap(text, max(width - len(indent), _MIN_TEXT_WIDTH)) or [""]
        if below:
            lines += [name, *(indent + line for line in wrapped)]
        else:
            lines.append(f"{name:<{name_width}}  {wrapped[0]}")
            lines += [indent + line for line in wrapped[1:]]
    return "\n".join(line.rstrip() for line in lines)


def describe_tool(host: ToolHost, name: str, *, as_json: bool) -> tuple[str, bool]:
    """One tool's definition for people: parameters with types, defaults and descriptions,
    its output schema and annotations. Returns the text and whether the tool is served."""
    tool = next((t for t in _tools(host) if t["name"] == name), None)
    if tool is None:
        return f"Error: {host.registry.unknown(name)}", False
    if as_json:
        return _dump(tool), True
    title = f" - {tool['title']}" if tool.get("title") else ""
    out = [f"{name}{title}"]
    if tool.get("description"):
        out += ["", tool["description"].strip()]
    out += ["", *_field_lines("Parameters:", tool["inputSchema"])]
    output = tool.get("outputSchema")
    if output and output.get("properties"):  # the full schema is in `describe --json`
        out += ["", *_field_lines("Output (structuredContent):", output)]
    elif output:
        out += ["", "Output schema:", textwrap.indent(_dump(output), "  ")]
    annotations = {k: v for k, v in tool.get("annotations", {}).items() if k != "title"}
    if annotations:
        out += ["", "Annotations:", *(f"  {key}: {orjson.dumps(value).decode()}" for key, value in annotations.items())]
    out += ["", f"Call it: {_call_line(name, tool['inputSchema'])}"]
    return "\n".join(out), True


def _call_line(name: str, schema: dict[str, Any]) -> str:
    """`mcp-toolhost call NAME -a p=VALUE [-a q=VALUE]`: required parameters first, then optional."""
    required = set(schema.get("required", ()))
    properties = sorted(schema.get("properties", {}), key=lambda key: key not in required)
    pairs = [f"-a {key}=VALUE" if key in required else f"[-a {key}=VALUE]" for key in properties]
    return " ".join(["mcp-toolhost call", name, *pairs])


def _field_lines(heading: str, schema: dict[str, Any]) -> list[str]:
    """An object schema's properties, one a line: name (type; required; default; enum), description."""
    properties: dict[str, Any] = schema.get("properties", {})
    if not properties:
        return ["No parameters."]
    required = set(schema.get("required", ()))
    out = [heading]
    for key, prop in properties.items():
        facts = [type_label(prop)]
        if key in required:
            facts.append("required")
        if "default" in prop:
            facts.append(f"default {orjson.dumps(prop['default']).decode()}")
        if "enum" in prop:
            facts.append("one of " + ", ".join(orjson.dumps(v).decode() for v in prop["enum"]))
        out.append(f"  {key}  ({'; '.join(facts)})")
        if prop.get("description"):
            out.append(textwrap.indent(prop["description"].strip(), "      "))
    return out


# --- call ----------------------------------------------------------------------------


def _arguments(host: ToolHost, tool_name: str, pairs: tuple[str, ...], json_arguments: str | None) -> dict[str, Any]:
    arguments: dict[str, Any] = {}
    if json_arguments is not None:
        try:
            arguments = orjson.loads(json_arguments)
        except orjson.JSONDecodeError as exc:
            raise click.BadParameter(f"not valid JSON: {exc}", param_hint="--args") from None
        if not isinstance(arguments, dict):
            raise click.BadParameter("must be a JSON object", param_hint="--args")
    tool = host.registry.get(tool_name)
    properties = tool.schema.input_schema.get("properties", {}) if tool is not None else {}
    for key, value in _pairs(pairs).items():
        arguments[key] = _coerce(value, properties.get(key, {}))
    return arguments


def _pairs(pairs: tuple[str, ...]) -> dict[str, str]:
    """`--arg KEY=VALUE` options as a dict of text."""
    arguments = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--arg")
        arguments[key] = value
    return arguments


def _coerce(value: str, schema: dict[str, Any]) -> Any:
    """Text for string parameters; JSON (falling back to text) for the rest."""
    if schema.get("type") == "string":
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return value


@dataclass(frozen=True, slots=True)
class CallOutcome:
    """A `tools/call` answer: the `CallToolResult`, or the protocol error's message."""

    result: dict[str, Any] | None
    error: str | None = None

    @property
    def status(self) -> int:
        """The exit status: 0 for a result, 1 for an error result or a refused call."""
        return 0 if self.result is not None and not self.result.get("isError") else 1

    def render(self, form: Form, *, colour: bool) -> tuple[str, bool]:
        """What to print, and whether it goes to stderr (errors, unless a JSON form was asked for)."""
        if self.result is None:
            return f"Error: {self.error}", True
        if form == "json":
            return orjson.dumps(self.result).decode(), False
        if form == "raw":
            return _dump(self.result), False
        return _readable(self.result, colour=colour), bool(self.result.get("isError"))


def run_call(host: ToolHost, tool_name: str, pairs: tuple[str, ...], json_arguments: str | None) -> CallOutcome:
    """Call the tool once, in-process, as a client would."""
    arguments = _arguments(host, tool_name, pairs, json_arguments)

    async def session() -> dict[str, Any]:
        async with connect(host) as client:
            return await client.call_tool(tool_name, arguments)

    try:
        return CallOutcome(anyio.run(session))
    except ClientError as exc:
        return CallOutcome(None, exc.message)


def _readable(result: dict[str, Any], *, colour: bool) -> str:
    """Text blocks as text, media and resources as one-line summaries, structured content
    as indented JSON. A text block that only repeats the structured content (which tools
    send for older clients, server/tools "Structured Content") is not printed twice."""
    structured = result.get("structuredContent")
    texts = [block["text"] for block in result.get("content", []) if block.get("type") == "text"]
    shown = structured
    if isinstance(structured, dict) and list(structured) == ["result"] and _mirrored(texts, structured["result"]):
        shown = structured["result"]  # a non-object value, wrapped because structuredContent is an object
    parts = []
    for block in result.get("content", []):
        kind = block.get("type")
        if kind == "text":
            if structured is None or not _mirrored([block["text"]], shown):
                parts.append(block["text"])
        elif kind in ("image", "audio"):
            parts.append(_summary(kind, block.get("mimeType"), block.get("data", "")))
        elif kind == "resource_link":
            parts.append(f"[link {block.get('name')}: {block.get('uri')}]")
        elif kind == "resource":
            resource = block.get("resource", {})
            if "text" in resource:
                parts.append(resource["text"])
            else:
                parts.append(
                    _summary(f"resource {resource.get('uri')}", resource.get("mimeType"), resource.get("blob", ""))
                )
    if isinstance(shown, str):
        parts.append(shown)
    elif structured is not None:
        parts.append(_coloured(_dump(shown)) if colour else _dump(shown))
    return "\n".join(parts)


def _mirrored(texts: list[str], value: Any) -> bool:
    """Whether one of `texts` is `value` serialized as JSON."""
    for text in texts:
        try:
            if orjson.loads(text) == value:
                return True
        except orjson.JSONDecodeError:
            continue
    return False


def _summary(what: str, mime_type: str | None, data: str) -> str:
    """Binary content in one line, `[image image/png, 8 bytes]`, rather than its base64."""
    try:
        size = f"{len(base64.b64decode(data, validate=True))} bytes"
    except (binascii.Error, ValueError):
        size = "not valid base64"
    return f"[{what}{f' {mime_type}' if mime_type else ''}, {size}]"


# Tokens of indented JSON: a key (a string before ':'), a string, a literal, a number.
_JSON_TOKEN = re.compile(r'("(?:[^"\\]|\\.)*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)')


def _coloured(text: str) -> str:
    def paint(match: re.Match[str]) -> str:
        string, colon, literal, number = match.groups()
        if string is not None:
            return click.style(string, fg="blue" if colon else "green") + (colon or "")
        return click.style(literal or number, fg="magenta" if literal else "cyan")

    return _JSON_TOKEN.sub(paint, text)


# --- read, get-prompt ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Printed:
    """What a command prints, where, and its exit status."""

    text: str
    to_stderr: bool = False
    status: int = 0


def _request(host: ToolHost, method: str, params: dict[str, Any]) -> dict[str, Any]:
    async def session() -> dict[str, Any]:
        async with connect(host) as client:
            return await client.request(method, params)

    return anyio.run(session)


def read_resource(host: ToolHost, uri: str, *, output: Path | None, as_json: bool) -> Printed:
    """Read `uri` once, as a client would: print its text, or write its contents to `output` atomically."""
    from .builtins._atomic import write_atomic

    try:
        result = _request(host, "resources/read", {"uri": uri})
    except ClientError as exc:
        return Printed(f"Error: {exc.message}", True, 1)
    if as_json:
        return Printed(orjson.dumps(result).decode())
    contents = result.get("contents", [])
    if output is not None:
        if len(contents) != 1:
            return Printed(f"Error: {uri} has {len(contents)} parts; --output writes one: use --json", True, 1)
        (content,) = contents
        data = base64.b64decode(content["blob"]) if "blob" in content else content.get("text", "").encode()
        write_atomic(output, data)
        return Printed(f"Wrote {len(data)} bytes ({content.get('mimeType') or 'unknown type'}) to {output}", True)
    binary = [content for content in contents if "blob" in content]
    if binary:
        what = _summary(binary[0].get("uri", uri), binary[0].get("mimeType"), binary[0]["blob"])
        return Printed(f"Error: {what} is binary; write it to a file with --output FILE", True, 1)
    return Printed("\n".join(content.get("text", "") for content in contents))


def get_prompt(host: ToolHost, name: str, pairs: tuple[str, ...], *, as_json: bool) -> Printed:
    """Get prompt `name` once with `--arg` values (text, as prompts take): its messages, each under its role."""
    try:
        result = _request(host, "prompts/get", {"name": name, "arguments": _pairs(pairs)})
    except ClientError as exc:
        return Printed(f"Error: {exc.message}", True, 1)
    if as_json:
        return Printed(orjson.dumps(result).decode())
    blocks = [
        f"[{message['role']}]\n{_readable({'content': [message['content']]}, colour=False)}"
        for message in result.get("messages", [])
    ]
    return Printed("\n\n".join(blocks))
