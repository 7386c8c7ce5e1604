"""What 2026-07-28 Streamable HTTP adds around a stateless request: routing headers and HTTP statuses.

basic/transports (2026-07-28): a request mirrors its envelope's version in `MCP-Protocol-Version`,
its method in `Mcp-Method` and, for the methods that name something, that name in `Mcp-Name`, so
that a proxy can route without reading the body; a server MUST refuse a request whose headers
disagree with its body (-32020, HTTP 400). The same holds for the `Mcp-Param-*` headers a tool
declares (`_tools/headers`, "Custom Headers from Tool Parameters"). Errors carry the status the
revision assigns to their code. The official SDK's HTTP transport (mcp.shared.inbound) was the
executable reference.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from .._protocol.envelope import CLIENT_CAPABILITIES_KEY, PROTOCOL_VERSION_KEY
from ..errors import ConfigError, ProtocolError

if TYPE_CHECKING:
    from .._tools.headers import Declared
    from .._tools.registry import ToolRegistry

VERSION_HEADER: Final = "mcp-protocol-version"
METHOD_HEADER: Final = "mcp-method"
NAME_HEADER: Final = "mcp-name"
_ROUTING: Final = frozenset({VERSION_HEADER, METHOD_HEADER, NAME_HEADER})
_NAMED_BY: Final = {
    "tools/call": "name",
    "prompts/get": "name",
    "resources/read": "uri",
    # SEP-2663, "Streamable HTTP: Routing Headers": the tasks methods name their task.
    "tasks/get": "taskId",
    "tasks/update": "taskId",
    "tasks/cancel": "taskId",
}
"""The body field `Mcp-Name` mirrors, by method."""
_BASE64: Final = re.compile(r"=\?base64\?(?P<payload>.*)\?=")
"""A header value that is not plain visible ASCII travels base64-encoded in this wrapper."""
_PLAIN: Final = re.compile(r"[\t\x20-\x7e]*")
"""What a header value may carry as it is (RFC 9110 section 5.5); anything else comes base64-encoded."""
_DECIMAL: Final = re.compile(r"-?[0-9]+(\.[0-9]+)?")
"""An integer header compared as a number (`42.0` is `42`): decimal notation only, as the official SDKs."""

_STATUS: Final = {-32700: 400, -32600: 400, -32602: 400, -32020: 400, -32021: 400, -32022: 400, -32601: 404}
"""HTTP status of a JSON-RPC error, by code; others (and results) are 200."""


class HeaderMismatch(ProtocolError):
    """The request's routing headers disagree with its body."""

    code = -32020


def mismatch(
    message: dict[str, Any], raw_headers: Iterable[tuple[bytes, bytes]], tools: ToolRegistry
) -> HeaderMismatch | None:
    """Why a stateless request's headers do not match its body, or None if they do.

    An incomplete envelope is not checked here: the protocol core answers it with -32602, as
    the revision orders (the envelope is checked before the headers).
    """
    headers: dict[str, str] = {}
    repeated: set[str] = set()  # first-copy and last-copy readers would disagree
    for raw_name, raw_value in raw_headers:
        name = raw_name.decode("latin-1").lower()
        if name in headers:
            repeated.add(name)
        headers[name] = raw_value.decode("latin-1").strip(" \t")  # RFC 9110 5.5: a value excludes its OWS
    if repeated & _ROUTING:
        return HeaderMismatch(f"Header mismatch: {min(repeated & _ROUTING)} is given more than once; send it once")
    method = message.get("method")
    params = message.get("params")
    meta = params.get("_meta") if isinstance(params, dict) else None
    if not isinstance(meta, dict) or not {PROTOCOL_VERSION_KEY, CLIENT_CAPABILITIES_KEY} <= meta.keys():
        return None
    assert isinstance(params, dict)
    version = meta[PROTOCOL_VERSION_KEY]
    if headers.get(VERSION_HEADER) != version:
        return HeaderMismatch(
            f"Header mismatch: {VERSION_HEADER} is {headers.get(VERSION_HEADER)!r} but the envelope's"
            f" protocol version is {version!r}; send the same in both"
        )
    if headers.get(METHOD_HEADER) != method:
        return HeaderMismatch(
            f"Header mismatch: {METHOD_HEADER} is {headers.get(METHOD_HEADER)!r} but the body's method is"
            f" {method!r}; send the same in both"
        )
    field = _NAMED_BY.get(method) if isinstance(method, str) else None
    if field is not None and params.get(field) is not None and _decoded(headers.get(NAME_HEADER)) != params[field]:
        return HeaderMismatch(
            f"Header mismatch: {NAME_HEADER} does not match the body's {field!r} ({params[field]!r}); send the"
            " same in both (base64 as =?base64?...?= when it is not plain ASCII)"
        )
    tool = tools.get(params["name"]) if method == "tools/call" and isinstance(params.get("name"), str) else None
    arguments = params.get("arguments") or {}
    if tool is None or not isinstance(arguments, dict):
        return None  # the core says what is wrong with the call
    try:
        declared = tool.headers
    except ConfigError:
        return None  # the core refuses the call, saying why the tool cannot be served
    for each in declared:
        refused = _param_mismatch(each, _value_at(arguments, each.path), headers, repeated)
        if refused is not None:
            return refused
    return None


