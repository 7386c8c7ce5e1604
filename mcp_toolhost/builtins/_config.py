"""What the built-in tools need from `Settings`, resolved once when they are registered.

The tools are ordinary module-level `@tool` functions, so their runtime state (roots,
allowlists, limits) lives here: `register_builtins` calls `configure(settings)` and the
tools read `config()`. Resolving happens at start, so mistakes (a root that does not
exist, a program not on PATH, a malformed `--allow-host`) stop the server with a clear
message instead of surfacing in the middle of a conversation.

The roots alone also depend on the call: the roots its client offers (MCP `roots/list`,
which the connection sets per call in `offered_roots`) narrow the configured ones or
replace the working directory (`BuiltinsConfig.roots`).

One configuration per process: the last `configure` wins. Before any, `config()` is
the default, as safe as it gets: the working directory as the only root (none if it is
`/` or the home directory, see `_paths.roots_in_force`), no programs, no local hosts.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .._paths import Roots, confine, roots_for_call, roots_in_force
from ..config import Settings
from ..errors import SettingError, ToolError
from ._net import HostAllowList
from ._own_files import OwnFile, own_file_at, own_files

__all__ = ["BuiltinsConfig", "config", "configure"]

SAFE_HTTP_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""What `http_request` may still send with `--read-only` (RFC 9110, 9.2.1 safe methods)."""

STARTED = time.monotonic()
"""When the built-ins were first imported: the server's start, for `system_info`."""


@dataclass(frozen=True, slots=True)
class BuiltinsConfig:
    """`Settings` as the built-in tools use them: roots resolved, programs found, hosts parsed."""

    settings: Settings
    own_roots: Roots
    """The configured roots, else the working directory (or why there are none): the roots in force
    until the client lists its own."""
    commands: dict[str, str] = field(default_factory=dict)
    """Allowed programs (names, absolute paths, and the paths names resolve to) mapped to the executable's path."""
    hosts: HostAllowList = field(default_factory=HostAllowList)
    http_methods: frozenset[str] | None = None
    """The only methods `http_request` may send, or None for any."""
    own: tuple[OwnFile, ...] = ()
    """The server's own files, which the file tools do not change (`_own_files`)."""

    @classmethod
    def from_settings(cls, settings: Settings, config_file: Path | None = None) -> BuiltinsConfig:
        return cls(
            settings=settings,
            own_roots=roots_in_force(settings.roots),
            commands=_commands(settings.allow_commands),
            hosts=HostAllowList.parse(settings.allow_hosts),
            http_methods=SAFE_HTTP_METHODS if settings.read_only else None,
            own=own_files(settings, config_file),
        )

    @property
    def roots(self) -> Roots:
        """The allowed directories for the current call (real paths; the first takes relative paths),
        or why there are none: `own_roots` narrowed or replaced by the roots its client offers."""
        return roots_for_call(self.own_roots)

    def path(self, path: str, *, follow_symlinks: bool = True) -> Path:
        """`path` resolved and checked to lie inside a root; raises ToolError if not.

        With `follow_symlinks=False` a symlink named last is the result itself, not its
        target: what deleting or moving it acts on.
        """
        return confine(path, self.roots, follow_symlinks=follow_symlinks)

    def refuse_own(self, real: Path, shown: str, action: str, *, with_contents: bool = False) -> None:
        """Raise ToolError if `real` is one of the server's own files or lies in one (or, `with_contents`,
        holds one): `action` ("write", "delete"...) is not for the file tools to do there."""
        found = own_file_at(real, self.own, with_contents=with_contents)
        if found is not None:
            mine, held = found
            relation = "holds" if held else "is" if real == mine.path else "is in"
            where = f"{relation} {mine.what} ({mine.path})"
            raise ToolError(
                f"{shown} {where}: the file tools do not {action} the server's own files"
                " (its configuration, the code it loads, its records); the person running the server can."
            )


def _commands(names: tuple[str, ...]) -> dict[str, str]:
    """Each allowed program resolved now, so a later PATH cannot swap it.

    A name is looked up in the absolute folders of the server's PATH only: `.`, an empty
    entry or any relative one would find a file in the working directory, which the
    model may write to. An absolute path allows exactly that file; a relative path is
    refused for the same reason.
    """
    import shutil

    search = os.pathsep.join(
        folder for folder in os.environ.get("PATH", os.defpath).split(os.pathsep) if os.path.isabs(folder)
    )
    commands: dict[str, str] = {}
    for name in names:
        where = "--allow-command, allow_commands"
        if os.sep not in name:
            found = shutil.which(name, path=search)
            if found is None:
                raise SettingError(
                    f"Allowed command {name!r} was not found on PATH, whose relative entries ('.', empty)"
                    f" are not searched ({where})",
                    "allow_commands",
                )
        elif not os.path.isabs(name):
            raise SettingError(
                f"Allowed command {name!r} is a relative path, which would depend on the working directory:"
                f" give a name to look up on PATH (git) or an absolute path (/usr/bin/git) ({where})",
                "allow_commands",
            )
        elif os.path.isfile(name) and os.access(name, os.X_OK):
            found = name
        else:
            raise SettingError(f"Allowed command {name!r} is not an executable file ({where})", "allow_commands")
        # Not realpath: multi-call programs (busybox) tell what to do from argv[0]'s name.
        executable = os.path.abspath(found)
        commands[name] = executable
        commands[executable] = executable
    return commands


_current: BuiltinsConfig | None = None


def configure(settings: Settings, config_file: Path | None = None) -> BuiltinsConfig:
    """Resolve `settings` (read from `config_file`) for the built-in tools (raises SettingError) and make it current."""
    global _current
    _current = BuiltinsConfig.from_settings(settings, config_file)
    return _current


def config() -> BuiltinsConfig:
    """The current configuration; the safe defaults if `configure` was never called."""
    global _current
    if _current is None:
        _current = BuiltinsConfig.from_settings(Settings())
    return _current
