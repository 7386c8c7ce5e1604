"""Loading plugins onto a host: what `serve` does at start and on reload, and what `check` reports.

Loading happens in three steps, so one bad plugin never stops the others:

1. Each source (see `discovery`) is imported or parsed and its tools' schemas are
   built. A failure skips that plugin, with the reason.
2. Metadata is checked and the load order decided (`metadata.resolve`): dependencies
   first, else the order of discovery (plugin folders as given, files by name, then
   `--manifest` files, then entry points by name).
3. Tools are registered in that order. **Name conflicts**: the tool registered first
   keeps its name; a later tool of the same name is served as `plugin.tool` and a
   warning is logged. If that name is taken too, the later tool is not served.

On reload the same steps run for the changed sources; a plugin whose new version
fails keeps serving its last good version.
"""

from __future__ import annotations

import inspect
import logging
import os
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar, Literal

from .._tools.modules import Served, helper_locations
from .._tools.tool import TOOL_NAME, Tool
from .._version import __version__
from ..config import Settings
from ..errors import ConfigError
from ..host import ToolHost
from .discovery import Source, entry_point_sources, entry_points_declared, scan
from .filters import ToolFilter
from .metadata import PluginInfo, parse_info, resolve
from .reload import within

__all__ = ["PluginManager", "PluginReport", "PluginStatus", "plugin_host"]

logger = logging.getLogger("mcp_toolhost.plugins")

State = Literal["loaded", "skipped", "disabled"]


@dataclass(eq=False)
class Candidate:
    """One loaded version of a plugin: imported or parsed, its tools prepared."""

    source: Source
    info: PluginInfo
    tools: list[Tool]
    names: list[str]
    """Each tool's own name, before any conflict renaming."""
    module: ModuleType | None = None
    cleanup: Callable[[], Any] | None = None
    served: Served = field(default_factory=Served)
    """Everything it serves: its tools, and a Python plugin's resources and prompts."""


@dataclass
class PluginStatus:
    name: str
    source: str
    state: State
    version: str | None = None
    reason: str | None = None
    tools: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source": self.source,
            "state": self.state,
            "version": self.version,
            "reason": self.reason,
            "tools": self.tools,
            "warnings": self.warnings,
        }


@dataclass
class PluginReport:
    """Each plugin: loaded (its tools, any warnings), skipped and why, or disabled by config."""

    plugins: list[PluginStatus] = field(default_factory=list)
    other_problems: list[str] = field(default_factory=list)
    """Problems outside any one plugin: a missing plugin folder, a tool that cannot be served."""

    @property
    def problems(self) -> list[str]:
        found = []
        for status in self.plugins:
            if status.state == "skipped":
                found.append(f"plugin {status.name!r} ({status.source}) skipped: {status.reason}")
            found += [f"plugin {status.name!r}: {warning}" for warning in status.warnings]
        return found + self.other_problems

    @property
    def ok(self) -> bool:
        return not self.problems

    def render(self, tool_count: int | None = None) -> str:
        lines = []
        for status in self.plugins:
            title = status.name + (f" {status.version}" if status.version else "")
            if status.state == "loaded":
                count = len(status.tools)
                listed = f": {', '.join(status.tools)}" if status.tools else ""
                lines.append(f"ok       {title} ({status.source}): {count} tool{'s' * (count != 1)}{listed}")
            elif status.state == "skipped":
                first, *more = (status.reason or "").splitlines() or [""]
                lines.append(f"SKIPPED  {title} ({status.source}): {first}")
                lines += [f"         {line}" for line in more]  # a manifest's further problems
            else:
                lines.append(f"off      {title} ({status.source}): {status.reason}")
            lines += [f"         warning: {warning}" for warning in status.warnings]
        lines += [f"PROBLEM  {problem}" for problem in self.other_problems]
        counts = {state: sum(s.state == state for s in self.plugins) for state in ("loaded", "skipped", "disabled")}
        loaded = counts["loaded"]
        summary = (
            f"{loaded} plugin{'s' * (loaded != 1)} loaded, {counts['skipped']} skipped, {counts['disabled']} disabled"
        )
        if tool_count is not None:
            summary += f"; {tool_count} tools served"
        problems = len(self.problems)
        summary += f"; {problems} problem{'s' * (problems != 1)}" if problems else "; no problems"
        if not self.plugins:
            lines.append("No plugins configured (--plugins DIR, --manifest FILE, or installed entry points).")
        return "\n".join([*lines, summary])

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "plugins": [status.to_dict() for status in self.plugins],
            "problems": self.problems,
        }


