"""`Settings`: every knob of the server, named once, with its default.

Settings come from, lowest precedence first: the defaults here, a TOML config file
(`--config FILE`, or `mcp-toolhost.toml` in the working directory), environment
variables `MCP_TOOLHOST_<FIELD>` and command-line flags. `resolve_settings` also says
where each value came from (`config show`).

A plain dataclass rather than a pydantic model so that starting the server does not
pay for pydantic when nothing needs validating; `load_settings` validates file and
environment values with pydantic only when there are some.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Annotated, Any, ClassVar, Final, Literal, get_args

from .errors import ConfigError

__all__ = ["Flag", "Resolved", "Settings", "Source", "load_settings", "resolve_settings"]

ENV_PREFIX = "MCP_TOOLHOST_"
SHORTEST_STATE_KEY = 32
"""Characters a configured `request_state_key` has at least: a short secret is a guessable one."""
ENV_ALIASES: Final = {ENV_PREFIX + "STATE_KEY": "request_state_key"}
"""Environment variables that are another name of a setting: `MCP_TOOLHOST_STATE_KEY` goes with `--state-key`."""
DEFAULT_CONFIG_FILE = "mcp-toolhost.toml"

BuiltinGroup = Literal["files", "http", "data", "system", "env"]
"""A group of built-in tools (README, "Built-in tools"); the config file and environment are checked against it."""
BUILTIN_GROUPS: Final[tuple[BuiltinGroup, ...]] = get_args(BuiltinGroup)


class _Bound:
    """Annotated metadata that pydantic reads when it validates a value: more than `gt`, at least `ge`.

    Rather than `pydantic.Field(gt=0)` itself, which would import pydantic with this module:
    most starts have nothing to validate. `config schema` shows the bound (`exclusiveMinimum`, `minimum`)."""

    def __init__(self, *, gt: float | None = None, ge: float | None = None) -> None:
        self.gt, self.ge = gt, ge

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], Any]) -> Any:
        import pydantic

        return handler(Annotated[source, pydantic.Field(gt=self.gt, ge=self.ge)])


POSITIVE = _Bound(gt=0)
NOT_NEGATIVE = _Bound(ge=0)
KIBIBYTE_OR_MORE = _Bound(ge=1024)
"""`audit_max_bytes`: below a KiB, a call's line alone would fill the file."""


