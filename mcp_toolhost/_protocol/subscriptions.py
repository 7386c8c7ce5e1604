"""Resource subscriptions: who wants to hear that a resource changed, and telling them.

One `ResourceSubscriptions` per host, shared by its connections. A connection subscribes
for its client (`resources/subscribe`, or a 2026-07-28 `subscriptions/listen` stream's
`resourceSubscriptions`) with a function that sends `notifications/resources/updated`;
`updated(uri)` calls every such function for that URI. It is called by whatever notices
the change: a watcher of files (the `files` built-ins), or user code (`Context.resource_updated`).

Watchers learn of each subscription as it is made, so they watch only what is
subscribed (see `Watcher`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import InvalidParams

if TYPE_CHECKING:
    from .connection import Call, Connection, Started
    from .envelope import RequestScope

__all__ = ["Notify", "ResourceSubscriptions", "Watcher", "subscribe", "unsubscribe"]

Notify = Callable[[str], None]
"""Tells one subscriber that the resource whose URI it is given changed; any thread may call it."""


class Watcher(Protocol):
    """Something that notices changes to some resources (the files under the roots) and calls `updated`."""

    def offer(self, uri: str) -> Callable[[], None] | None:
        """Watch `uri`, newly subscribed to, and return how to stop; None if it is not this watcher's.

        Raises ToolError to refuse it (a file outside the roots): then nothing is subscribed.
        """
        ...

    async def settled(self) -> None:
        """Return once every URI offered so far is watched (a change from then on is noticed)."""
        ...


@dataclass(eq=False, slots=True)
class _Subscription:
    uri: str
    notify: Notify
    stops: list[Callable[[], None]] = field(default_factory=list)


class ResourceSubscriptions:
    """The subscriptions of every connection of a host, by URI, and the watchers that feed them."""

    def __init__(self) -> None:
        self.watchers: list[Watcher] = []
        """Offered each new subscription's URI (see the module's docstring)."""
        self._by_uri: dict[str, list[_Subscription]] = {}

    def subscribe(self, uri: str, notify: Notify, *, served: bool) -> Callable[[], None] | None:
        """Call `notify(uri)` on each change of `uri` until the returned function is called.

        `served`: whether a resource of the catalog serves `uri`; if not, a watcher must
        claim it, else None (no such resource: nothing is subscribed). Raises ToolError if
        a watcher refuses the URI (then nothing is subscribed either).
        """
        subscription = _Subscription(uri, notify)
        try:
            for watcher in self.watchers:
                stop = watcher.offer(uri)
                if stop is not None:
                    subscription.stops.append(stop)
        except BaseException:
            _stop(subscription)
            raise
        if not served and not subscription.stops:
            return None
        self._by_uri.setdefault(uri, []).append(subscription)
        return functools.partial(self._cancel, subscription)

    def _cancel(self, subscription: _Subscription) -> None:
        subscribed = self._by_uri.get(subscription.uri, [])
        if subscription not in subscribed:
            return  # cancelled already
        subscribed.remove(subscription)
        if not subscribed:
            del self._by_uri[subscription.uri]
        _stop(subscription)

    async def settled(self) -> None:
        """Return once every watcher watches what it was offered (see `Watcher.settled`)."""
        for watcher in self.watchers:
            await watcher.settled()

    def updated(self, uri: str) -> None:
        """Tell every subscriber of `uri` that it changed (nobody, if none is subscribed)."""
        for subscription in list(self._by_uri.get(uri, ())):
            subscription.notify(uri)


def _stop(subscription: _Subscription) -> None:
    for stop in subscription.stops:
        stop()
    subscription.stops.clear()


# --- resources/subscribe and resources/unsubscribe (handshake era) --------------------


def subscribe(connection: Connection, params: dict[str, Any], scope: RequestScope) -> Started:
    """`resources/subscribe`: answered from a task, as a read is, so the client's roots are known
    when a file URI is checked."""
    uri = _uri(params, "resources/subscribe")

    async def answer(call: Call) -> bytes:
        connection.subscribe_resource(uri, None)
        # Answered once the change the client may make next would be noticed.
        await connection.server.subscriptions.settled()
        return connection.answered(call, {})

    return None, {}, answer


def unsubscribe(connection: Connection, params: dict[str, Any], scope: RequestScope) -> dict[str, Any]:
    """`resources/unsubscribe`: a URI not subscribed is fine (there is nothing to stop)."""
    connection.unsubscribe_resource(_uri(params, "resources/unsubscribe"))
    return {}


def _uri(params: dict[str, Any], method: str) -> str:
    uri = params.get("uri")
    if not isinstance(uri, str):
        raise InvalidParams(f'{method}: "uri" must be a string')
    return uri
