"""JSON-RPC 2.0 framing: decoding a message, encoding answers, and error codes.

Encoded messages are `bytes` without a trailing newline; each transport frames them.
This module is the one place where an exception becomes a JSON-RPC error object.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeGuard

from .. import _json
from ..errors import InvalidRequest, ParseError, ProtocolError

RequestId = str | int


def decode(data: bytes | str) -> Any:
    """Parse one JSON document (a message or a batch); raises ParseError (-32700)."""
    try:
        return _json.loads(data, clean=_valid_unicode_but_ids)
    except _json.JSONDecodeError as exc:
        raise ParseError(f"Parse error: {exc}") from None


def _valid_unicode_but_ids(document: Any) -> Any:
    """Lone surrogates become U+FFFD, except in ids: a client must get its ids back exactly
    as it sent them ("\\ud800" and "\\ud801" are two ids, not one "\\ufffd")."""
    ids = [(holder, key, holder[key]) for holder, key in _id_places(document)]
    document = _json.valid_unicode(document)
    for holder, key, value in ids:
        holder[key] = _json.Verbatim(value) if isinstance(value, str) else value
    return document


def _id_places(document: Any) -> Iterator[tuple[dict[str, Any], str]]:
    """Where a message holds an id of the client's: its own, a cancelled request's, a progress token."""
    for message in document if isinstance(document, list) else [document]:
        if not isinstance(message, dict):
            continue
        if "id" in message:
            yield message, "id"
        params = message.get("params")
        if isinstance(params, dict):
            if "requestId" in params:  # notifications/cancelled
                yield params, "requestId"
            meta = params.get("_meta")
            if isinstance(meta, dict) and "progressToken" in meta:
                yield meta, "progressToken"


def encode(message: Any) -> bytes:
    """Serialize a message; never raises, never writes a newline (stdio: no embedded newlines)."""
    return _json.dumps(message)


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


def expects_reply(message: object) -> bool:
    """Whether a message needs an answer: a request, or something too malformed to tell (answered with an error)."""
    if is_response(message):
        return False
    try:
        check_request(message)
    except InvalidRequest:
        return True
    return isinstance(message, dict) and "id" in message


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


def request_message(request_id: RequestId, method: str, params: dict[str, Any]) -> bytes:
    return encode({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})


def notification_message(method: str, params: dict[str, Any]) -> bytes:
    return encode({"jsonrpc": "2.0", "method": method, "params": params})