def _param_mismatch(each: Declared, value: Any, headers: dict[str, str], repeated: set[str]) -> HeaderMismatch | None:
    """Why a declared parameter's header disagrees with its argument (`value`, None when absent), or None.

    "Server Behavior for Custom Headers": a null or absent argument is sent without its header; an
    argument with a value MUST come with its header, equal once decoded.
    """
    name = each.header.lower()
    raw = headers.get(name)
    if raw is not None and name in repeated:
        return HeaderMismatch(f"Header mismatch: {each.header} is given more than once; send it once")
    if value is None:
        if raw is None:
            return None
        return HeaderMismatch(
            f"Header mismatch: {each.header} is given but the argument {each.argument!r} is absent or null;"
            " send the header only with a value"
        )
    if not isinstance(value, str | int | float):
        return None  # no header can carry it: the core refuses the argument, which must be a primitive
    if raw is None:
        return HeaderMismatch(
            f"Header mismatch: {each.header} is missing but the argument {each.argument!r} is given; send the"
            " argument's value in that header too (base64 as =?base64?...?= when it is not plain ASCII)"
        )
    if not _PLAIN.fullmatch(raw):
        return HeaderMismatch(
            f"Header mismatch: {each.header} carries non-ASCII or control characters; send such a value"
            " base64-encoded, as =?base64?...?="
        )
    decoded = _decoded(raw)
    if decoded is None or not _agrees(each.type, value, decoded):
        return HeaderMismatch(
            f"Header mismatch: {each.header} is {raw[:100]!r} but the argument {each.argument!r} is"
            f" {str(value)[:100]!r}; send the same in both (base64 as =?base64?...?= when it is not plain ASCII)"
        )
    return None


def _value_at(arguments: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The argument at `path` (a chain of property names), or None where there is none."""
    value: Any = arguments
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _agrees(kind: str, value: str | int | float, text: str) -> bool:
    """Whether a decoded header says the same as the argument, in the revision's "Value Encoding"."""
    if isinstance(value, bool):
        return text == ("true" if value else "false")
    if kind == "integer" and not isinstance(value, str) and _DECIMAL.fullmatch(text):
        return Decimal(text) == value  # "Server Validation": SHOULD compare integers as numbers
    return text == str(value)


def _decoded(value: str | None) -> str | None:
    found = _BASE64.fullmatch(value or "")
    if found is None:
        return value
    try:
        return base64.b64decode(found["payload"], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None  # a corrupt header matches nothing


def status(answer: dict[str, Any]) -> int:
    """The HTTP status of a stateless request's answer."""
    error = answer.get("error")
    code = error.get("code") if isinstance(error, dict) else None
    return _STATUS.get(code, 200) if isinstance(code, int) else 200
