"""JSON-RPC 2.0 framing: decoding a message, encoding answers, and error codes.

Encoded messages are `bytes` without a trailing newline; each transport frames them.
This module is the one place where an exception becomes a JSON-RPC error object.
"""

from __future__ import annotations

import json
import math
from typing import Any, TypeGuard

import orjson

from ..errors import InvalidRequest, ParseError, ProtocolError

RequestId = str | int


def decode(data: bytes | str) -> Any:
    """Parse one JSON document as UTF-8, rejecting what JSON forbids (NaN, Infinity).

    orjson is the fast path. It also refuses escaped lone surrogates (`"\\ud800"`), which
    the JSON grammar allows and JavaScript's `JSON.stringify` emits for a string cut in
    the middle of an emoji; those documents are parsed again by the standard library and
    the lone surrogates replaced with U+FFFD, so the request keeps its id.
    """
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        error = exc
    try:
        value = json.loads(data, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError):
        raise ParseError(f"Parse error: {error}") from None
    return _without_lone_surrogates(value)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def encode(message: Any) -> bytes:
    """Serialize `message`. Never raises for what a tool may put in it.

    orjson escapes control characters, so an encoded message never holds a newline
    (stdio transport: messages MUST NOT contain embedded newlines). The rare message
    orjson refuses takes the slow path: text that is not valid Unicode (lone
    surrogates, as `os.listdir` returns for undecodable file names) gets U+FFFD,
    integers past 64 bits are written exactly, and other values as their `str`.
    """
    try:
        return orjson.dumps(message)
    except TypeError:
        clean = _without_lone_surrogates(message)
    try:
        return orjson.dumps(clean, default=str)
    except TypeError:
        return json.dumps(clean, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _without_lone_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        # Through UTF-16, valid surrogate pairs become their code point and the rest U+FFFD.
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, float) and not math.isfinite(value):
        return None  # as orjson writes it: JSON has no NaN or Infinity
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_without_lone_surrogates(item) for item in value]
    return value


def is_valid_id(value: object) -> TypeGuard[RequestId]:
    # MCP: RequestId is a string or an integer; null is not allowed (and bool is no int).
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def check_request(message: object) -> None:
    """Raise InvalidRequest unless `message` is a JSON-RPC 2.0 request or notification."""
    if not isinstance(message, dict):
        raise InvalidRequest("Invalid request: a JSON-RPC message must be an object")
    if message.get("jsonrpc") != "2.0":
        raise InvalidRequest('Invalid request: "jsonrpc" must be exactly "2.0"')
    method = message.get("method")
    if not isinstance(method, str):
        raise InvalidRequest('Invalid request: "method" must be a string')
    if "id" in message and not is_valid_id(message["id"]):
        raise InvalidRequest('Invalid request: "id" must be a string or an integer')
    params = message.get("params")
    if params is not None and not isinstance(params, dict):
        raise InvalidRequest('Invalid request: "params" must be an object')


def is_response(message: object) -> bool:
    """A message the client sent in answer to one of ours (it has no method)."""
    return (
        isinstance(message, dict)
        and "method" not in message
        and ("result" in message or "error" in message)
        and "id" in message
    )


def result_message(request_id: RequestId, result: dict[str, Any]) -> bytes:
    return encode({"jsonrpc": "2.0", "id": request_id, "result": result})


def encoded_result_message(request_id: RequestId, encoded_result: bytes) -> bytes:
    """Wrap a result already encoded (to measure its size) without encoding it twice."""
    return b'{"jsonrpc":"2.0","id":' + encode(request_id) + b',"result":' + encoded_result + b"}"


def error_object(error: ProtocolError) -> dict[str, Any]:
    obj: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.data is not None:
        obj["data"] = error.data
    return obj


def error_message(request_id: RequestId | None, error: ProtocolError) -> bytes:
    return encode({"jsonrpc": "2.0", "id": request_id, "error": error_object(error)})


def notification_message(method: str, params: dict[str, Any]) -> bytes:
    return encode({"jsonrpc": "2.0", "method": method, "params": params})
