"""Watching the files clients subscribed to, so that each change reaches them as
`notifications/resources/updated`.

Only subscribed files are watched (their folders, as editors save by replacing a file),
through the same loop as plugin reload (`_watch.watch_paths`): a burst of events is
one notification. The watch is rebuilt whenever the set of subscribed files changes,
and stops when the last subscription ends. A URI is checked as `resources/read` checks
it, when it is subscribed: a file outside the roots is refused then, never watched.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path

import anyio

from .._protocol.subscriptions import ResourceSubscriptions
from .._watch import watch_paths
from ._config import config
from .file_resources import uri_path

__all__ = ["FileWatch"]

logger = logging.getLogger("mcp_toolhost.builtins")


class FileWatch:
    """The watcher of subscribed `file://` resources (one per host, run as a background job)."""

    def __init__(self, subscriptions: ResourceSubscriptions) -> None:
        self._subscriptions = subscriptions
        self._uris: dict[Path, dict[str, int]] = {}
        """Each watched file (a real path) and the URIs subscribed that name it, with how many times each."""
        self._rebuild: anyio.Event | None = None
        subscriptions.watchers.append(self.offer)

    def offer(self, uri: str) -> Callable[[], None] | None:
        """Watch the file `uri` names (see `ResourceSubscriptions.watchers`); ToolError if it is refused."""
        if not uri.lower().startswith("file:"):
            return None
        real = config().path(uri_path(uri))
        new = real not in self._uris
        named = self._uris.setdefault(real, {})
        named[uri] = named.get(uri, 0) + 1
        if new:
            self._changed_set()
        return functools.partial(self._drop, real, uri)

    def _drop(self, real: Path, uri: str) -> None:
        named = self._uris[real]
        named[uri] -= 1
        if not named[uri]:
            del named[uri]
        if not named:
            del self._uris[real]
            self._changed_set()

    def _changed_set(self) -> None:
        if self._rebuild is not None:
            self._rebuild.set()

    async def run(self) -> None:
        """Watch the subscribed files, rebuilding the watch as they change, until cancelled."""
        polling = config().settings.reload_polling
        while True:
            self._rebuild = anyio.Event()
            files = sorted(self._uris)
            async with anyio.create_task_group() as tasks:
                if files:
                    logger.info("resources: watching %d subscribed file(s)", len(files))
                    tasks.start_soon(functools.partial(watch_paths, [], files, self._changed, polling=polling))
                await self._rebuild.wait()
                tasks.cancel_scope.cancel()

    def _changed(self, paths: set[str]) -> None:
        for path in sorted(paths):
            for uri in list(self._uris.get(Path(path), ())):
                self._subscriptions.updated(uri)
