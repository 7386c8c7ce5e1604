"""Running a user's function for a request whose failures are JSON-RPC errors (`resources/read`, `prompts/get`).

A tool call's failures become `isError` results instead (`Connection._tool_call_answer`).
"""

from __future__ import annotations

import logging
from typing import Any

from .._tools.function import Function
from ..errors import ArgumentsError, ConfigError, InternalError, InvalidParams, ProtocolError
from .connection import Call, CallFailed, CallRefused, Connection

__all__ = ["run_function"]

logger = logging.getLogger("mcp_toolhost.protocol")


async def run_function(connection: Connection, call: Call, function: Function, refused: str) -> Any:
    """Bind the call's arguments to `function` and run it as a call runs; returns what it returned.

    Arguments that do not validate: -32602 starting with `refused`, every problem in `data.errors`.
    A ToolError raised by the function refuses the request as made (a path outside the roots, a
    name it does not know): -32602 with its message, as server/prompts and server/resources
    ("Error Handling") answer invalid arguments. A function that cannot be served, fails otherwise
    or times out: -32603 saying so (their "Internal errors").
    """
    label = f"{function.kind.capitalize()} {function.key!r}"
    try:
        kwargs = connection.bind(call, function)
        return await connection.invoke(call, function, kwargs)
    except ArgumentsError as error:
        raise InvalidParams(f"{refused}: {error}", {"errors": error.errors}) from None
    except ConfigError as error:
        logger.error("%s %s cannot be served: %s", function.kind, function.key, error)
        raise ProtocolError(f"{label} cannot be served: {error}") from None
    except CallRefused as refusal:
        raise InvalidParams(f"{label}: {refusal}") from None
    except CallFailed as failure:
        raise InternalError(str(failure)) from None
