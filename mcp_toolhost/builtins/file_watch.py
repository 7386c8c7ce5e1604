"""Watching the files clients subscribed to, so that each change reaches them as
`notifications/resources/updated`.

Only the folders of subscribed files are watched (a file's folder, as editors save by
replacing the file), through the same loop as plugin reload (`_watch.watch_paths`): a
burst of events is one notification, and events of files not subscribed are dropped.
A file in a folder not yet watched rebuilds the watch: the new one is in place before
the old one stops, and a change the old one saw but had not reported yet is found by
comparing the files with how they were when last reported (`_watch.snapshot`). A folder
left without subscribed files is let go at the next rebuild, and everything stops when
the last subscription ends.

A URI is checked as `resources/read` checks it when it is subscribed: a file outside the
roots is refused then, never watched.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path

import anyio
import anyio.abc

from .._protocol.subscriptions import ResourceSubscriptions
from .._watch import Snapshot, snapshot, watch_paths
from ._config import config
from .file_resources import uri_path

__all__ = ["FileWatch"]

logger = logging.getLogger("mcp_toolhost.builtins")


class FileWatch:
    """The `Watcher` of subscribed `file://` resources: one per host, `run` as a background job."""

    def __init__(self, subscriptions: ResourceSubscriptions) -> None:
        self._subscriptions = subscriptions
        self._uris: dict[Path, dict[str, int]] = {}
        """Each subscribed file (a real path) and the URIs that name it, with how many subscriptions each."""
        self._folders: set[Path] = set()
        """The folders watched, or about to be."""
        self._reported: Snapshot = {}
        """The watched files as they were when the watch started or last reported them."""
        self._wanted = 0
        """Bumped when the watch must be rebuilt: the watch of an older number is out of date."""
        self._watching = 0
        """The `_wanted` whose watch is in place."""
        self._running = False
        self._rebuild: anyio.Event | None = None
        self._rebuilt: anyio.Event | None = None
        subscriptions.watchers.append(self)

    def offer(self, uri: str) -> Callable[[], None] | None:
        if not uri.lower().startswith("file:"):
            return None
        real = config().path(uri_path(uri))  # ToolError outside the roots: refused
        named = self._uris.setdefault(real, {})
        named[uri] = named.get(uri, 0) + 1
        if real.parent not in self._folders:
            self._folders.add(real.parent)
            self._changed_set()
        return functools.partial(self._drop, real, uri)

    def _drop(self, real: Path, uri: str) -> None:
        named = self._uris[real]
        named[uri] -= 1
        if not named[uri]:
            del named[uri]
        if not named:
            del self._uris[real]
        if not self._uris:
            self._folders.clear()
            self._changed_set()

    def _changed_set(self) -> None:
        self._wanted += 1
        if self._rebuild is not None:
            self._rebuild.set()

    async def settled(self) -> None:
        wanted = self._wanted
        while self._running and self._watching < wanted and self._rebuilt is not None:
            await self._rebuilt.wait()

    async def run(self, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        """Watch the subscribed files, rebuilding the watch as they change, until cancelled."""
        polling = config().settings.reload_polling
        self._running = True
        task_status.started()
        try:
            async with anyio.create_task_group() as tasks:
                watching: anyio.CancelScope | None = None
                while True:
                    self._rebuild, self._rebuilt = anyio.Event(), anyio.Event()
                    wanted, files = self._wanted, sorted(self._uris)
                    new = await tasks.start(self._watch, files, polling) if files else None
                    if watching is not None:
                        watching.cancel()
                    watching = new
                    now = snapshot([], files)
                    self._changed({path for path, status in self._reported.items() if now.get(path) != status})
                    self._reported = now
                    self._watched(wanted)
                    await self._rebuild.wait()
        finally:
            self._running = False
            if self._rebuilt is not None:
                self._rebuilt.set()

    async def _watch(
        self, files: list[Path], polling: bool, *, task_status: anyio.abc.TaskStatus[anyio.CancelScope | None]
    ) -> None:
        started = False
        with anyio.CancelScope() as scope:
            try:
                async with anyio.create_task_group() as watch:
                    await watch.start(watch_paths, [], files, self._changed, polling)
                    logger.info("resources: watching %d subscribed file(s)", len(files))
                    task_status.started(scope)
                    started = True
            except Exception:  # the OS refused a watch (too many): not a reason to stop serving
                logger.exception("resources: the subscribed files cannot be watched")
        if not started:
            task_status.started(None)

    def _watched(self, wanted: int) -> None:
        self._watching = wanted
        if self._rebuilt is not None:
            self._rebuilt.set()

    def _changed(self, paths: set[str]) -> None:
        subscribed = sorted(path for path in paths if Path(path) in self._uris)  # not its neighbours
        now = snapshot([], [Path(path) for path in subscribed])
        for path in subscribed:
            if path in now:
                self._reported[path] = now[path]
            else:
                self._reported.pop(path, None)  # deleted
            for uri in list(self._uris.get(Path(path), ())):
                self._subscriptions.updated(uri)
