"""The MCP clients `install` knows: where each keeps its servers, and the shape of one entry.

Everything client-specific is in the `TARGETS` table; the rest of `install` is the same
for all. Sources, read when this was written:

- Claude Desktop: `claude_desktop_config.json`, top-level `mcpServers`, entries of
  `command`, `args`, `env`; in `~/Library/Application Support/Claude/` (macOS),
  `%APPDATA%\\Claude\\` (Windows), `~/.config/Claude/` (Linux builds), read at start
  (modelcontextprotocol.io, "Connect to local MCP servers").
- Claude Code: user scope in `~/.claude.json` under the top-level `mcpServers`, project
  scope in `.mcp.json` at the project root; `claude mcp add` writes `"type": "stdio"`
  (code.claude.com/docs/en/mcp, "MCP installation scopes").
- Cursor: `~/.cursor/mcp.json` (global) or `.cursor/mcp.json` (project), `mcpServers`
  (cursor.com/docs/mcp, "Configuration locations").
- VS Code: `.vscode/mcp.json` in the workspace, top-level `servers`, and `type` is
  required: `"stdio"` (code.visualstudio.com/docs/copilot/reference/mcp-configuration).
- `mcp-json`: the `{"mcpServers": {...}}` form the others share, printed for any client.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = ["TARGETS", "Scope", "Target"]

Scope = Literal["user", "project"]


def _claude_desktop_file() -> Path:
    if sys.platform == "darwin":
        folder = Path.home() / "Library" / "Application Support"
    elif sys.platform == "win32":
        folder = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    else:
        folder = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return folder / "Claude" / "claude_desktop_config.json"


@dataclass(frozen=True, slots=True)
class Target:
    """One client: its config files by scope, the key that holds its servers, the entry's shape."""

    name: str
    title: str
    then: str
    """What the person does next to see the tools (printed after installing)."""
    files: Mapping[Scope, Callable[[], Path]] = field(default_factory=dict)
    """Where the config file is, by scope; empty: the entry is printed instead."""
    key: str = "mcpServers"
    typed: bool = False
    """Whether an entry says `"type": "stdio"`."""

    @property
    def default_scope(self) -> Scope:
        """The first scope in `files`: user, or project for a client that has only that."""
        return next(iter(self.files))

    def file(self, scope: Scope | None) -> Path | None:
        """The config file for `scope` (None: the target's default); ValueError if the client has none there."""
        if not self.files:
            if scope is not None:
                raise ValueError(
                    f"{self.name} has no config file of its own: it prints the entry (or edits --config-file)"
                )
            return None
        scope = scope or self.default_scope
        if scope not in self.files:
            raise ValueError(f"{self.name} has no {scope}-scope config file; use --scope {self.default_scope}")
        return self.files[scope]()

    def entry(self, command: list[str], env: Mapping[str, str]) -> dict[str, Any]:
        """Our server's entry: the program, its arguments, and `env` when given."""
        entry: dict[str, Any] = {"type": "stdio"} if self.typed else {}
        entry |= {"command": command[0], "args": command[1:]}
        if env:
            entry["env"] = dict(env)
        return entry


TARGETS: Mapping[str, Target] = {
    target.name: target
    for target in (
        Target(
            "claude-desktop",
            "Claude Desktop",
            "Quit Claude Desktop completely and start it again: the tools appear in the chat's tools menu.",
            {"user": _claude_desktop_file},
        ),
        Target(
            "claude-code",
            "Claude Code",
            "Start a new Claude Code session: `/mcp` lists the server and its tools"
            " (a project's .mcp.json servers are approved once first).",
            {"user": lambda: Path.home() / ".claude.json", "project": lambda: Path.cwd() / ".mcp.json"},
            typed=True,
        ),
        Target(
            "cursor",
            "Cursor",
            "Open Cursor's settings, MCP: the server is listed with its tools (restart Cursor if it is not).",
            {
                "user": lambda: Path.home() / ".cursor" / "mcp.json",
                "project": lambda: Path.cwd() / ".cursor" / "mcp.json",
            },
        ),
        Target(
            "vscode",
            "VS Code",
            "Open .vscode/mcp.json in VS Code and click Start above the server: its tools appear in"
            " Copilot Chat's agent mode tool picker.",
            {"project": lambda: Path.cwd() / ".vscode" / "mcp.json"},
            key="servers",
            typed=True,
        ),
        Target("mcp-json", "MCP client", "Restart the client that reads this file: the tools then appear."),
    )
}
