"""`ResourceCatalog`: every resource a server serves, decorated or provided, paged as one list.

Decorated functions (`@resource`) live in two registries, fixed URIs and templates.
Resources that are not functions (the files under the roots, the host's own state)
come from `ResourceProvider`s, asked in the order they were added, after the
decorated ones.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Protocol

from ..errors import InvalidParams
from .changes import Observable
from .function import definitions
from .registry import Registry
from .resource import Resource

__all__ = ["Page", "ResourceCatalog", "ResourceProvider"]

Page = tuple[list[dict[str, Any]], str | None]
"""Definitions, and the cursor of the next page (None on the last one)."""


class ResourceProvider(Protocol):
    """Resources that are not decorated functions: a listing, templates, reading and completion by URI.

    Each method is asked about every URI, and answers only for its own (None otherwise).
    They run as a tool call runs (in a task, under the call limiter and timeout), so they
    may do I/O, and `offered_roots` holds the client's roots as for a tool.
    """

    async def list_resources(self, cursor: str | None, size: int) -> Page:
        """At most `size` `Resource` definitions after `cursor` (this provider's own opaque cursor)."""
        ...

    def list_templates(self) -> list[dict[str, Any]]:
        """Its `ResourceTemplate` definitions (a few: they are not paged separately)."""
        ...

    async def read(self, uri: str) -> list[dict[str, Any]] | None:
        """The `contents` of `uri`, or None if it is not this provider's; raises ProtocolError to refuse."""
        ...

    async def complete(self, template: str, argument: str, value: str, arguments: dict[str, str]) -> list[str] | None:
        """Values for `argument` of `template` starting with `value`, or None if the template is not this provider's."""
        ...


Lister = Callable[[str | None, int], Awaitable[Page]]


class ResourceCatalog(Observable):
    """Listeners hear of a change to either registry, or to a provider's resources (`changed()`)."""

    def __init__(self) -> None:
        super().__init__()
        self.fixed: Registry[Resource] = Registry("resource")
        self.templates: Registry[Resource] = Registry("resource template")
        self.providers: list[ResourceProvider] = []
        for registry in (self.fixed, self.templates):
            registry.on_change(self.changed)

    def __len__(self) -> int:
        return len(self.fixed) + len(self.templates) + len(self.providers)

    def __iter__(self) -> Iterator[Resource]:
        yield from self.fixed
        yield from self.templates

    def unservable(self) -> dict[str, str]:
        """Each decorated resource or template that cannot be served, and why (see `Registry.unservable`)."""
        return {**self.fixed.unservable(), **self.templates.unservable()}

    def add(self, resource: Resource) -> None:
        self._registry(resource).add(resource)

    def discard(self, resource: Resource) -> None:
        """Stop serving `resource` (see `Registry.discard`)."""
        self._registry(resource).discard(resource)

    def add_provider(self, provider: ResourceProvider) -> None:
        self.providers.append(provider)
        self.changed()

    def _registry(self, resource: Resource) -> Registry[Resource]:
        return self.templates if resource.template.is_template else self.fixed

    # --- listing -------------------------------------------------------------------------

    async def list_resources(self, cursor: str | None, size: int, level: int) -> Page:
        sources: list[Lister] = [self._decorated(self.fixed, level)]
        sources += [provider.list_resources for provider in self.providers]
        return await _chain(sources, cursor, size)

    async def list_templates(self, cursor: str | None, size: int, level: int) -> Page:
        sources: list[Lister] = [self._decorated(self.templates, level)]
        sources += [_listed(provider.list_templates) for provider in self.providers]
        return await _chain(sources, cursor, size)

    @staticmethod
    def _decorated(registry: Registry[Resource], level: int) -> Lister:
        async def page(cursor: str | None, size: int) -> Page:
            resources, next_cursor = registry.page(cursor, size)
            return definitions(resources, level), next_cursor

        return page

    # --- finding -------------------------------------------------------------------------

    def find(self, uri: str) -> tuple[Resource, dict[str, str]] | None:
        """The decorated resource serving `uri` and its template variables: a fixed URI first, then templates."""
        fixed = self.fixed.get(uri)
        if fixed is not None:
            return fixed, {}
        for template in self.templates:
            variables = template.template.match(uri)
            if variables is not None:
                return template, variables
        return None


def _listed(definitions: Callable[[], list[dict[str, Any]]]) -> Lister:
    """A lister paging a short list by position."""

    async def page(cursor: str | None, size: int) -> Page:
        items = definitions()
        try:
            start = int(cursor or 0)
        except ValueError:
            raise InvalidParams(f"Invalid cursor {cursor!r}") from None
        end = start + size
        return items[start:end], str(end) if end < len(items) else None

    return page


async def _chain(sources: list[Lister], cursor: str | None, size: int) -> Page:
    """One page across several sources, each with its own cursors, in order.

    The catalog's cursor wraps a source's index and that source's cursor
    (server/utilities/pagination: cursors are opaque to the client).
    """
    index, inner = _unwrap(cursor, len(sources))
    found: list[dict[str, Any]] = []
    while index < len(sources):
        items, inner = await sources[index](inner, size - len(found))
        found += items
        if inner is not None:
            return found, _wrap(index, inner)
        index += 1
        if len(found) >= size:
            return found, _wrap(index, None) if index < len(sources) else None
    return found, None


def _wrap(index: int, inner: str | None) -> str:
    from .. import _json  # the JSON codec: loaded when serving, not at import

    return base64.urlsafe_b64encode(_json.dumps([index, inner])).decode("ascii")


def _unwrap(cursor: str | None, sources: int) -> tuple[int, str | None]:
    if cursor is None:
        return 0, None
    from .. import _json

    try:
        index, inner = _json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (binascii.Error, UnicodeError, ValueError, TypeError):
        raise InvalidParams(f"Invalid cursor {cursor!r}") from None
    if not isinstance(index, int) or not 0 <= index < sources or not isinstance(inner, str | None):
        raise InvalidParams(f"Invalid cursor {cursor!r}")
    return index, inner
