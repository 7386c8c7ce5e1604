"""`Settings`: every knob of the server, named once, with its default.

Settings come from, lowest precedence first: the defaults here, a TOML config file
(`--config FILE`, or `mcp-toolhost.toml` in the working directory), environment
variables `MCP_TOOLHOST_<FIELD>` and command-line flags.

A plain dataclass rather than a pydantic model so that starting the server does not
pay for pydantic when nothing needs validating; `load_settings` validates file and
environment values with pydantic only when there are some.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .errors import ConfigError

__all__ = ["Settings", "load_settings"]

ENV_PREFIX = "MCP_TOOLHOST_"
DEFAULT_CONFIG_FILE = "mcp-toolhost.toml"


@dataclass(frozen=True, slots=True)
class Settings:
    # Identity, as reported in `initialize` and `server/discover`.
    name: str = "mcp-toolhost"
    title: str = "MCP Tool Host"
    instructions: str | None = None

    # Protocol limits.
    page_size: int = 100
    """Tools per `tools/list` page."""
    max_message_bytes: int = 16 * 1024 * 1024
    """Longest input line accepted; longer ones are answered with an error and skipped."""
    max_result_bytes: int = 16 * 1024 * 1024
    """Largest encoded tool result; larger ones become an error result (the built-ins cut their output to fit).

    As large as `max_message_bytes`, so a file within `max_file_bytes` fits as base64 (4/3 larger)."""
    list_ttl_ms: int = 0
    """2026-07-28 cache hint on `tools/list` and `server/discover` results."""

    # Tool execution.
    tool_timeout: float = 60.0
    """Seconds a tool call may run before it is cancelled (0 disables)."""
    tool_timeouts: dict[str, float] = field(default_factory=dict)
    """Per-tool overrides of `tool_timeout`, by tool name."""
    max_concurrent_calls: int = 256
    """Tool calls running at once; further calls wait for a free slot."""
    shutdown_grace: float = 1.0
    """Seconds in-flight calls get to finish after EOF or SIGTERM before they are cancelled."""

    # Tools to serve.
    tools: tuple[str, ...] = ()
    """Python files or importable modules whose `@tool` functions are served."""
    builtins: tuple[str, ...] = ("files", "http", "data", "system", "env")
    """Built-in tool groups to serve; empty for none (`--no-builtins`)."""

    # Logging, on stderr.
    log_level: Literal["debug", "info", "warning", "error", "critical"] = "warning"
    log_format: Literal["console", "json"] = "console"

    # Plugins (README, "Plugins"). The plugins package is imported only when one of
    # these asks for it, so a server without plugins starts as fast as before.
    plugins: tuple[str, ...] = ()
    """Plugin folders: each `*.py` file, package folder and `*.toml` manifest in them is a plugin."""
    manifests: tuple[str, ...] = ()
    """Manifest files (`*.toml`) that wrap command-line programs as tools."""
    entry_points: bool = True
    """Load installed distributions' `mcp_toolhost.plugins` entry points (a ~2 ms probe when there are none)."""
    reload: bool = False
    """`serve` watches plugin folders and manifests and reloads a plugin when its files change."""
    reload_polling: bool = False
    """Poll for file changes instead of using OS events (network drives, some containers)."""
    enable_plugins: tuple[str, ...] = ()
    """Glob patterns; when given, only plugins whose name matches one are loaded."""
    disable_plugins: tuple[str, ...] = ()
    """Glob patterns of plugins not to load; wins over `enable_plugins`."""
    enable_tools: tuple[str, ...] = ()
    """Glob patterns; when given, only tools whose name (or `plugin.tool`) matches one are served."""
    disable_tools: tuple[str, ...] = ()
    """Glob patterns of tools not to serve, by name or `plugin.tool`; wins over `enable_tools`."""

    # The sandbox of programs that manifests run; a manifest may ask for less or more per tool.
    command_timeout: float = 30.0
    """Seconds a manifest's program may run before its whole process group is killed."""
    command_max_output_bytes: int = 1024 * 1024
    """Bytes of standard output kept; past that the output is cut, flagged and the program stopped."""
    command_cpu_seconds: int = 60
    """CPU seconds a manifest's program may use (RLIMIT_CPU)."""
    command_memory_bytes: int = 2 * 1024**3
    """Address space a manifest's program may map (RLIMIT_AS)."""
    command_open_files: int = 256
    """Files a manifest's program may hold open (RLIMIT_NOFILE)."""

    # Built-in tools (README, "Built-in tools" and "Security"); `builtins` above picks the groups.
    roots: tuple[str, ...] = ()
    """Directories the file tools may use (`--root`); none: the directory the server starts in."""
    read_only: bool = False
    """Hide the built-in tools that write, move, delete or run commands; http_request sends only GET, HEAD, OPTIONS."""
    allow_commands: tuple[str, ...] = ()
    """Programs run_command may run, by name on PATH or by path (`--allow-command`); none: run_command is off."""
    allow_hosts: tuple[str, ...] = ()
    """`HOST` or `HOST:PORT` http_request may reach though loopback, private or link-local (`--allow-host`)."""
    allow_env: tuple[str, ...] = ()
    """Environment variable names get_env and list_env show unredacted although they look secret."""
    run_command_pass_env: tuple[str, ...] = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR")
    """The server's environment variables run_command's child inherits; `"*"` for all."""
    run_command_env: dict[str, str] = field(default_factory=dict)
    """Environment variables set for every run_command child."""
    run_command_timeout: float = 300.0
    """The most seconds a run_command call may ask for (its `timeout` defaults to 60)."""
    run_command_max_output_bytes: int = 1024 * 1024
    """Bytes of stdout, and of stderr, run_command returns; the rest is dropped and flagged."""
    http_timeout: float = 60.0
    """The most seconds an http_request call may ask for (its `timeout` defaults to 30)."""
    http_max_bytes: int = 1024 * 1024
    """Response body bytes http_request returns at most (and by default); the rest is dropped and flagged."""
    http_max_redirects: int = 5
    """Redirects http_request follows, each checked like the first request."""
    max_file_bytes: int = 10 * 1024 * 1024
    """Largest file the file and data tools read whole (read_file without a line window, edit_file, ...)."""
    max_entries: int = 10_000
    """Entries list_directory and directory_tree return, and results search_files may ask for, at most."""

    def timeout_for(self, tool_name: str) -> float | None:
        seconds = self.tool_timeouts.get(tool_name, self.tool_timeout)
        return seconds if seconds > 0 else None

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def _env_values(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for f in dataclasses.fields(Settings):
        raw = environ.get(ENV_PREFIX + f.name.upper())
        if raw is None:
            continue
        # Structured fields (dicts, lists) are given as JSON; pydantic parses the rest.
        values[f.name] = _parse_json(f.name, raw) if raw[:1] in "[{" else raw
    return values


def _parse_json(name: str, raw: str) -> Any:
    import orjson

    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ConfigError(f"{ENV_PREFIX}{name.upper()}: not valid JSON: {exc}") from None


def _file_values(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except OSError as exc:
        raise ConfigError(f"Cannot read config file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Config file {path} is not valid TOML: {exc}") from None
    # Either top-level keys or a [mcp-toolhost] table, so the settings can live in a
    # file shared with other tools.
    section = data.get("mcp-toolhost", data)
    if not isinstance(section, dict):
        raise ConfigError(f"Config file {path}: [mcp-toolhost] must be a table")
    return section


def load_settings(
    config_file: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Merge defaults, the config file, the environment and `overrides` (from flags)."""
    if config_file is None and Path(DEFAULT_CONFIG_FILE).is_file():
        config_file = Path(DEFAULT_CONFIG_FILE)
    values: dict[str, Any] = {}
    if config_file is not None:
        values.update(_file_values(config_file))
    values.update(_env_values(os.environ if environ is None else environ))
    if values:
        known = {f.name for f in dataclasses.fields(Settings)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"Unknown setting(s): {', '.join(unknown)}")
        settings = _validate(values)
    else:
        settings = Settings()
    if overrides:
        settings = settings.replace(**{k: v for k, v in overrides.items() if v is not None})
    return settings


def _validate(values: dict[str, Any]) -> Settings:
    import pydantic

    try:
        return pydantic.TypeAdapter(Settings).validate_python(values)
    except pydantic.ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors(include_url=False)
        )
        raise ConfigError(f"Invalid settings: {problems}") from None
