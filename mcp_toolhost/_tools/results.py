"""Turning what a tool returned (or raised) into a `CallToolResult`."""

from __future__ import annotations

from typing import Any

from pydantic_core import PydanticSerializationError

from .. import _json
from ..errors import ToolError
from .content import Content, Text
from .tool import Tool

__all__ = ["content_block", "error_result", "tool_result"]


def error_result(message: str) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": message}], "isError": True}


def tool_result(tool: Tool, value: Any, level: int) -> dict[str, Any]:
    """The result for `value`, shaped for a feature level (see `versions.feature_level`)."""
    schema = tool.schema
    if schema.output_schema is None:
        return {"content": _content(value, level)}
    try:
        structured = schema.serialize_output(value)
    except PydanticSerializationError as exc:
        why = f"Tool {tool.name!r} returned a value that does not match its return annotation: {_why(exc)}"
        raise ToolError(why) from None
    shown = structured["result"] if schema.wraps_result else structured
    # server/tools, "Structured Content": a tool that returns structured content SHOULD
    # also return the serialized JSON in a text block, for clients that predate it.
    result: dict[str, Any] = {"content": [{"type": "text", "text": _json_text(shown)}]}
    if level >= 2:
        result["structuredContent"] = structured
    return result


def _content(value: Any, level: int) -> list[dict[str, Any]]:
    if value is None:
        return []
    if isinstance(value, str):
        return [{"type": "text", "text": value}]
    if isinstance(value, Content):
        return [content_block(value, level)]
    if isinstance(value, list | tuple) and value and all(isinstance(item, Content) for item in value):
        return [content_block(item, level) for item in value]
    return [{"type": "text", "text": _json_text(value)}]


def content_block(content: Content, level: int) -> dict[str, Any]:
    block = content.to_dict()
    kind = block["type"]
    # Older revisions have no such content type: say what it was in words instead.
    if kind == "resource_link" and level < 2:
        return Text(f"{block.get('title') or block['name']}: {block['uri']}").to_dict()
    if kind == "audio" and level < 1:
        return Text(f"[audio {block['mimeType']}, base64 omitted: this client predates audio]").to_dict()
    return block


def _why(exc: PydanticSerializationError) -> str:
    """pydantic's first complaint, without its wrapping: "Expected `int` [input_value='x', input_type=str]"."""
    lines = str(exc).splitlines()
    first = lines[1].strip() if len(lines) > 1 else str(exc)
    first = first.removeprefix("PydanticSerializationUnexpectedValue(").removesuffix(")")
    return first.replace(" - serialized value may not be as expected", "")[:300]


def _json_text(value: Any) -> str:
    return _json.dumps(value).decode()
