"""What 2026-07-28 Streamable HTTP adds around a stateless request: routing headers and HTTP statuses.

basic/transports (2026-07-28): a request mirrors its envelope's version in `MCP-Protocol-Version`,
its method in `Mcp-Method` and, for the methods that name something, that name in `Mcp-Name`, so
that a proxy can route without reading the body; a server MUST refuse a request whose headers
disagree with its body (-32020, HTTP 400). Errors carry the status the revision assigns to their
code. The official SDK's HTTP transport (mcp.shared.inbound) was the executable reference.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from typing import Any, Final

from .._protocol.envelope import CLIENT_CAPABILITIES_KEY, PROTOCOL_VERSION_KEY
from ..errors import ProtocolError

VERSION_HEADER: Final = "mcp-protocol-version"
METHOD_HEADER: Final = "mcp-method"
NAME_HEADER: Final = "mcp-name"
_ROUTING: Final = frozenset({VERSION_HEADER, METHOD_HEADER, NAME_HEADER})
_NAMED_BY: Final = {"tools/call": "name", "prompts/get": "name", "resources/read": "uri"}
"""The body field `Mcp-Name` mirrors, by method."""
_BASE64: Final = re.compile(r"=\?base64\?(?P<payload>.*)\?=")
"""A header value that is not plain visible ASCII travels base64-encoded in this wrapper."""

_STATUS: Final = {-32700: 400, -32600: 400, -32602: 400, -32020: 400, -32021: 400, -32022: 400, -32601: 404}
"""HTTP status of a JSON-RPC error, by code; others (and results) are 200."""


class HeaderMismatch(ProtocolError):
    """The request's routing headers disagree with its body."""

    code = -32020


def mismatch(message: dict[str, Any], raw_headers: Iterable[tuple[bytes, bytes]]) -> HeaderMismatch | None:
    """Why a stateless request's routing headers do not match its body, or None if they do.

    An incomplete envelope is not checked here: the protocol core answers it with -32602, as
    the revision orders (the envelope is checked before the headers).
    """
    headers: dict[str, str] = {}
    for raw_name, raw_value in raw_headers:
        name = raw_name.decode("latin-1").lower()
        if name in _ROUTING and name in headers:  # first-copy and last-copy readers would disagree
            return HeaderMismatch(f"Header mismatch: {name} is given more than once; send it once")
        headers[name] = raw_value.decode("latin-1").strip(" \t")  # RFC 9110 5.5: a value excludes its OWS
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
    return None


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
