"""`completion/complete`: values for a prompt argument or a resource template variable (server/utilities/completion)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from .._tools.completions import Completer, Completion, completion
from ..errors import InternalError, InvalidParams
from .connection import Call, CallFailed, CallRefused, Connection, Started
from .envelope import RequestScope

__all__ = ["complete"]

Values = Callable[[Call], Awaitable[dict[str, Any]]]


def complete(connection: Connection, params: dict[str, Any], scope: RequestScope) -> Started:
    ref, argument = params.get("ref"), params.get("argument")
    if not isinstance(ref, dict) or not isinstance(argument, dict):
        raise InvalidParams('completion/complete: "ref" and "argument" must be objects')
    name, prefix = argument.get("name"), argument.get("value")
    if not isinstance(name, str) or not isinstance(prefix, str):
        raise InvalidParams('completion/complete: "argument" needs a string "name" and a string "value"')
    context = params.get("context")
    resolved = context.get("arguments") if isinstance(context, dict) else None
    if not isinstance(resolved, dict):
        resolved = {}  # `context.arguments` (2025-06-18 on): the values already chosen, when the client sends them
    kwargs = {"prefix": prefix, "arguments": resolved}
    kind = ref.get("type")
    if kind == "ref/prompt":
        values = _for_prompt(connection, ref, name, kwargs)
    elif kind == "ref/resource":
        values = _for_template(connection, ref, name, kwargs)
    else:
        raise InvalidParams(f'completion/complete: "ref.type" must be "ref/prompt" or "ref/resource", not {kind!r}')

    async def answer(call: Call) -> bytes:
        return connection.answered(call, {"completion": await values(call)})

    return None, kwargs, answer


def _for_prompt(connection: Connection, ref: dict[str, Any], argument: str, kwargs: dict[str, Any]) -> Values:
    name = ref.get("name")
    if not isinstance(name, str):
        raise InvalidParams('completion/complete: a "ref/prompt" needs a string "name"')
    prompts = connection.server.prompts
    prompt = prompts.get(name)
    if prompt is None:
        raise InvalidParams(prompts.unknown(name))
    return _declared(connection, f"{name}.{argument}", prompt.completions.get(argument), kwargs)


def _for_template(connection: Connection, ref: dict[str, Any], argument: str, kwargs: dict[str, Any]) -> Values:
    uri = ref.get("uri")
    if not isinstance(uri, str):
        raise InvalidParams('completion/complete: a "ref/resource" needs a string "uri"')
    catalog = connection.server.resources
    template = catalog.templates.get(uri)
    if template is not None:
        return _declared(connection, f"{uri} {{{argument}}}", template.completions.get(argument), kwargs)

    async def provided(call: Call) -> dict[str, Any]:
        for provider in catalog.providers:
            values = await provider.complete(uri, argument, kwargs["prefix"], kwargs["arguments"])
            if values is not None:
                return completion(values)
        raise InvalidParams(f"Unknown resource template: {uri[:200]}; resources/templates/list says what is served")

    return provided


def _declared(connection: Connection, name: str, completer: Completer | None, kwargs: dict[str, Any]) -> Values:
    async def values(call: Call) -> dict[str, Any]:
        if completer is None:
            return completion([])  # nothing declared for this argument: no suggestions
        try:
            result: dict[str, Any] = await connection.invoke(call, Completion(name, completer), kwargs)
        except CallRefused as refusal:  # a ToolError: the request as made is refused (-32602, as prompts/get)
            raise InvalidParams(f"Completion {name!r}: {refusal}") from None
        except CallFailed as failure:
            raise InternalError(str(failure)) from None
        return result

    return values
