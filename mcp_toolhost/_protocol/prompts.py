"""`prompts/list` and `prompts/get` (server/prompts)."""

from __future__ import annotations

import logging
from typing import Any

from ..errors import ArgumentsError, ConfigError, InternalError, InvalidParams, ProtocolError
from .connection import Call, CallFailed, Connection, Started
from .envelope import RequestScope
from .versions import feature_level

__all__ = ["get_prompt", "list_prompts"]

logger = logging.getLogger("mcp_toolhost.protocol")


def list_prompts(connection: Connection, params: dict[str, Any], scope: RequestScope) -> dict[str, Any]:
    server = connection.server
    prompts, next_cursor = server.prompts.page(server.cursor(params, "prompts/list"), server.settings.page_size)
    level = feature_level(scope.version)
    definitions = []
    for prompt in prompts:
        try:
            definitions.append(prompt.definition(level))
        except ConfigError as exc:
            logger.error("prompt %s is not listed: %s", prompt.name, exc)
    return server.listed("prompts", definitions, next_cursor, scope)


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
        try:
            kwargs = connection.bind(call, prompt)
        except ArgumentsError as error:
            raise InvalidParams(f"Prompt {name!r}: {error}", {"errors": error.errors}) from None
        except ConfigError as error:
            logger.error("prompt %s cannot be served: %s", name, error)
            raise ProtocolError(f"Prompt {name!r} cannot be served: {error}") from None
        try:
            value = await connection.invoke(call, prompt, kwargs)
            messages = prompt.messages(value, feature_level(scope.version))
        except (CallFailed, TypeError) as failure:
            raise InternalError(str(failure)) from None
        result: dict[str, Any] = {"messages": messages}
        if prompt.description:
            result["description"] = prompt.description
        return connection.answered(call, result)

    return prompt, arguments, answer
