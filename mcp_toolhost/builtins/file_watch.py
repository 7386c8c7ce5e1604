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
    """The `Watcher` of subscribed `file://` resources: one per host, `run` as a background job."""

    def __init__(self, subscriptions: ResourceSubscriptions) -> None:
        self._subscriptions = subscriptions
        self._uris: dict[Path, dict[str, int]] = {}
        """Each watched file (a real path) and the URIs subscribed that name it, with how many times each."""
        self._wanted = 0
        """Bumped at each change of the set of files: the watch of an older set is out of date."""
        self._watching = 0
        """The `_wanted` whose set of files is watched now."""
        self._running = False
        self._rebuild: anyio.Event | None = None
        self._rebuilt: anyio.Event | None = None
        subscriptions.watchers.append(self)

    def offer(self, uri: str) -> Callable[[], None] | None:
        if not uri.lower().startswith("file:"):
            return None
        real = config().path(uri_path(uri))  # ToolError outside the roots: refused
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
        self._wanted += 1
        if self._rebuild is not None:
            self._rebuild.set()

    async def settled(self) -> None:
        wanted = self._wanted
        while self._running and self._watching < wanted and self._rebuilt is not None:
            await self._rebuilt.wait()

    async def run(self) -> None:
        """Watch the subscribed files, rebuilding the watch as they change, until cancelled."""
        polling = config().settings.reload_polling
        self._running = True
        try:
            while True:
                self._rebuild, self._rebuilt = anyio.Event(), anyio.Event()
                wanted, files = self._wanted, sorted(self._uris)
                try:
                    async with anyio.create_task_group() as tasks:
                        if files:
                            await tasks.start(watch_paths, [], files, self._changed, polling)
                            logger.info("resources: watching %d subscribed file(s)", len(files))
                        self._watched(wanted)
                        await self._rebuild.wait()
                        tasks.cancel_scope.cancel()
                except Exception:  # the OS refused a watch (too many): not a reason to stop serving
                    logger.exception("resources: the subscribed files cannot be watched")
                    self._watched(wanted)
                    await self._rebuild.wait()
        finally:
            self._running = False
            if self._rebuilt is not None:
                self._rebuilt.set()

    def _watched(self, wanted: int) -> None:
        self._watching = wanted
        assert self._rebuilt is not None
        self._rebuilt.set()

    def _changed(self, paths: set[str]) -> None:
        for path in sorted(paths):
            for uri in list(self._uris.get(Path(path), ())):
                self._subscriptions.updated(uri)
