"""`resources/list`, `resources/templates/list` and `resources/read` (server/resources)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from .._tools.catalog import Page, ResourceCatalog
from ..errors import InvalidParams, ResourceNotFound
from .connection import Call, Connection, Started
from .envelope import RequestScope
from .running import run_function
from .versions import feature_level

__all__ = ["list_resources", "list_templates", "read_resource"]

Lister = Callable[[ResourceCatalog, str | None, int, int], Awaitable[Page]]
"""A `ResourceCatalog` list method: (catalog, cursor, size, feature level) -> page."""


def _listing(method: str, key: str, fetch: Lister) -> Callable[[Connection, dict[str, Any], RequestScope], Started]:
    """A list method's handler: one page of what `fetch` finds in the server's catalog, under `key`."""

    def start(connection: Connection, params: dict[str, Any], scope: RequestScope) -> Started:
        server = connection.server
        cursor = server.cursor(params, method)

        async def answer(call: Call) -> bytes:
            page = await fetch(server.resources, cursor, server.settings.page_size, feature_level(scope.version))
            return connection.answered(call, server.listed(key, *page, scope))

        return None, {}, answer

    return start


list_resources = _listing("resources/list", "resources", ResourceCatalog.list_resources)
list_templates = _listing("resources/templates/list", "resourceTemplates", ResourceCatalog.list_templates)


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
        # The URI matched the template, but a value may not fit its parameter's type: -32602.
        value = await run_function(
            connection, call, resource, f"Resource template {resource.uri!r} cannot read this URI"
        )
        contents = resource.contents(uri, value)
        return connection.answered(call, server.cache_hints({"contents": contents}, scope))

    return resource, variables, answer
