"""Live reload: watch plugin folders, manifests and `--tools` files, reload what changed while serving.

Runs as one of the host's background tasks (`ToolHost.background`), inside the
server's task group. On a change the affected plugin is loaded anew beside the old
one; only if that works are the old tools unregistered, the new ones registered and
the old version's `cleanup()` called. Each registry change reaches handshake-era
clients as `notifications/tools/list_changed` (the host sets `list_changed`, so
`initialize` advertises `tools.listChanged`).

A call in flight finishes on the old code: the connection holds the `Tool` object it
started, and the old module stays alive for as long as that object does.

File events come through `_watch.watch_paths`, as OS events or, with `reload_polling`,
by comparing snapshots.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Protocol

from .._watch import watch_paths
from ..config import Settings

__all__ = ["Reloadable", "watch", "within"]

logger = logging.getLogger("mcp_toolhost.plugins")


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
    logger.info("reload: watching %s", ", ".join(str(p) for p in [*folders, *files]) or "nothing")
    await watch_paths(folders, files, manager.reload, manager.settings.reload_polling)
