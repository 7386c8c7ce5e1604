"""Live reload: watch plugin folders, manifests and `--tools` files, reload what changed while serving.

Runs as one of the host's background tasks (`ToolHost.background`), inside the
server's task group. On a change the affected plugin is loaded anew beside the old
one; only if that works are the old tools unregistered, the new ones registered and
the old version's `cleanup()` called. Each registry change reaches handshake-era
clients as `notifications/tools/list_changed` (the host sets `list_changed`, so
`initialize` advertises `tools.listChanged`).

A call in flight finishes on the old code: the connection holds the `Tool` object it
started, and the old module stays alive for as long as that object does.

File events come from the OS (inotify, FSEvents, ...) through watchfiles. Where
they do not arrive (network file systems, some container mounts) `reload_polling`
compares snapshots of the files instead: modification time in nanoseconds, size and
inode, so even a same-size edit within the same second is seen (watchfiles' own
polling compares whole seconds).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Protocol

import anyio

from ..config import Settings

__all__ = ["Reloadable", "watch", "within"]

logger = logging.getLogger("mcp_toolhost.plugins")

_STEP_MS = 50
"""Changes are gathered until the files have been quiet this long (an editor's save is several events)."""
_DEBOUNCE_MS = 1600
_POLL_SECONDS = 0.2
_SKIPPED_DIRS = frozenset({"__pycache__", ".git", ".hg", ".svn", ".mypy_cache", ".pytest_cache", ".ruff_cache"})

Snapshot = dict[str, tuple[int, int, int]]


def within(path: str, location: str) -> bool:
    """Whether `path` is `location` or lies inside it."""
    return path == location or path.startswith(location + os.sep)


class Reloadable(Protocol):
    """What `watch` reloads: the plugins (`PluginManager`) or the `--tools` files (`ToolFiles`)."""

    settings: Settings

    def watched_paths(self) -> tuple[list[Path], list[Path]]:
        """Folders to watch recursively, and files to watch."""
        ...

    def reload(self, changed: set[str]) -> bool:
        """Reload what the changed paths affect; True if anything was."""
        ...


async def watch(manager: Reloadable) -> None:
    """Reload `manager`'s plugins or files as they change, until cancelled."""
    folders, files = manager.watched_paths()
    parents = sorted({file.parent for file in files if file.parent.is_dir()} - set(folders))
    async with anyio.create_task_group() as tasks:
        if manager.settings.reload_polling:
            tasks.start_soon(_poll, manager, folders, files)
        else:
            if folders:
                tasks.start_soon(_watch, manager, folders, True)
            if parents:
                # A manifest's folder, not the file itself: editors save by replacing the file.
                tasks.start_soon(_watch, manager, parents, False)
        logger.info("reload: watching %s", ", ".join(str(p) for p in [*folders, *files]) or "nothing")


async def _watch(manager: Reloadable, paths: list[Path], recursive: bool) -> None:
    from watchfiles import awatch

    stop = anyio.Event()
    async with anyio.create_task_group() as tasks:
        # awatch waits in a worker thread; the stop event ends that wait at once on
        # cancellation, instead of at the thread's next timeout.
        tasks.start_soon(_set_when_cancelled, stop)
        changes: Any
        async for changes in awatch(
            *paths,
            stop_event=stop,
            step=_STEP_MS,
            debounce=_DEBOUNCE_MS,
            recursive=recursive,
        ):
            changed = {str(Path(path)) for _, path in changes}
            try:
                manager.reload(changed)
            except Exception:  # a bug of ours must not end reloading
                logger.exception("reload failed")
        tasks.cancel_scope.cancel()


async def _set_when_cancelled(stop: anyio.Event) -> None:
    try:
        await anyio.sleep_forever()
    finally:
        stop.set()


async def _poll(manager: Reloadable, folders: list[Path], files: list[Path]) -> None:
    """Reload on differences between snapshots taken every `_POLL_SECONDS`, once they settle."""
    previous = _snapshot(folders, files)
    while True:
        await anyio.sleep(_POLL_SECONDS)
        current = _snapshot(folders, files)
        if current == previous:
            continue
        while True:  # wait until the files are quiet: an editor's save is several writes
            await anyio.sleep(_STEP_MS / 1000)
            settled = _snapshot(folders, files)
            if settled == current:
                break
            current = settled
        changed = {path for path in previous.keys() | current.keys() if previous.get(path) != current.get(path)}
        previous = current
        try:
            manager.reload(changed)
        except Exception:
            logger.exception("reload failed")


def _snapshot(folders: list[Path], files: list[Path]) -> Snapshot:
    """Each file's (mtime_ns, size, inode) under `folders`, and of `files`."""
    found: Snapshot = {}

    def add(path: str) -> None:
        try:
            info = os.stat(path)
        except OSError:
            return
        found[path] = (info.st_mtime_ns, info.st_size, info.st_ino)

    for folder in folders:
        for root, dirs, names in os.walk(folder):
            dirs[:] = [d for d in dirs if d not in _SKIPPED_DIRS]
            for name in names:
                add(os.path.join(root, name))
    for file in files:
        add(str(file))
    return found