@dataclass(frozen=True, slots=True)
class Settings:
    # Read by pydantic when it validates a file's or the environment's values: "nan" and
    # "inf" are floats to it, and a timeout of nan would quietly mean none.
    __pydantic_config__: ClassVar[dict[str, Any]] = {"allow_inf_nan": False}

    # Identity, as reported in `initialize` and `server/discover`.
    name: str = "mcp-toolhost"
    """The server's name, as reported in `initialize` and `server/discover`."""
    title: str = "MCP Tool Host"
    """The server's name for people to read."""
    instructions: str | None = None
    """Text telling the client's model how to use this server's tools; none: no instructions."""

    # Protocol limits.
    page_size: Annotated[int, POSITIVE] = 100
    """Items per page of `tools/list`, `resources/list`, `resources/templates/list` and `prompts/list`."""
    max_message_bytes: Annotated[int, POSITIVE] = 16 * 1024 * 1024
    """Longest input line accepted; longer ones are answered with an error and skipped."""
    max_result_bytes: Annotated[int, POSITIVE] = 16 * 1024 * 1024
    """Largest encoded tool result; larger ones become an error result (the built-ins cut their output to fit).

    As large as `max_message_bytes`, so a file within `max_file_bytes` fits as base64 (4/3 larger)."""
    list_ttl_ms: int = 0
    """2026-07-28 cache hint on list, `resources/read` and `server/discover` results."""
    request_state_key: str | None = field(default=None, repr=False)
    """Secret that seals the 2026-07-28 `requestState`, so that several processes accept each other's
    (README, "Asking the client"); none: a random key per process. Never shown."""
    request_state_ttl: Annotated[float, POSITIVE] = 600.0
    """Seconds a `requestState` stays valid: the client has that long to answer a tool's question."""
    request_state_max_bytes: Annotated[int, POSITIVE] = 256 * 1024
    """Largest `requestState`, which carries the answers a call got so far; past it the call is an error result."""
    max_subscriptions: Annotated[int, POSITIVE] = 1000
    """Resources one client may be subscribed to at once (`resources/subscribe`, `resourceSubscriptions`);
    each subscribed file's folder is watched, and the watch is rebuilt as folders are added."""
    task_ttl: Annotated[float, POSITIVE] = 3600.0
    """Seconds a task (README, "Tasks") is kept after it is created, its `ttlMs`: then it is forgotten,
    and cancelled if it still runs."""
    max_tasks: Annotated[int, POSITIVE] = 1000
    """Tasks one connection keeps at once; past it, the oldest finished one is forgotten, or a new one refused."""

    # The dashboard and management API (serve --dashboard).
    dashboard_token: str | None = field(default=None, repr=False)
    """The dashboard's token (cookie or `Authorization: Bearer`); none: a new one each start. Never shown."""
    dashboard_calls_kept: Annotated[int, POSITIVE] = 500
    """Recent tool calls the dashboard keeps for `/api/calls` and the page; older ones are forgotten."""
    dashboard_event_queue: Annotated[int, POSITIVE] = 1000
    """Events an `/api/events` reader may fall behind by; past it that reader is disconnected (it reconnects)."""

    # Streamable HTTP (serve --http).
    token: str | None = field(default=None, repr=False)
    """Bearer token every Streamable HTTP request must carry (`Authorization: Bearer TOKEN`); never shown."""
    allow_origins: tuple[str, ...] = ()
    """Browser origins (e.g. `https://app.example.com`) allowed besides loopback ones, with CORS; others get 403."""
    http_read_timeout: float = 30.0
    """Seconds a Streamable HTTP client has to send a request's headers, then its body; a slower one gets 408."""
    max_header_bytes: Annotated[int, POSITIVE] = 64 * 1024
    """Largest request line and headers of a Streamable HTTP request; larger ones get 431."""
    max_sessions: int = 1024
    """Handshake-era Streamable HTTP sessions open at once; `initialize` past it gets 503."""
    session_idle_timeout: float = 1800.0
    """Seconds a Streamable HTTP session may go without a request or an open stream before it is ended (0: never)."""
    sse_retry_ms: int = 1000
    """Milliseconds a client waits before resuming an SSE stream the server closed (the `retry` field)."""
    sse_replay_events: int = 256
    """Events kept per SSE stream for a client that resumes it with `Last-Event-ID`."""
    sse_keepalive: Annotated[float, NOT_NEGATIVE] = 15.0
    """Seconds an SSE stream may go without an event before it carries a comment (0: never), so that
    proxies keep it open and a client gone without a word is found (only writing finds it)."""

    # Tool execution.
    tool_timeout: Annotated[float, NOT_NEGATIVE] = 60.0
    """Seconds a tool call may run before it is cancelled (0 disables)."""
    tool_timeouts: dict[str, Annotated[float, NOT_NEGATIVE]] = field(default_factory=dict)
    """Per-tool overrides of `tool_timeout`, by tool name."""
    max_concurrent_calls: Annotated[int, POSITIVE] = 256
    """Tool calls running at once; further calls wait for a free slot."""
    shutdown_grace: Annotated[float, NOT_NEGATIVE] = 1.0
    """Seconds in-flight calls get to finish after EOF or SIGTERM before they are cancelled."""
    client_roots_wait: Annotated[float, POSITIVE] = 2.0
    """Seconds after asking the client for its roots (roots/list) that a tool call waits for the
    answer before it runs with the roots known until then."""
    progress_pause: float = 0.005
    """Seconds between a call's progress notifications and its answer (0: none): the TypeScript
    SDK client drops progress that it reads together with the answer (typescript-sdk#2580)."""

    # Metrics and the state file `mcp-toolhost stats` reads (README, "Metrics and stats").
    metrics_window_calls: Annotated[int, POSITIVE] = 1024
    """Latest calls per tool whose durations the latency percentiles are taken from."""
    metrics_window_seconds: Annotated[float, POSITIVE] = 600.0
    """Seconds a call's duration counts in the latency percentiles."""
    state_dir: str | None = None
    """Folder of the state files, one per running server (`--state-dir`); none: the user state directory."""
    state_interval: Annotated[float, POSITIVE] = 1.0
    """Seconds between two writes of a server's state file (and two refreshes of `stats --watch`)."""

    # Tools to serve.
    tools: tuple[str, ...] = ()
    """Python files or importable modules whose `@tool` functions are served."""
    builtins: tuple[BuiltinGroup, ...] = BUILTIN_GROUPS
    """Built-in tool groups to serve; empty for none (`--no-builtins`)."""

    # Logging, on stderr.
    log_level: Literal["debug", "info", "warning", "error", "critical"] = "warning"
    """Least severe log messages written on stderr."""
    log_format: Literal["console", "json"] = "console"
    """Log lines as text for people, or one JSON object a line."""

    # The audit log (README, "Audit log"): one JSON line per tool call.
    audit_log: str | None = None
    """File the audit lines are appended to (`--audit-log`); none: no audit log."""
    audit_max_bytes: Annotated[int, KIBIBYTE_OR_MORE] = 10 * 1024 * 1024
    """Size past which the audit log is rotated (FILE -> FILE.1 -> FILE.2 ...); at least 1 KiB."""
    audit_backups: Annotated[int, NOT_NEGATIVE] = 5
    """Rotated audit files kept (FILE.1 to FILE.N); 0: a full file is removed."""
    audit_max_value_chars: Annotated[int, NOT_NEGATIVE] = 16 * 1024
    """Characters of one argument string the audit log keeps; a longer one is cut and says its length (0: all)."""

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
    confirm_destructive: bool = False
    """Ask the user (elicitation) before delete_path, move_file over a file, write_file over a file."""
    allow_commands: tuple[str, ...] = ()
    """Programs run_command may run, by name on PATH or absolute path (`--allow-command`); none: run_command is off."""
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
    max_listed_files: int = 1000
    """Files under the roots `resources/list` lists as `file://` resources, at most (any can still be read)."""

    def timeout_for(self, tool_name: str) -> float | None:
        seconds = self.tool_timeouts.get(tool_name, self.tool_timeout)
        return seconds if seconds > 0 else None

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def state_folder(self) -> Path:
        """`state_dir`, or the user state directory (`~/.local/state/mcp-toolhost` on Linux)."""
        if self.state_dir:
            return Path(self.state_dir)
        import platformdirs

        return Path(platformdirs.user_state_dir("mcp-toolhost", appauthor=False))


