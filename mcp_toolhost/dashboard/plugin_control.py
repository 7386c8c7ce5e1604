"""`Plugins`: what the dashboard needs of the plugin manager, typed here so that this wing never
imports `plugins/` (they are siblings in the layers contract); the CLI hands the manager over.

`GET /api/plugins` shows each plugin's state and load errors (`check`'s report); `POST
/api/plugins/reload` reloads every plugin from its files now, as `--reload` does on a change:
a plugin that fails keeps its last good version, and clients get one `tools/list_changed`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

__all__ = ["Plugins", "reload_all", "state"]


class _Report(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


class _Source(Protocol):
    @property
    def location(self) -> str: ...


class Plugins(Protocol):
    @property
    def report(self) -> _Report: ...
    @property
    def sources(self) -> Sequence[_Source]: ...
    def reload(self, changed: set[str]) -> bool: ...


def state(plugins: Plugins | None) -> dict[str, Any]:
    if plugins is None:
        return {"ok": True, "plugins": [], "problems": []}
    return plugins.report.to_dict()


def reload_all(plugins: Plugins | None) -> dict[str, Any]:
    if plugins is not None:
        plugins.reload({source.location for source in plugins.sources})
    return state(plugins)
