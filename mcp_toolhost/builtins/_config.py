"""What the built-in tools need from `Settings`, resolved once when they are registered.

The tools are ordinary module-level `@tool` functions, so their runtime state (roots,
allowlists, limits) lives here: `register_builtins` calls `configure(settings)` and the
tools read `config()`. Resolving happens at start, so mistakes (a root that does not
exist, a program not on PATH, a malformed `--allow-host`) stop the server with a clear
message instead of surfacing in the middle of a conversation.

One configuration per process: the last `configure` wins. Before any, `config()` is
the default, as safe as it gets: the working directory as the only root, no programs,
no local hosts.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .._paths import confine, describe_roots, real_roots
from ..config import Settings
from ..errors import ConfigError
from ._net import HostAllowList

__all__ = ["SAFE_HTTP_METHODS", "BuiltinsConfig", "config", "configure"]

SAFE_HTTP_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""What `http_request` may still send with `--read-only` (RFC 9110, 9.2.1 safe methods)."""

STARTED = time.monotonic()
"""When the built-ins were first imported: the server's start, for `system_info`."""


@dataclass(frozen=True, slots=True)
class BuiltinsConfig:
    """`Settings` as the built-in tools use them: roots resolved, programs found, hosts parsed."""

    settings: Settings
    roots: tuple[Path, ...]
    """Real paths (symlinks resolved) of the allowed directories; the first takes relative paths."""
    commands: dict[str, str] = field(default_factory=dict)
    """Allowed program names, and their resolved paths, mapped to the executable's path."""
    hosts: HostAllowList = field(default_factory=HostAllowList)
    http_methods: frozenset[str] | None = None
    """The only methods `http_request` may send, or None for any."""

    @classmethod
    def from_settings(cls, settings: Settings) -> BuiltinsConfig:
        return cls(
            settings=settings,
            roots=real_roots(settings.roots),
            commands=_commands(settings.allow_commands),
            hosts=HostAllowList.parse(settings.allow_hosts),
            http_methods=SAFE_HTTP_METHODS if settings.read_only else None,
        )

    def path(self, path: str, *, follow_symlinks: bool = True) -> Path:
        """`path` resolved and checked to lie inside a root; raises ToolError if not.

        With `follow_symlinks=False` a symlink named last is the result itself, not its
        target: what deleting or moving it acts on.
        """
        return confine(path, self.roots, follow_symlinks=follow_symlinks)

    def describe_roots(self) -> str:
        return describe_roots(self.roots)


def _commands(names: tuple[str, ...]) -> dict[str, str]:
    """Each allowed program resolved now, on the server's PATH, so a later PATH cannot swap it."""
    import shutil

    commands: dict[str, str] = {}
    for name in names:
        found = shutil.which(name)
        if found is None:
            where = "is not an executable file" if os.sep in name else "was not found on PATH"
            raise ConfigError(f"Allowed command {name!r} {where} (--allow-command, allow_commands)")
        # Not realpath: multi-call programs (busybox) tell what to do from argv[0]'s name.
        executable = os.path.abspath(found)
        commands[name] = executable
        commands[executable] = executable
    return commands


_current: BuiltinsConfig | None = None


def configure(settings: Settings) -> BuiltinsConfig:
    """Resolve `settings` for the built-in tools (raises ConfigError) and make it current."""
    global _current
    _current = BuiltinsConfig.from_settings(settings)
    return _current


def config() -> BuiltinsConfig:
    """The current configuration; the safe defaults if `configure` was never called."""
    global _current
    if _current is None:
        _current = BuiltinsConfig.from_settings(Settings())
    return _current
