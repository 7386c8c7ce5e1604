"""`serve --reload` for `--tools` files: the plugins' reload, applied to the files given with `--tools`.

A file (or package folder) given with `--tools` is watched, with the modules beside it
that it imports (`helper_locations`). When one changes the file is imported anew beside
the old version; only if that works and every tool's (resource's, prompt's) schema builds
are its old ones unregistered and the new ones registered, in one batch per list, so
clients get one `notifications/tools/list_changed` (and one for resources, for prompts).
A broken edit keeps the last good version serving and says why on stderr. `--tools` given
as a module name (`my_package.tools`) is not watched.
"""

from __future__ import annotations

import logging
from pathlib import Path

from .._tools.modules import USER_PREFIX, Served, helper_locations, import_tools_module, module_name, module_served
from ..errors import ConfigError
from ..host import ToolHost
from .reload import within

__all__ = ["ToolFiles"]

logger = logging.getLogger("mcp_toolhost.plugins")


class ToolFiles:
    """The `--tools` files of a host, reloaded in place as they (or the modules beside them) change."""

    def __init__(self, host: ToolHost) -> None:
        self.host = host
        self.settings = host.settings
        self.served: dict[str, Served] = {}
        """Each watched spec (as given) and what is registered from its last good version."""
        self.failed: set[str] = set()

    def track(self, spec: str, served: Served) -> None:
        """Watch `spec` (unless it is a module name), now serving `served`."""
        if not Path(spec).exists():
            logger.warning("reload: --tools %s is a module name, not a file: it is not watched", spec)
            return
        self.served[spec] = served

    def watched_paths(self) -> tuple[list[Path], list[Path]]:
        folders: list[Path] = []
        files: list[Path] = []
        for spec in self.served:
            for path in [Path(spec).resolve(), *map(Path, _helpers(spec))]:
                (folders if path.is_dir() else files).append(path)
        return sorted(set(folders)), sorted(set(files))

    def reload(self, changed: set[str]) -> bool:
        affected = [spec for spec in self.served if any(self._touches(path, spec) for path in changed)]
        for spec in affected:
            self._reload(spec)
        return bool(affected)

    def _touches(self, path: str, spec: str) -> bool:
        own = str(Path(spec).resolve())
        if any(within(path, location) for location in [own, *_helpers(spec)]):
            return True
        # The last edit failed, perhaps in a helper it has not yet imported: retry on changes beside it.
        return spec in self.failed and Path(path).parent == Path(own).parent

    def _reload(self, spec: str) -> None:
        try:
            new = module_served(import_tools_module(spec))
            new.prepare(spec)
        except ConfigError as exc:
            self.failed.add(spec)
            logger.error("--tools %s: reload failed, still serving the last good version: %s", spec, exc)
            return
        self.failed.discard(spec)
        registry = self.host.registry
        old = self.served[spec]
        served = self.host.swap(old, new, f"--tools {spec}")
        with registry.batch():  # one list_changed for the whole change
            for tool in old.tools:
                registry.discard(tool)
            for tool in new.tools:
                if tool.name in registry:
                    logger.error("--tools %s: tool %r is not served: the name is taken", spec, tool.name)
                    served.tools.remove(tool)
                    continue
                registry.add(tool)
        self.served[spec] = served
        names = [function.key for function in [*served.tools, *served.resources, *served.prompts]]
        logger.info("--tools %s reloaded: %s", spec, ", ".join(names) or "nothing to serve")

    async def serve(self) -> None:
        """Beside the transport while serving: reload the files as they change, until cancelled."""
        from .reload import watch

        try:
            await watch(self)
        except Exception:  # reloading may stop; serving must not
            logger.exception("reload stopped")


def _helpers(spec: str) -> frozenset[str]:
    return helper_locations(module_name(Path(spec).resolve(), USER_PREFIX))