@dataclass(frozen=True, slots=True)
class Source:
    """Where a setting's value came from, as `config show` reports it."""

    kind: Literal["default", "file", "env", "flag"]
    name: str = ""
    """The config file, the environment variable or the flag; empty for a default."""
    key: str = ""
    """In a config file: the key, with its table (`mcp-toolhost.tool_timeout`)."""
    line: int | None = None
    """In a config file: the line of the key, when it can be found."""

    def __str__(self) -> str:
        if self.kind == "file":
            return f"file {self.name}{f':{self.line}' if self.line else ''}, key {self.key}"
        return f"{self.kind} {self.name}".strip()


@dataclass(frozen=True, slots=True)
class Flag:
    """A setting given on the command line."""

    value: Any
    name: str
    """The flag as people type it (`--root`): what `config show` names as the source."""
    adds: bool = False
    """The value is added to the list the config file or environment gives (`--root`), not put in its place."""


@dataclass(frozen=True, slots=True)
class Resolved:
    """The effective settings, and where each value came from."""

    settings: Settings
    config_file: Path | None
    given: Mapping[str, tuple[Source, ...]]
    """The sources of the settings not left at their default, lowest precedence first."""

    def sources(self, name: str) -> tuple[Source, ...]:
        return self.given.get(name, (Source("default"),))


