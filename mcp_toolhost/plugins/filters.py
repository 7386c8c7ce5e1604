"""Allow and deny lists: which plugins load and which tools are served.

Patterns are shell globs (`fnmatch`, case-sensitive). An empty allow list allows
everything; a deny pattern wins over an allow pattern.

A plugin matches by its declared name or its source name (file stem, folder, entry
point name). A Python plugin filtered out by its source name is never imported.

A tool matches by its served name, its name before any conflict renaming, or
`plugin.tool`, so `weather.*` covers every tool of the plugin `weather`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from .._tools.registry import ToolRegistry
from ..config import Settings

__all__ = ["Filter", "ToolFilter"]


@dataclass(frozen=True, slots=True)
class Filter:
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.allow or self.deny)

    def allows(self, *names: str) -> bool:
        """Whether something known by any of `names` passes."""
        return self.refusal(*names) is None

    def refusal(self, *names: str) -> tuple[str, tuple[str, ...]] | None:
        """Why something known by any of `names` does not pass: ("deny", the pattern it
        matches) or ("allow", the patterns it misses); None if it passes."""
        denied = next((p for p in self.deny if any(fnmatchcase(name, p) for name in names)), None)
        if denied is not None:
            return "deny", (denied,)
        if self.allow and not any(fnmatchcase(name, pattern) for name in names for pattern in self.allow):
            return "allow", self.allow
        return None


class ToolFilter:
    def __init__(self, plugins: Filter, tools: Filter) -> None:
        self.plugins = plugins
        self.tools = tools
        self.disabled: dict[str, str] = {}
        """Why each tool these lists refused is not served, by name (`ToolRegistry.reasons`)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> ToolFilter:
        return cls(
            Filter(settings.enable_plugins, settings.disable_plugins),
            Filter(settings.enable_tools, settings.disable_tools),
        )

    def plugin_allowed(self, *names: str, tools: Iterable[str] = ()) -> bool:
        """Whether the plugin passes; if not, why is kept in `disabled` for its `tools`."""
        refusal = self.plugins.refusal(*names)
        if refusal is not None:
            why = f"its plugin {names[-1]!r} {_why(refusal, 'plugin')}"
            self.disabled.update(dict.fromkeys(tools, why))
        return refusal is None

    def tool_allowed(self, name: str, plugin: str | None = None, original: str | None = None) -> bool:
        """Whether the tool passes; if not, why is kept in `disabled`."""
        names: list[str] = [name]
        if original is not None and original != name:
            names.append(original)
        if plugin is not None:
            names.append(f"{plugin}.{original or name}")
        refusal = self.tools.refusal(*names)
        if refusal is not None:
            self.disabled[name] = f"it {_why(refusal, 'tool')}"
        return refusal is None

    def apply(self, registry: ToolRegistry, keep: Iterable[str] = ()) -> list[str]:
        """Remove the tools the lists disable (except `keep`); returns their names."""
        kept = set(keep)
        removed = [tool.name for tool in registry if tool.name not in kept and not self.tool_allowed(tool.name)]
        for name in removed:
            registry.remove(name)
        return removed


def _why(refusal: tuple[str, tuple[str, ...]], kind: str) -> str:
    """`Filter.refusal` in words, naming the flag and the config key (kind: tool or plugin)."""
    rule, patterns = refusal
    listed = ", ".join(repr(p) for p in patterns)
    if rule == "deny":
        return f"is disabled by --disable-{kind} {listed} (disable_{kind}s in the config)"
    return f"matches no --enable-{kind} pattern ({listed}; enable_{kind}s in the config)"
