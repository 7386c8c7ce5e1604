"""Every error mcp-toolhost raises, in one small hierarchy.

Two families, because the protocol treats them differently:

- `ProtocolError` and its subclasses become JSON-RPC error responses. Each carries
  its JSON-RPC `code`; `_protocol/jsonrpc.py` is the one place that turns them into
  wire messages.
- `ToolError` and its subclasses become tool results with `isError: true`, which a
  model can read and act on (MCP, server/tools, "Error Handling": errors that
  originate from the tool are reported in the result, not as protocol errors).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ArgumentsError",
    "ConfigError",
    "InternalError",
    "InvalidParams",
    "InvalidRequest",
    "MethodNotFound",
    "MissingClientCapability",
    "ParseError",
    "ProtocolError",
    "ResourceNotFound",
    "SettingError",
    "ToolError",
    "ToolHostError",
    "UnsupportedProtocolVersion",
]


class ToolHostError(Exception):
    """Base of every error raised by mcp-toolhost."""


class ConfigError(ToolHostError):
    """The configuration, a tool definition or a plugin is invalid."""


class SettingError(ConfigError):
    """A setting's value cannot be used; `setting` names it, so that the CLI can say where it was given."""

    def __init__(self, message: str, setting: str) -> None:
        super().__init__(message)
        self.setting = setting


# --- Protocol errors: answered as JSON-RPC errors ---------------------------------


class ProtocolError(ToolHostError):
    """A request that cannot be served; answered with a JSON-RPC error object."""

    code: int = -32603

    def __init__(self, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.data = data


class ParseError(ProtocolError):
    """The line is not valid JSON."""

    code = -32700


class InvalidRequest(ProtocolError):
    """The JSON is not a valid JSON-RPC 2.0 request object."""

    code = -32600


class MethodNotFound(ProtocolError):
    """The method does not exist or is not available in this protocol revision."""

    code = -32601


class InvalidParams(ProtocolError):
    """The method's parameters are invalid (including an unknown tool name)."""

    code = -32602


class ResourceNotFound(InvalidParams):
    """No resource has the URI asked for.

    From 2026-07-28 it is an invalid parameter, -32602 (SEP-2164 retired -32002); the
    handshake-era revisions (server/resources, "Error Handling") answer -32002.
    """

    def __init__(self, uri: str, *, handshake: bool) -> None:
        super().__init__(
            f"Resource not found: {uri[:200]}; resources/list and resources/templates/list say what is served",
            {"uri": uri},
        )
        if handshake:
            self.code = -32002


class MissingClientCapability(ProtocolError):
    """2026-07-28: the request needs a capability the client did not declare in its envelope.

    SEP-2575: the server MUST answer MissingRequiredClientCapabilityError (-32021, HTTP 400),
    `data.requiredCapabilities` naming what to declare on a retry (e.g. `{"sampling": {}}`).
    """

    code = -32021

    def __init__(self, message: str, required: dict[str, Any]) -> None:
        super().__init__(message, {"requiredCapabilities": required})


class InternalError(ProtocolError):
    """The server failed while handling a valid request."""

    code = -32603


class UnsupportedProtocolVersion(ProtocolError):
    """The request's protocol version is not one this server speaks (2026-07-28)."""

    code = -32022

    def __init__(self, requested: str, supported: list[str]) -> None:
        super().__init__(
            f"Unsupported protocol version {requested!r}; supported: {', '.join(supported)}",
            {"requested": requested, "supported": supported},
        )


# --- Tool errors: answered as results with isError: true ---------------------------


class ToolError(ToolHostError):
    """Raise from a tool to return a clean error result with this message."""


class ArgumentsError(ToolError):
    """The arguments do not match the tool's input schema.

    `errors` lists each problem as `{"path": "a.b[0]", "message": "..."}`.
    """

    _SHOWN = 20  # a hostile call with thousands of bad keys must not get a megabyte back
    _CHARS = 300  # nor one whose message quotes the value (jsonschema's "{...} is not valid under ...")

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = [
            {**e, "message": e["message"] if len(e["message"]) <= self._CHARS else e["message"][: self._CHARS] + "…"}
            for e in errors[: self._SHOWN]
        ]
        lines = [f"{e['path'] or '(arguments)'}: {e['message']}" for e in self.errors]
        if len(errors) > self._SHOWN:
            lines.append(f"and {len(errors) - self._SHOWN} more problems")
        super().__init__("Invalid arguments: " + "; ".join(lines))