class _Collected:
    """Setting values with where each came from, and every problem found on the way."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.locate: dict[str, Callable[[list[str | int]], str]] = {}
        """Per setting: where a part of its value is (`file:line`, or the variable), for messages."""
        self.sources: dict[str, Source] = {}
        self.problems: list[str] = []

    def add(self, name: str, value: Any, locate: Callable[[list[str | int]], str], source: Source) -> None:
        self.values[name] = value
        self.locate[name] = locate
        self.sources[name] = source


def _known() -> list[str]:
    return [f.name for f in dataclasses.fields(Settings)]


def _env_values(environ: Mapping[str, str], found: _Collected) -> None:
    known = _known()
    for variable, raw in environ.items():
        if not variable.startswith(ENV_PREFIX):
            continue
        name = ENV_ALIASES.get(variable) or variable.removeprefix(ENV_PREFIX).lower()
        if name not in known:
            from ._toml import did_you_mean

            suggestion = did_you_mean(variable, [ENV_PREFIX + k.upper() for k in known])
            found.problems.append(f"environment variable {variable}: unknown setting{suggestion}")
            continue
        where = f"environment variable {variable}"
        earlier = found.sources.get(name)
        if earlier is not None and earlier.kind == "env":  # a setting and its alias, both set
            if environ[earlier.name] != raw:  # the values are not shown: they may be secrets
                found.problems.append(
                    f"environment variables {earlier.name} and {variable} both set {name}, to different values;"
                    " unset one of them"
                )
            continue
        # Structured fields (dicts, lists) are given as JSON; pydantic parses the rest.
        if raw[:1] in "[{":
            import orjson

            try:
                value = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                found.problems.append(f"{where}: not valid JSON: {exc}")
                continue
        else:
            value = raw
        found.add(name, value, partial(_same, where), Source("env", variable))


def _same(where: str, loc: list[str | int]) -> str:
    return where  # an environment variable holds the whole setting


def _file_values(path: Path, found: _Collected) -> None:
    from ._toml import did_you_mean, dotted, field_line  # only with a config file: not on every start

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Cannot read config file {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"Config file {path} is not UTF-8 text: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Config file {path} is not valid TOML: {exc}") from None
    # Either top-level keys or a [mcp-toolhost] table, so the settings can live in a
    # file shared with other tools.
    table: list[str | int] = ["mcp-toolhost"] if "mcp-toolhost" in data else []
    section = data.get("mcp-toolhost", data)
    if not isinstance(section, dict):
        raise ConfigError(f"Config file {path}: [mcp-toolhost] must be a table")
    lines = text.splitlines()

    def locate(loc: list[str | int]) -> str:
        line = field_line(lines, [*table, *loc])
        return f"{path}:{line}" if line else str(path)

    known = _known()
    for name, value in section.items():
        if name in known:
            key = [*table, name]
            found.add(name, value, locate, Source("file", str(path.absolute()), dotted(key), field_line(lines, key)))
        else:
            found.problems.append(f"{locate([name])}: unknown setting {name!r}{did_you_mean(name, known)}")


def load_settings(
    config_file: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Merge defaults, the config file, the environment and `overrides` (from flags).

    Raises ConfigError listing every problem, each where it is: the file and line, or
    the environment variable.
    """
    flags = {k: Flag(v, "--" + k.replace("_", "-")) for k, v in (overrides or {}).items() if v is not None}
    return resolve_settings(config_file, flags, environ).settings


def resolve_settings(
    config_file: Path | None = None,
    flags: Mapping[str, Flag] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Resolved:
    """`load_settings`, keeping where each setting came from (for `config show`)."""
    if config_file is None and Path(DEFAULT_CONFIG_FILE).is_file():
        config_file = Path(DEFAULT_CONFIG_FILE)
    found = _Collected()
    if config_file is not None:
        _file_values(config_file, found)
    _env_values(os.environ if environ is None else environ, found)
    settings = _validate(found) if found.values else Settings()
    key = settings.request_state_key
    if key is not None and len(key) < SHORTEST_STATE_KEY:  # the key itself is never shown
        where = found.locate["request_state_key"](["request_state_key"])
        found.problems.append(
            f"{where}: request_state_key: {len(key)} characters, fewer than {SHORTEST_STATE_KEY}; use a long "
            'random secret, e.g. from `python -c "import secrets; print(secrets.token_urlsafe(32))"`'
        )
    if found.problems:
        raise ConfigError("\n".join(found.problems))
    given = {name: (source,) for name, source in found.sources.items()}
    changes: dict[str, Any] = {}
    for name, flag in (flags or {}).items():
        if flag.adds:
            changes[name] = (*getattr(settings, name), *flag.value)
            given[name] = (*given.get(name, ()), Source("flag", flag.name))
        else:
            changes[name] = flag.value
            given[name] = (Source("flag", flag.name),)
    return Resolved(settings.replace(**changes) if changes else settings, config_file, given)


def _validate(found: _Collected) -> Settings:
    import pydantic

    try:
        return pydantic.TypeAdapter(Settings).validate_python(found.values)
    except pydantic.ValidationError as exc:
        for error in exc.errors(include_url=False):
            name = str(error["loc"][0])
            field = ".".join(str(part) for part in error["loc"])
            found.problems.append(f"{found.locate[name](list(error['loc']))}: {field}: {error['msg']}")
        return Settings()
