"""Running a user's function for a request whose failures are JSON-RPC errors (`resources/read`, `prompts/get`).

A tool call's failures become `isError` results instead (`Connection._tool_call_answer`).
"""

from __future__ import annotations

import logging
from typing import Any

from .._tools.function import Function
from ..errors import ArgumentsError, ConfigError, InternalError, InvalidParams, ProtocolError
from .connection import Call, CallFailed, Connection

__all__ = ["run_function"]

logger = logging.getLogger("mcp_toolhost.protocol")


async def run_function(connection: Connection, call: Call, function: Function, refused: str) -> Any:
    """Bind the call's arguments to `function` and run it as a call runs; returns what it returned.

    Arguments that do not validate: -32602 starting with `refused`, every problem in `data.errors`.
    A function that cannot be served, raises or times out: -32603 saying so.
    """
    try:
        kwargs = connection.bind(call, function)
    except ArgumentsError as error:
        raise InvalidParams(f"{refused}: {error}", {"errors": error.errors}) from None
    except ConfigError as error:
        logger.error("%s %s cannot be served: %s", function.kind, function.key, error)
        raise ProtocolError(f"{function.kind.capitalize()} {function.key!r} cannot be served: {error}") from None
    try:
        return await connection.invoke(call, function, kwargs)
    except CallFailed as failure:
        raise InternalError(str(failure)) from None
