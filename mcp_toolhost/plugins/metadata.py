"""What a plugin declares about itself, and the order plugins load in.

A Python plugin declares a module-level `PLUGIN` dict, a manifest a `[plugin]` table,
with the same keys, all optional:

```python
PLUGIN = {
    "name": "weather",            # default: file, folder or entry point name
    "version": "1.2.0",           # PEP 440; an entry point's default is its distribution's
    "description": "Forecasts",
    "author": "Ada",
    "mcp_toolhost": ">=0.1,<2",   # the mcp-toolhost versions it works with
    "requires": {"geo": ">=2.0"}, # other plugins, with version specifiers ("" for any)
}
```

Versions and specifiers are `packaging`'s, imported only when a plugin declares one.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from .._tools.tool import TOOL_NAME
from ..errors import ConfigError

__all__ = ["PluginInfo", "parse_info", "resolve"]

_KEYS: Final = frozenset({"name", "version", "description", "author", "mcp_toolhost", "requires"})


@dataclass(frozen=True, slots=True)
class PluginInfo:
    name: str
    version: str | None = None
    description: str | None = None
    author: str | None = None
    mcp_toolhost: str | None = None
    """A version specifier the running mcp-toolhost must satisfy."""
    requires: Mapping[str, str] = field(default_factory=dict)
    """Other plugins this one needs, each with a version specifier ("" accepts any)."""


def parse_info(raw: Any, defaults: PluginInfo, where: str) -> PluginInfo:
    """Check a `PLUGIN` dict or `[plugin]` table over `defaults`; raises ConfigError naming `where`."""
    if raw is None:
        return defaults
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: PLUGIN must be a dict, not {type(raw).__name__}")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown plugin metadata {', '.join(map(repr, unknown))}; known: {sorted(_KEYS)}")
    values: dict[str, Any] = {}
    for key in ("name", "version", "description", "author", "mcp_toolhost"):
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{where}: plugin {key} must be a string, not {type(value).__name__}")
        if value is not None:
            values[key] = value
    name = values.get("name", defaults.name)
    if not TOOL_NAME.fullmatch(name):
        raise ConfigError(f"{where}: invalid plugin name {name!r}: use letters, digits, '_', '-' or '.'")
    if "version" in values:
        _version(values["version"], f"{where}: plugin version")
    if "mcp_toolhost" in values:
        _specifier(values["mcp_toolhost"], f"{where}: plugin mcp_toolhost")
    requires = raw.get("requires")
    if requires is not None:
        if not isinstance(requires, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in requires.items()
        ):
            raise ConfigError(f'{where}: plugin requires must map plugin names to specifiers, e.g. {{"geo": ">=2"}}')
        for other, spec in requires.items():
            _specifier(spec, f"{where}: plugin requires {other!r}")
        values["requires"] = dict(requires)
    values["name"] = name
    merged = {key: getattr(defaults, key) for key in _KEYS}
    merged.update(values)
    return PluginInfo(**merged)


def _version(text: str, what: str) -> Any:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text)
    except InvalidVersion:
        raise ConfigError(f"{what}: {text!r} is not a valid version (PEP 440, e.g. 1.2.0)") from None


def _specifier(text: str, what: str) -> Any:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        raise ConfigError(f"{what}: {text!r} is not a valid version specifier (e.g. >=1.0,<2)") from None


def _satisfies(version: str, spec: str) -> bool:
    return bool(_specifier(spec, "specifier").contains(_version(version, "version"), prereleases=True))


def resolve(
    plugins: Sequence[PluginInfo], host_version: str, unavailable: Mapping[str, str] | None = None
) -> tuple[list[int], dict[int, str]]:
    """The load order of `plugins` (indices) and, for each refused one, why.

    Dependencies load before their dependents; otherwise the given order holds. A
    plugin is refused when the running mcp-toolhost is outside its `mcp_toolhost`
    specifier, when a plugin it requires is missing, refused or of another version,
    or when it is part of a dependency cycle. Only those plugins, and the ones that
    depend on them, are refused. `unavailable` names plugins that exist but are not
    among `plugins`, with a word on why ("skipped", "disabled").
    """
    by_name = {info.name: index for index, info in enumerate(plugins)}
    absent = dict(unavailable or {})
    refused: dict[int, str] = {}
    for index, info in enumerate(plugins):
        if info.mcp_toolhost and not _satisfies(host_version, info.mcp_toolhost):
            refused[index] = f"needs mcp-toolhost {info.mcp_toolhost}, but this is mcp-toolhost {host_version}"
    _refuse_dependents(plugins, by_name, refused, absent)
    for cycle in _cycles(plugins, by_name, refused):
        path = " -> ".join(repr(plugins[index].name) for index in [*cycle, cycle[0]])
        for index in cycle:
            refused[index] = f"dependency cycle: {path}"
    _refuse_dependents(plugins, by_name, refused, absent)
    return _topological(plugins, by_name, refused), refused


def _refuse_dependents(
    plugins: Sequence[PluginInfo], by_name: dict[str, int], refused: dict[int, str], absent: Mapping[str, str]
) -> None:
    changed = True
    while changed:
        changed = False
        for index, info in enumerate(plugins):
            if index in refused:
                continue
            reason = _unmet(info, plugins, by_name, refused, absent)
            if reason is not None:
                refused[index] = reason
                changed = True


def _unmet(
    info: PluginInfo,
    plugins: Sequence[PluginInfo],
    by_name: dict[str, int],
    refused: dict[int, str],
    absent: Mapping[str, str],
) -> str | None:
    for other, spec in info.requires.items():
        wanted = f"{other!r} {spec}".rstrip()
        dep = by_name.get(other)
        if dep is None and other in absent:
            return f"requires plugin {other!r}, which is {absent[other]}"
        if dep is None:
            return f"requires plugin {wanted}, which is not installed"
        if dep in refused:
            return f"requires plugin {other!r}, which is skipped"
        version = plugins[dep].version
        if spec and version is None:
            return f"requires plugin {wanted}, but {other!r} declares no version"
        if spec and version is not None and not _satisfies(version, spec):
            return f"requires plugin {wanted}, but {other!r} is version {version}"
    return None


def _cycles(plugins: Sequence[PluginInfo], by_name: dict[str, int], refused: dict[int, str]) -> list[list[int]]:
    """Strongly connected components with a cycle, among the plugins not refused (Tarjan)."""
    edges = {
        index: [by_name[other] for other in info.requires if by_name.get(other) is not None]
        for index, info in enumerate(plugins)
        if index not in refused
    }
    order: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    found: list[list[int]] = []

    def visit(node: int) -> None:
        order[node] = low[node] = len(order)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in order:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], order[nxt])
        if low[node] == order[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in edges.get(node, ()):
                found.append(sorted(component))

    for node in edges:
        if node not in order:
            visit(node)
    return found


def _topological(plugins: Sequence[PluginInfo], by_name: dict[str, int], refused: dict[int, str]) -> list[int]:
    """Kahn's algorithm; among the plugins ready to load, the earliest given goes first."""
    live = [index for index in range(len(plugins)) if index not in refused]
    waiting = {index: {by_name[other] for other in plugins[index].requires} for index in live}
    dependents: dict[int, list[int]] = {index: [] for index in live}
    for index, deps in waiting.items():
        for dep in deps:
            dependents[dep].append(index)
    ready = [index for index, deps in waiting.items() if not deps]
    heapq.heapify(ready)
    order = []
    while ready:
        index = heapq.heappop(ready)
        order.append(index)
        for dependent in dependents[index]:
            waiting[dependent].discard(index)
            if not waiting[dependent]:
                heapq.heappush(ready, dependent)
    return order