class PluginManager:
    """The plugins of one host: loads them, reloads them, and reports on them."""

    _managers: ClassVar[weakref.WeakKeyDictionary[ToolHost, PluginManager]] = weakref.WeakKeyDictionary()

    def __init__(self, host: ToolHost) -> None:
        self.host = host
        self.settings: Settings = host.settings
        self.filter = ToolFilter.from_settings(self.settings)
        host.registry.reasons.append(self.filter.disabled.get)
        self.sources: list[Source] = []
        self.candidates: dict[str, Candidate] = {}
        """The last good version of each source that loaded."""
        self.failures: dict[str, str] = {}
        """Why a source's latest version did not load."""
        self.disabled: set[str] = set()
        self.active: dict[str, tuple[Candidate, list[Tool]]] = {}
        self.extras: dict[str, Served] = {}
        """The resources and prompts served from each active source."""
        self.notes: dict[str, list[str]] = {}
        self.report = PluginReport()
        self._managers[host] = self

    @classmethod
    def of(cls, host: ToolHost) -> PluginManager | None:
        """The manager that loaded `host`'s plugins, if any."""
        return cls._managers.get(host)

    # --- loading -------------------------------------------------------------------

    def load(self) -> PluginReport:
        """Load every configured plugin onto the host, as `serve` does at start."""
        self.sources = self._discover()
        for source in self.sources:
            self._load(source)
        self._apply()
        plugin_tools = [tool.name for _, tools in self.active.values() for tool in tools]
        for name in self.filter.apply(self.host.registry, keep=plugin_tools):
            logger.info("tool %s is disabled by config", name)
        if self.settings.reload:
            self.host.list_changed = True
        self.host.background.append(self._serve)
        self._log()
        return self.report

    def _discover(self, *, rescan_entry_points: bool = True) -> list[Source]:
        sources = scan(self.settings.plugins, self.settings.manifests)
        if not rescan_entry_points:
            sources += [source for source in self.sources if source.kind == "entry_point"]
        elif self.settings.entry_points and entry_points_declared():
            sources += entry_point_sources()
        unique: dict[str, Source] = {}
        for source in sources:
            unique.setdefault(source.key, source)
        return list(unique.values())

    def _load(self, source: Source) -> Candidate | None:
        """Load one source's current version; on failure the last good one (if any) stays."""
        key = source.key
        self.disabled.discard(key)
        # Python code is not even imported when its file, folder or entry point name is
        # filtered out; a manifest is parsed first (no side effects) so its own name counts.
        if source.kind != "manifest" and not self.filter.plugin_allowed(source.name):
            self.disabled.add(key)
            self.failures.pop(key, None)
            return None
        try:
            candidate = self._candidate(source)
        except ConfigError as exc:
            self.failures[key] = str(exc)
            return None
        if not self.filter.plugin_allowed(source.name, candidate.info.name, tools=candidate.names):
            _call_cleanup(candidate)
            self.disabled.add(key)
            self.failures.pop(key, None)
            return None
        self.failures.pop(key, None)
        self.candidates[key] = candidate
        return candidate

    def _candidate(self, source: Source) -> Candidate:
        defaults = PluginInfo(name=source.name)
        module = None
        if source.kind == "manifest":
            from .command import CommandTool
            from .manifest import load_manifest

            manifest = load_manifest(Path(source.location))
            info = parse_info(manifest.plugin, defaults, source.label)
            tools: list[Tool] = []
            problems = []  # every tool's, not only the first
            for spec in manifest.tools:
                try:
                    tools.append(CommandTool(spec, self.settings))
                except ConfigError as exc:
                    problems.append(f"{source.label}: {exc}")
            if problems:
                raise ConfigError("\n".join(problems))
        else:
            from .._tools.modules import module_served
            from .modules import import_entry_point, import_file

            if source.kind == "entry_point":
                module = import_entry_point(source.location)
                defaults = _distribution_info(source)
            else:
                module = import_file(Path(source.location))
            info = parse_info(getattr(module, "PLUGIN", None), defaults, source.label)
            served = module_served(module)
            tools = served.tools
        cleanup = getattr(module, "cleanup", None) if module is not None else None
        candidate = Candidate(source, info, tools, [tool.name for tool in tools], module, cleanup)
        if module is not None:
            candidate.served = served
        try:
            self._prepare(candidate)
        except ConfigError:
            _call_cleanup(candidate)
            raise
        return candidate

    @staticmethod
    def _prepare(candidate: Candidate) -> None:
        seen: set[str] = set()
        for tool in candidate.tools:
            if tool.name in seen:
                raise ConfigError(f"two tools are named {tool.name!r}")
            seen.add(tool.name)
        candidate.served.tools = candidate.tools
        candidate.served.prepare(candidate.info.name)

    # --- registering -----------------------------------------------------------------

    def _apply(self) -> None:
        """Make the registry serve what the candidates, their metadata and the filters allow."""
        ordered = [self.candidates[s.key] for s in self.sources if s.key in self.candidates]
        reasons: dict[str, str] = {}
        first: dict[str, Candidate] = {}
        eligible: list[Candidate] = []
        for candidate in ordered:
            other = first.get(candidate.info.name)
            if other is not None:
                reasons[candidate.source.key] = (
                    f"another plugin is named {candidate.info.name!r} ({other.source.label})"
                )
            else:
                first[candidate.info.name] = candidate
                eligible.append(candidate)
        unavailable = {s.name: "skipped" for s in self.sources if s.key in self.failures}
        unavailable.update({s.name: "disabled" for s in self.sources if s.key in self.disabled})
        order, refused = resolve([c.info for c in eligible], __version__, unavailable)
        for index, reason in refused.items():
            reasons[eligible[index].source.key] = reason
        wanted = [eligible[index] for index in order]
        wanted_by_key = {c.source.key: c for c in wanted}

        registry, host = self.host.registry, self.host
        # One list_changed per list for the whole change.
        with registry.batch(), host.resources.batch(), host.prompts.batch():
            for key, (candidate, tools) in list(self.active.items()):
                if wanted_by_key.get(key) is not candidate:
                    for tool in tools:
                        registry.discard(tool)
                    host.swap(self.extras.pop(key), Served(), candidate.info.name)
                    del self.active[key]
                    self.notes.pop(key, None)
            for candidate in wanted:
                key = candidate.source.key
                if key not in self.active:
                    self.active[key] = (candidate, self._register(candidate))
                    self.extras[key] = host.swap(Served(), candidate.served, f"plugin {candidate.info.name}")
        self._report(reasons)
        for folder in self.settings.plugins:
            if not Path(folder).expanduser().is_dir():
                self.report.other_problems.append(f"plugin folder {folder} does not exist")

    def _register(self, candidate: Candidate) -> list[Tool]:
        registry = self.host.registry
        plugin = candidate.info.name
        notes = self.notes[candidate.source.key] = []
        served = []
        for tool, original in zip(candidate.tools, candidate.names, strict=True):
            if not self.filter.tool_allowed(original, plugin):
                continue
            name = original
            existing = registry.get(name)
            if existing is not None and existing is not tool:
                qualified = f"{plugin}.{original}"
                owner = existing.source or "another tool"
                if not TOOL_NAME.fullmatch(qualified) or qualified in registry:
                    notes.append(
                        f"tool {original!r} is not served: {original!r} is taken by {owner!r} and so is {qualified!r}"
                    )
                    logger.warning("plugin %s: %s", plugin, notes[-1])
                    continue
                notes.append(f"tool {original!r} is served as {qualified!r}: {original!r} is taken by {owner!r}")
                logger.warning("plugin %s: %s", plugin, notes[-1])
                name = qualified
            tool.rename(name)
            registry.add(tool)
            served.append(tool)
        return served

    def _report(self, reasons: dict[str, str]) -> None:
        statuses = []
        helpers = self._helpers()
        for source in self.sources:
            key = source.key
            if key in helpers:
                continue
            candidate = self.candidates.get(key)
            name = candidate.info.name if candidate else source.name
            version = candidate.info.version if candidate else None
            if key in self.disabled:
                statuses.append(PluginStatus(name, source.label, "disabled", reason="disabled by config"))
            elif key in self.active:
                active, tools = self.active[key]
                warnings = list(self.notes.get(key, ()))
                if key in self.failures:
                    warnings.insert(
                        0, f"the last edit failed, still serving the previous version: {self.failures[key]}"
                    )
                statuses.append(
                    PluginStatus(
                        name, source.label, "loaded", active.info.version, None, [t.name for t in tools], warnings
                    )
                )
            else:
                reason = self.failures.get(key) or reasons.get(key) or "not loaded"
                statuses.append(PluginStatus(name, source.label, "skipped", version, reason))
        self.report = PluginReport(statuses)

    def _helpers(self) -> set[str]:
        """The sources that are modules other plugins import (`from helperlib import ...`), not plugins.

        Such a file sits in a plugin folder beside the plugins that use it; it serves no
        tools and declares no `PLUGIN`, so reporting it as a plugin with 0 tools would mislead.
        """
        used = {
            location
            for candidate in self.candidates.values()
            if candidate.module is not None
            for location in helper_locations(candidate.module.__name__)
        }
        helpers = set()
        for source in self.sources:
            candidate = self.candidates.get(source.key)
            serves = candidate is not None and (
                candidate.tools
                or candidate.served.resources
                or candidate.served.prompts
                or hasattr(candidate.module, "PLUGIN")
            )
            if source.location in used and not serves and source.kind != "manifest":
                helpers.add(source.key)
        return helpers

    def _log(self) -> None:
        for problem in self.report.other_problems:
            logger.warning("%s", problem)
        for status in self.report.plugins:
            if status.state == "skipped":
                logger.error("plugin %s (%s) skipped: %s", status.name, status.source, status.reason)
            elif status.state == "loaded":
                logger.info(
                    "plugin %s (%s) loaded: %s", status.name, status.source, ", ".join(status.tools) or "no tools"
                )

    # --- reloading -------------------------------------------------------------------

    def reload(self, changed: set[str]) -> bool:
        """Reload the plugins whose files are among `changed` paths; True if any was affected."""
        old = {source.key: source for source in self.sources}
        sources = self._discover(rescan_entry_points=False)
        new_keys = {source.key for source in sources}
        affected = [
            source
            for source in sources
            if source.reloadable and (source.key not in old or any(self._touches(path, source) for path in changed))
        ]
        vanished = [key for key, source in old.items() if source.reloadable and key not in new_keys]
        if not affected and not vanished:
            return False
        discarded: list[Candidate] = []
        before = {key: candidate for key, candidate in self.candidates.items()}
        for key in vanished:
            removed = self.candidates.pop(key, None)
            if removed is not None:
                discarded.append(removed)
            self.failures.pop(key, None)
            self.disabled.discard(key)
            logger.info("plugin %s removed", old[key].label)
        for source in affected:
            if self._load(source) is None and source.key in self.failures:
                if source.key in before:
                    logger.error(
                        "plugin %s: reload failed, still serving the last good version: %s",
                        source.label,
                        self.failures[source.key],
                    )
                else:
                    logger.error("plugin %s skipped: %s", source.label, self.failures[source.key])
            current = self.candidates.get(source.key)
            previous = before.get(source.key)
            if previous is not None and current is not previous:
                discarded.append(previous)
            if source.key in self.disabled and current is not None:
                discarded.append(self.candidates.pop(source.key))
        self.sources = sources
        self._apply()
        for candidate in discarded:
            _call_cleanup(candidate)
        for source in affected:
            status = next((s for s in self.report.plugins if s.source == source.label), None)
            if status is not None and status.state == "loaded" and source.key not in self.failures:
                logger.info("plugin %s reloaded: %s", status.name, ", ".join(status.tools) or "no tools")
        return True

    def _touches(self, path: str, source: Source) -> bool:
        """Whether a change to `path` changes `source`: its own files, or a module beside it that it imports."""
        if within(path, source.location):
            return True
        candidate = self.candidates.get(source.key)
        if candidate is not None and candidate.module is not None:
            return any(within(path, helper) for helper in helper_locations(candidate.module.__name__))
        # A plugin that failed may have failed in a helper: retry it on any change beside it.
        return source.key in self.failures and Path(path).parent == Path(source.location).parent

    def watched_paths(self) -> tuple[list[Path], list[Path]]:
        """Folders to watch recursively (plugin folders), and files (manifests) to watch."""
        folders = [Path(f).expanduser().resolve() for f in self.settings.plugins if Path(f).expanduser().is_dir()]
        files = [Path(manifest).expanduser().resolve() for manifest in self.settings.manifests]
        return folders, files

    async def _serve(self) -> None:
        """Beside the transport while serving: the reload watcher, and the cleanup hooks at the end."""
        import anyio

        try:
            if self.settings.reload:
                from .reload import watch

                try:
                    await watch(self)
                except Exception:  # reloading may stop; serving must not
                    logger.exception("reload stopped")
            await anyio.sleep_forever()
        finally:
            with anyio.CancelScope(shield=True):
                self.close()

    def close(self) -> None:
        """Unload every plugin, calling their cleanup hooks."""
        for candidate in list(self.candidates.values()):
            _call_cleanup(candidate)
        self.candidates.clear()


