"""Watching files for changes: the one loop behind plugin reload and resource subscriptions.

File events come from the OS (inotify, FSEvents, ...) through watchfiles. Where they do
not arrive (network file systems, some container mounts) `polling` compares snapshots
of the files instead: modification time in nanoseconds, size and inode, so even a
same-size edit within the same second is seen (watchfiles' own polling compares whole
seconds). Either way a burst of events (an editor's save is several) is gathered until
the files have been quiet for a moment, and handled as one change.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import anyio.abc

__all__ = ["Snapshot", "snapshot", "watch_paths"]

logger = logging.getLogger("mcp_toolhost.watch")

_STEP_MS = 50
"""Changes are gathered until the files have been quiet this long (an editor's save is several events)."""
_DEBOUNCE_MS = 1600
_POLL_SECONDS = 0.2
_SKIPPED_DIRS = frozenset({"__pycache__", ".git", ".hg", ".svn", ".mypy_cache", ".pytest_cache", ".ruff_cache"})

Changed = Callable[[set[str]], object]
"""Called with the paths that changed (as watched: under the folders given, or the files)."""
Snapshot = dict[str, tuple[int, int, int]]


async def watch_paths(
    folders: list[Path],
    files: list[Path],
    changed: Changed,
    polling: bool,
    *,
    task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED,
) -> None:
    """Call `changed` as files under `folders` (recursively) or `files` change, until cancelled.

    Started with `TaskGroup.start`, it returns once every change from then on will be seen.
    """
    parents = sorted({file.parent for file in files if file.parent.is_dir()} - set(folders))
    async with anyio.create_task_group() as tasks:
        if polling:
            await tasks.start(_poll, changed, folders, files)
        else:
            if folders:
                await tasks.start(_watch, changed, folders, True)
            if parents:
                # A file's folder, not the file itself: editors save by replacing the file.
                await tasks.start(_watch, changed, parents, False)
        task_status.started()


def _handle(changed: Changed, paths: set[str]) -> None:
    try:
        changed(paths)
    except Exception:  # a bug of ours must not end the watching
        logger.exception("handling changed files failed")


async def _watch(
    changed: Changed, paths: list[Path], recursive: bool, *, task_status: anyio.abc.TaskStatus[None]
) -> None:
    from watchfiles import awatch

    stop = anyio.Event()
    async with anyio.create_task_group() as tasks:
        # awatch waits in a worker thread; the stop event ends that wait at once on
        # cancellation, instead of at the thread's next timeout.
        tasks.start_soon(_set_when_cancelled, stop)
        # awatch sets up the OS watches when first iterated, before its first await: the
        # caller resumes only after this task next waits, when they are in place.
        task_status.started()
        changes: Any
        async for changes in awatch(
            *paths,
            stop_event=stop,
            step=_STEP_MS,
            debounce=_DEBOUNCE_MS,
            recursive=recursive,
        ):
            _handle(changed, {str(Path(path)) for _, path in changes})
        tasks.cancel_scope.cancel()


async def _set_when_cancelled(stop: anyio.Event) -> None:
    try:
        await anyio.sleep_forever()
    finally:
        stop.set()


async def _poll(
    changed: Changed, folders: list[Path], files: list[Path], *, task_status: anyio.abc.TaskStatus[None]
) -> None:
    """Report differences between snapshots taken every `_POLL_SECONDS`, once they settle."""
    previous = snapshot(folders, files)
    task_status.started()
    while True:
        await anyio.sleep(_POLL_SECONDS)
        current = snapshot(folders, files)
        if current == previous:
            continue
        while True:  # wait until the files are quiet: an editor's save is several writes
            await anyio.sleep(_STEP_MS / 1000)
            settled = snapshot(folders, files)
            if settled == current:
                break
            current = settled
        paths = {path for path in previous.keys() | current.keys() if previous.get(path) != current.get(path)}
        previous = current
        _handle(changed, paths)


def snapshot(folders: list[Path], files: list[Path]) -> Snapshot:
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
