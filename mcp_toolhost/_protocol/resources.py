"""`resources/list`, `resources/templates/list` and `resources/read` (server/resources)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ..errors import ArgumentsError, ConfigError, InternalError, InvalidParams, ProtocolError, ResourceNotFound
from .connection import Call, CallFailed, Connection, Started
from .envelope import RequestScope
from .versions import feature_level

if TYPE_CHECKING:
    from .._tools.resource import Resource

__all__ = ["list_resources", "list_templates", "read_resource"]

logger = logging.getLogger("mcp_toolhost.protocol")


def list_resources(connection: Connection, params: dict[str, Any], scope: RequestScope) -> Started:
    server = connection.server
    cursor = server.cursor(params, "resources/list")
    level = feature_level(scope.version)

    async def answer(call: Call) -> bytes:
        items, next_cursor = await server.resources.list_resources(cursor, server.settings.page_size, level)
        return connection.answered(call, server.listed("resources", items, next_cursor, scope))

    return None, {}, answer


def list_templates(connection: Connection, params: dict[str, Any], scope: RequestScope) -> Started:
    server = connection.server
    cursor = server.cursor(params, "resources/templates/list")
    level = feature_level(scope.version)

    async def answer(call: Call) -> bytes:
        items, next_cursor = await server.resources.list_templates(cursor, server.settings.page_size, level)
        return connection.answered(call, server.listed("resourceTemplates", items, next_cursor, scope))

    return None, {}, answer


def read_resource(connection: Connection, params: dict[str, Any], scope: RequestScope) -> Started:
    uri = params.get("uri")
    if not isinstance(uri, str):
        raise InvalidParams('resources/read: "uri" must be a string')
    server = connection.server
    found = server.resources.find(uri)
    if found is None:

        async def provided(call: Call) -> bytes:
            for provider in server.resources.providers:
                contents = await provider.read(uri)
                if contents is not None:
                    return connection.answered(call, server.cache_hints({"contents": contents}, scope))
            raise ResourceNotFound(uri, handshake=not scope.stateless)

        return None, {}, provided
    resource, variables = found

    async def answer(call: Call) -> bytes:
        contents = resource.contents(uri, await _run(connection, call, resource))
        return connection.answered(call, server.cache_hints({"contents": contents}, scope))

    return resource, variables, answer


async def _run(connection: Connection, call: Call, resource: Resource) -> Any:
    try:
        kwargs = connection.bind(call, resource)
    except ArgumentsError as error:
        # The URI matched the template, but a value does not fit its parameter's type.
        message = f"Resource template {resource.uri!r} cannot read this URI: {error}"
        raise InvalidParams(message, {"errors": error.errors}) from None
    except ConfigError as error:
        logger.error("resource %s cannot be served: %s", resource.uri, error)
        raise ProtocolError(f"Resource {resource.uri!r} cannot be served: {error}") from None
    try:
        return await connection.invoke(call, resource, kwargs)
    except CallFailed as failure:
        raise InternalError(str(failure)) from None
