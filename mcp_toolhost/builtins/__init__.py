"""The built-in tools, safe by default: files, HTTP, data, system and environment.

Each group is a module of ordinary `@tool` functions (the same decorator users write),
and `register_builtins` serves the groups `Settings.builtins` selects:

- files: read_file, read_media_file, read_multiple_files, write_file, edit_file,
  list_directory, directory_tree, search_files, file_info, create_directory,
  move_file, delete_path, list_allowed_directories
- http: http_request
- data: json_query, json_validate, convert_data
- system: run_command, system_info
- env: get_env, list_env

With the `files` group come the files under the roots as `file://` resources (with a
`file:///{path}` template, subscriptions watched) and the prompts summarize_file and
review_diff; with any group, `toolhost://tools`.

Registration decides what is served: with `read_only`, no tool that writes, moves,
deletes or runs commands (any tool whose annotations do not say read-only), and
http_request only sends GET, HEAD and OPTIONS; run_command only when programs are
allowed. Importing the group modules is cheap: heavy libraries load inside the tools.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

from .._tools.tool import Tool, collect_tools
from ..config import BUILTIN_GROUPS
from ..errors import SettingError
from ._config import BuiltinsConfig, configure

if TYPE_CHECKING:
    from pathlib import Path

    from ..config import Settings
    from ..host import ToolHost

__all__ = ["GROUPS", "check_groups", "register_builtins", "why_hidden"]

GROUPS: Final = BUILTIN_GROUPS

logger = logging.getLogger("mcp_toolhost.builtins")

# Tools that enforce their own `timeout` argument, with the setting that caps it: the
# host's timeout for them is that cap plus a moment, so their own limit (and its
# clearer result) always comes first.
_OWN_TIMEOUT: Final = {"run_command": "run_command_timeout", "http_request": "http_timeout"}
_TIMEOUT_GRACE: Final = 5.0


def check_groups(groups: Iterable[str]) -> None:
    """Raise SettingError naming the groups that do not exist, and the ones that do."""
    unknown = [group for group in groups if group not in GROUPS]
    if unknown:
        message = f"Unknown built-in group(s): {', '.join(unknown)}; choose from {', '.join(GROUPS)}"
        raise SettingError(message, "builtins")


def register_builtins(
    host: ToolHost, settings: Settings | None = None, *, config_file: Path | None = None
) -> list[Tool]:
    """Serve the built-in groups `settings.builtins` selects (default: the host's settings, read
    from `config_file`, which the file tools then do not change).

    A tool whose name the host already serves is skipped: a user's own `read_file`
    replaces the built-in one. Raises ConfigError for an unknown group or a setting that
    cannot be resolved (a missing root, a program not on PATH, a bad `allow_hosts` entry).
    """
    settings = host.settings if settings is None else settings
    check_groups(settings.builtins)
    cfg = configure(settings, config_file)
    if "files" in settings.builtins and not cfg.roots.paths:
        logger.warning("Until a client offers roots, the file tools will refuse every path. %s", cfg.roots.missing)
    host.registry.reasons.append(functools.partial(why_hidden, settings, cfg))
    served: list[Tool] = []
    for group in dict.fromkeys(settings.builtins):
        module = importlib.import_module(f"{__name__}.{group}")
        for tool in collect_tools(module):
            if tool.name in host.registry:
                logger.warning("built-in tool %s is replaced by %s", tool.name, host.registry.get(tool.name))
                continue
            adjusted = _adjust(tool, cfg)
            if isinstance(adjusted, str):
                continue
            adjusted.source = f"built-in {group}"
            host.add_tool(adjusted)
            served.append(adjusted)
    _serve_resources_and_prompts(host, settings)
    return served


def _serve_resources_and_prompts(host: ToolHost, settings: Settings) -> None:
    from .host_resources import serve_host_resources

    serve_host_resources(host)
    if "files" not in settings.builtins:
        return
    from .._tools.prompt import collect_prompts
    from . import prompts
    from .file_resources import FileResources
    from .file_watch import FileWatch

    host.resources.add_provider(FileResources())
    host.background.append(FileWatch(host.subscriptions).run)
    for prompt in collect_prompts(prompts):
        if prompt.name in host.prompts:
            logger.warning(
                "built-in prompt %s is replaced by the one from %s", prompt.name, host.prompts.get(prompt.name)
            )
            continue
        prompt.source = "built-in files"
        host.prompts.add(prompt)


def why_hidden(settings: Settings, cfg: BuiltinsConfig | None, name: str) -> str | None:
    """Why the built-in tool `name` is not served (None if there is no such built-in).

    Asked only for a call to a tool not served, so importing the groups is paid then;
    `cfg` is None when no group is served.
    """
    for group in GROUPS:
        tool = next((t for t in collect_tools(importlib.import_module(f"{__name__}.{group}")) if t.name == name), None)
        if tool is None:
            continue
        if not settings.builtins:
            return "the built-in tools are off (--no-builtins, or builtins = [] in the config)"
        if group not in settings.builtins or cfg is None:
            groups = ",".join((*settings.builtins, group))
            return f"its built-in group {group!r} is not served; add it: --builtins {groups} (builtins in the config)"
        adjusted = _adjust(tool, cfg)
        return adjusted if isinstance(adjusted, str) else None
    return None


def _adjust(tool: Tool, cfg: BuiltinsConfig) -> Tool | str:
    """The tool as this configuration serves it, or why it is not served."""
    settings = cfg.settings
    options = tool.options
    if tool.name == "run_command" and not cfg.commands:
        # Off until programs are allowed.
        return "it needs --allow-command NAME (allow_commands in the config) for each program it may run"
    if settings.read_only and not options.read_only_hint:
        if tool.name != "http_request":
            return "it is hidden by --read-only (read_only in the config), as it changes things"
        # Limited to safe methods (see http.py), it no longer changes anything.
        options = dataclasses.replace(options, read_only_hint=True, destructive_hint=None, idempotent_hint=None)
    cap = _OWN_TIMEOUT.get(tool.name)
    if cap is not None and options.timeout is None and tool.name not in settings.tool_timeouts:
        options = dataclasses.replace(options, timeout=getattr(settings, cap) + _TIMEOUT_GRACE)
    return tool if options is tool.options else Tool(tool.fn, options)
