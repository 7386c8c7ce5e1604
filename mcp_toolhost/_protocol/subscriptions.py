"""Resource subscriptions: who wants to hear that a resource changed, and telling them.

One `ResourceSubscriptions` per host, shared by its connections. A connection subscribes
for its client (`resources/subscribe`, or a 2026-07-28 `subscriptions/listen` stream's
`resourceSubscriptions`) with a function that sends `notifications/resources/updated`;
`updated(uri)` calls every such function for that URI. It is called by whatever notices
the change: a watcher of files (the `files` built-ins), or user code (`ToolHost.resource_updated`).

Watchers learn of each subscription as it is made, so they watch only what is
subscribed: each is offered the URI and returns how to stop watching it (None when the
URI is not theirs), or raises ToolError to refuse it (a file outside the roots).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Notify", "ResourceSubscriptions", "Watcher"]

Notify = Callable[[str], None]
"""Tells one subscriber that the resource whose URI it is given changed; any thread may call it."""
Watcher = Callable[[str], "Callable[[], None] | None"]


@dataclass(eq=False, slots=True)
class _Subscription:
    uri: str
    notify: Notify
    stops: list[Callable[[], None]] = field(default_factory=list)


class ResourceSubscriptions:
    def __init__(self) -> None:
        self.watchers: list[Watcher] = []
        """Offered each new subscription's URI (see the module's docstring)."""
        self._by_uri: dict[str, list[_Subscription]] = {}

    def subscribe(self, uri: str, notify: Notify) -> Callable[[], None]:
        """Call `notify(uri)` on each change of `uri` until the returned function is called.

        Raises ToolError if a watcher refuses the URI (then nothing is subscribed).
        """
        subscription = _Subscription(uri, notify)
        try:
            for watcher in self.watchers:
                stop = watcher(uri)
                if stop is not None:
                    subscription.stops.append(stop)
        except BaseException:
            _stop(subscription)
            raise
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

    def updated(self, uri: str) -> None:
        """Tell every subscriber of `uri` that it changed (nobody, if none is subscribed)."""
        for subscription in list(self._by_uri.get(uri, ())):
            subscription.notify(uri)

    def __contains__(self, uri: object) -> bool:
        return uri in self._by_uri


def _stop(subscription: _Subscription) -> None:
    for stop in subscription.stops:
        stop()
    subscription.stops.clear()
