"""`prompts/list` and `prompts/get` (server/prompts)."""

from __future__ import annotations

from typing import Any

from .._tools.function import definitions
from ..errors import InternalError, InvalidParams
from .connection import Call, Connection, Started
from .envelope import RequestScope
from .running import run_function
from .versions import feature_level

__all__ = ["get_prompt", "list_prompts"]


def list_prompts(connection: Connection, params: dict[str, Any], scope: RequestScope) -> dict[str, Any]:
    server = connection.server
    prompts, next_cursor = server.prompts.page(server.cursor(params, "prompts/list"), server.settings.page_size)
    return server.listed("prompts", definitions(prompts, feature_level(scope.version)), next_cursor, scope)


def get_prompt(connection: Connection, params: dict[str, Any], scope: RequestScope) -> Started:
    name = params.get("name")
    if not isinstance(name, str):
        raise InvalidParams('prompts/get: "name" must be a string')
    server = connection.server
    prompt = server.prompts.get(name)
    if prompt is None:
        raise InvalidParams(server.prompts.unknown(name))
    arguments = params.get("arguments")
    if arguments is None:
        arguments = {}
    elif not isinstance(arguments, dict):
        raise InvalidParams('prompts/get: "arguments" must be an object of strings')

    async def answer(call: Call) -> bytes:
        value = await run_function(connection, call, prompt, f"Prompt {name!r}")
        try:
            messages = prompt.messages(value, feature_level(scope.version))
        except TypeError as failure:
            raise InternalError(str(failure)) from None
        result: dict[str, Any] = {"messages": messages}
        if prompt.description:
            result["description"] = prompt.description
        return connection.answered(call, result)

    return prompt, arguments, answer