def _call_cleanup(candidate: Candidate) -> None:
    hook = candidate.cleanup
    if hook is None or not callable(hook):
        return
    candidate.cleanup = None  # once
    try:
        result = hook()
        if inspect.isawaitable(result):
            logger.warning(
                "plugin %s: cleanup() must be a plain function; its coroutine was not run", candidate.info.name
            )
            if inspect.iscoroutine(result):
                result.close()
    except Exception:
        logger.exception("plugin %s: cleanup() raised", candidate.info.name)


def _distribution_info(source: Source) -> PluginInfo:
    dist = source.dist
    if dist is None:
        return PluginInfo(name=source.name)
    metadata = dist.metadata
    author = metadata.get("Author") or metadata.get("Author-email")
    return PluginInfo(name=source.name, version=dist.version, description=metadata.get("Summary"), author=author)


def plugin_host(*paths: str | os.PathLike[str], settings: Settings | None = None) -> ToolHost:
    """A host serving just these plugin folders and manifest files, for a plugin's tests.

    ```python
    host = plugin_host(Path(__file__).parent)
    async with mcp_toolhost.testing.connect(host) as client: ...
    ```

    Raises ConfigError listing the problems if any plugin is skipped or renamed.
    """
    for path in paths:
        if Path(path).suffix == ".py":  # else it would be read as a manifest: "not valid TOML"
            raise ConfigError(
                f"{path}: plugin_host takes plugin folders and manifest files; for a plugin module,"
                f" pass the folder that holds it: plugin_host({str(Path(path).parent)!r})"
            )
    folders = tuple(str(p) for p in paths if Path(p).is_dir())
    manifests = tuple(str(p) for p in paths if not Path(p).is_dir())
    host = ToolHost(settings or Settings(), plugins=folders, manifests=manifests, entry_points=False)
    report = PluginManager(host).load()
    if report.problems:
        raise ConfigError("; ".join(report.problems))
    return host
