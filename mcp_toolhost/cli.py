"""The `mcp-toolhost` command. Each command is a few lines over library code."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._version import __version__
from .config import DEFAULT_CONFIG_FILE, Flag, Resolved, Settings, resolve_settings
from .errors import ConfigError, SettingError

if TYPE_CHECKING:
    from .install.configfile import Edit
    from .install.targets import Scope, Target

_LOG_LEVELS = ["debug", "info", "warning", "error", "critical"]


_DASHBOARD_DEFAULT = "127.0.0.1:8765"
"""`serve --dashboard` without a value, serving stdio."""
_DASHBOARD_BESIDE = ""
"""`--dashboard` without a value: the default address, or with --http the --http port itself."""


class _BadSettings(click.ClickException):
    """Settings that cannot be used: exit status 2 like a usage error, without the usage text (not a typo in argv)."""

    exit_code = 2


def host_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options every command shares: where settings and tools come from, and logging."""
    options = [
        click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False, exists=True, path_type=Path),
            help="TOML config file (default: ./mcp-toolhost.toml if present).",
        ),
        click.option(
            "--tools",
            "tools",
            multiple=True,
            metavar="PATH_OR_MODULE",
            help="Serve the @tool functions of a Python file or importable module (repeatable).",
        ),
        click.option(
            "--builtins",
            "builtins",
            metavar="GROUPS",
            callback=_groups,
            help="Built-in tool groups to serve, comma-separated (default: files,http,data,system,env).",
        ),
        click.option("--no-builtins", is_flag=True, default=None, help="Serve no built-in tools, only your own."),
        *_builtin_options(),
        click.option(
            "--state-dir",
            type=click.Path(file_okay=False),
            metavar="DIR",
            help="Folder of the servers' state files that `stats` reads (default: the user state directory).",
        ),
        click.option("--log-level", type=click.Choice(_LOG_LEVELS), help="Log level on stderr (default: warning)."),
        click.option("--log-format", type=click.Choice(["console", "json"]), help="Log format on stderr."),
        click.option(
            "--audit-log",
            type=click.Path(dir_okay=False),
            metavar="FILE",
            help='Append one JSON line per tool call to FILE, secrets masked (README, "Audit log").',
        ),
    ]
    options += _plugin_options()
    return functools.reduce(lambda cmd, option: option(cmd), reversed(options), command)


def _groups(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...] | None:
    """`--builtins files,http`: the groups, checked here so that a typo is a usage error naming the flag."""
    if value is None:
        return None
    from .builtins import check_groups

    groups = tuple(filter(None, value.split(",")))
    try:
        check_groups(groups)
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from None
    return groups


# Settings that flags add to rather than replace (a config file's plugin folders stay).
_APPENDED = ("tools", "plugins", "manifests", "enable_plugins", "disable_plugins", "enable_tools", "disable_tools")


# Built-in tools: flags add roots and allowlists to the config file's, as for plugins.
_BUILTIN_APPENDED = ("roots", "allow_commands", "allow_hosts")


def _builtin_options() -> list[Callable[..., Any]]:
    """The sandbox of the built-in tools (README, "Security")."""
    return [
        click.option(
            "--root",
            "roots",
            multiple=True,
            type=click.Path(file_okay=False, exists=True),
            metavar="DIR",
            help="A directory the file tools may use (repeatable; default: the current directory).",
        ),
        click.option(
            "--read-only",
            is_flag=True,
            default=None,
            help="Hide the built-in tools that write, move, delete or run commands.",
        ),
        click.option(
            "--confirm-destructive",
            is_flag=True,
            default=None,
            help="Ask the user before a built-in tool deletes, or replaces a file, when the client can ask.",
        ),
        click.option(
            "--allow-command",
            "allow_commands",
            multiple=True,
            metavar="NAME|PATH",
            help=(
                "A program run_command may run: a name found on PATH at start, or an absolute path"
                " (repeatable; default: none, no run_command)."
            ),
        ),
        click.option(
            "--allow-host",
            "allow_hosts",
            multiple=True,
            metavar="HOST[:PORT]",
            help="A loopback, private or link-local host http_request may reach (repeatable).",
        ),
    ]


def _plugin_options() -> list[Callable[..., Any]]:
    folder = click.Path(file_okay=False, exists=True)
    globs: dict[str, Any] = {"multiple": True, "metavar": "GLOB"}
    return [
        click.option("--plugins", multiple=True, type=folder, metavar="DIR", help="Plugin folder (repeatable)."),
        click.option(
            "--manifest",
            "manifests",
            multiple=True,
            type=click.Path(dir_okay=False, exists=True),
            metavar="FILE",
            help="Manifest wrapping a program as tools (repeatable).",
        ),
        click.option("--reload", is_flag=True, default=None, help="Reload plugins when their files change (serve)."),
        click.option("--reload-polling", is_flag=True, default=None, help="Poll for changes instead of OS events."),
        click.option(
            "--entry-points/--no-entry-points",
            default=None,
            help="Load installed packages' mcp_toolhost.plugins entry points (default: yes).",
        ),
        click.option("--enable-plugin", "enable_plugins", **globs, help="Load only matching plugins (repeatable)."),
        click.option("--disable-plugin", "disable_plugins", **globs, help="Do not load matching plugins (repeatable)."),
        click.option("--enable-tool", "enable_tools", **globs, help="Serve only matching tools (repeatable)."),
        click.option("--disable-tool", "disable_tools", **globs, help="Do not serve matching tools (repeatable)."),
    ]


def _merged(ctx: click.Context, options: dict[str, Any]) -> dict[str, Any]:
    """The group's options and the command's (the command's win), those given only."""
    return {**(ctx.obj or {}), **{k: v for k, v in options.items() if v not in (None, ())}}


def _settings(ctx: click.Context, /, options: dict[str, Any]) -> Settings:
    """Merge the group's options with the command's (the command's win) into Settings."""
    settings = _resolve(ctx, options).settings
    from ._logging import configure_logging

    configure_logging(settings.log_level, settings.log_format)
    return settings


def _resolve(ctx: click.Context, /, options: dict[str, Any]) -> Resolved:
    """The settings from defaults, config file, environment and flags, with where each came from."""
    given = _merged(ctx, options)
    config_file = given.pop("config_file", None)
    _warn_reload_ignored(ctx, given)
    no_builtins = given.pop("no_builtins", False)
    appended = (*_APPENDED, *_BUILTIN_APPENDED)
    flags = {name: Flag(value, _flag(ctx, name, value), adds=name in appended) for name, value in given.items()}
    if no_builtins:
        flags["builtins"] = Flag((), "--no-builtins")
    try:
        resolved = resolve_settings(config_file, flags)
    except ConfigError as exc:
        raise _BadSettings(str(exc)) from None
    ctx.meta[_RESOLVED] = resolved
    return resolved


_RESOLVED = "mcp_toolhost.resolved"
"""Where `_resolve` keeps the settings' sources (`ctx.meta` is shared by nested commands), for `_refused`."""


def _refused(exc: ConfigError) -> click.ClickException:
    """A configuration that cannot be served, as the CLI reports it. A setting that cannot be
    used (a root that is no directory...) exits 2 like every invalid setting, saying where it was given."""
    if not isinstance(exc, SettingError):
        return click.ClickException(str(exc))
    ctx = click.get_current_context(silent=True)
    resolved: Resolved | None = ctx.meta.get(_RESOLVED) if ctx is not None else None
    if resolved is None:
        return _BadSettings(str(exc))
    return _BadSettings(f"{exc}; given by {' + '.join(map(str, resolved.sources(exc.setting)))}")


def _flag(ctx: click.Context, name: str, value: Any) -> str:
    """The flag that set the setting `name` to `value`, as people type it (`--root`, `--no-entry-points`)."""
    for param in ctx.command.params:
        if param.name == name and isinstance(param, click.Option):
            if value is False and param.secondary_opts:
                return param.secondary_opts[0]
            return max(param.opts, key=len)
    return "--" + name.replace("_", "-")


def _warn_reload_ignored(ctx: click.Context, merged: dict[str, Any]) -> None:
    """`--reload` given to a command that runs once: say so rather than ignore it quietly."""
    # `config show` shows what `serve` would do; `install` writes it into the server's arguments.
    if ctx.command.name in ("serve", "show", "install"):
        return
    for key, flag in (("reload", "--reload"), ("reload_polling", "--reload-polling")):
        if merged.get(key):
            click.echo(
                f"Warning: {flag} only applies to `serve`; `{ctx.info_name}` runs once and ignores it.", err=True
            )


def _exit(code: int) -> None:
    """Exit, even if a sync tool's abandoned worker thread is still blocked.

    A thread cannot be interrupted; a timed-out or cancelled sync tool may still be
    running, and the interpreter would wait for it forever at exit.
    """
    main_thread = threading.main_thread()
    if any(t is not main_thread and t.is_alive() and not t.daemon for t in threading.enumerate()):
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os._exit(code)
    sys.exit(code)


def _host(settings: Settings) -> Any:
    from .app import build_host

    resolved: Resolved | None = click.get_current_context().meta.get(_RESOLVED)
    try:
        return build_host(settings, resolved.config_file if resolved is not None else None)
    except ConfigError as exc:
        raise _refused(exc) from None


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="mcp-toolhost")
@host_options
@click.pass_context
def main(ctx: click.Context, /, **options: Any) -> None:
    """An MCP server for your tools. With no command, serve on stdin/stdout."""
    ctx.obj = {k: v for k, v in options.items() if v not in (None, ())}
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve)


@main.command()
@host_options
@click.option(
    "--dashboard",
    "dashboard_address",
    is_flag=False,
    flag_value=_DASHBOARD_BESIDE,
    metavar="[HOST:]PORT",
    help=(
        "Also serve the dashboard and management API there (port 0 picks a free one). Without a value:"
        f" {_DASHBOARD_DEFAULT}, or with --http on the --http port itself, beside the MCP endpoint."
    ),
)
@click.option(
    "--dashboard-token",
    metavar="TOKEN",
    help="The dashboard's token (default: a new one, printed on stderr; better: MCP_TOOLHOST_DASHBOARD_TOKEN).",
)
@click.option(
    "--http",
    "http_address",
    metavar="[HOST:]PORT",
    help="Serve Streamable HTTP instead of stdio (host default 127.0.0.1; port 0 picks a free one).",
)
@click.option("--http-path", default="/mcp", show_default=True, help="The MCP endpoint's path (with --http).")
@click.option(
    "--token",
    metavar="TOKEN",
    help="With --http: require `Authorization: Bearer TOKEN` (better: MCP_TOOLHOST_TOKEN, not seen in ps).",
)
@click.option("--no-auth", is_flag=True, help="With --http: serve a non-loopback address without a token.")
@click.option(
    "--workers", type=click.IntRange(1), default=1, show_default=True, help="With --http: processes sharing the port."
)
@click.option(
    "--state-key",
    "request_state_key",
    metavar="SECRET",
    help="The request_state_key: processes and machines serving one client must share it.",
)
@click.option(
    "--allow-origin", "allow_origins", multiple=True, metavar="ORIGIN", help="With --http: a browser origin to allow."
)
@click.pass_context
def serve(
    ctx: click.Context,
    /,
    dashboard_address: str | None,
    http_address: str | None,
    http_path: str,
    no_auth: bool,
    workers: int,
    **options: Any,
) -> None:
    """Serve MCP on stdin/stdout (newline-delimited JSON-RPC), or over Streamable HTTP with --http;
    and the dashboard with --dashboard."""
    from ._transports.stdio import claim_stdout

    settings = _settings(ctx, options)
    if http_address is not None:
        _serve_http(settings, http_address, http_path, no_auth, workers, dashboard_address)
        return
    if sys.stdin.isatty():  # a person, not a client: say why nothing happens
        click.echo(
            "mcp-toolhost is an MCP server: it waits for JSON-RPC messages on stdin, one per line, from an MCP"
            " client. See `mcp-toolhost --help`, or `mcp-toolhost list-tools` for its tools; Ctrl-D quits.",
            err=True,
        )
    # Protect stdout before importing anyone's tools: a print at import time must not
    # reach the client either.
    with claim_stdout() as stdout_fd:
        host = _host(settings)
        if dashboard_address is not None:
            _add_dashboard(host, dashboard_address or _DASHBOARD_DEFAULT)
        host.run(stdout_fd)
    _exit(0)


def _add_dashboard(host: Any, address: str, *, http_host: str | None = None) -> None:
    """Serve the dashboard at `address`, or with `http_host` on the --http port (`address` empty)."""
    from .dashboard import attach, mount
    from .plugins.loader import PluginManager

    try:
        if http_host is not None and not address:
            mount(host, http_host, PluginManager.of(host))
        else:
            attach(host, address, PluginManager.of(host))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--dashboard") from None
    except ConfigError as exc:  # an address that cannot be served: exit 2, as for a bad setting
        raise _BadSettings(str(exc)) from None


def _serve_http(
    settings: Settings, address: str, path: str, no_auth: bool, workers: int, dashboard_address: str | None
) -> None:
    from ._transports.http import refusal_to_bind
    from ._transports.sockets import parse_address

    try:
        host, port = parse_address(address)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--http") from None
    if not path.startswith("/"):
        raise click.BadParameter(f"{path!r} must start with /, e.g. /mcp", param_hint="--http-path")
    if dashboard_address is not None and workers > 1:
        raise click.UsageError(
            f"--dashboard cannot be combined with --workers {workers}: each worker would show only its own"
            " calls. Serve the dashboard with --workers 1."
        )
    if dashboard_address == _DASHBOARD_BESIDE and (path == "/" or path.startswith(("/api/", "/static/"))):
        raise click.BadParameter(
            f"{path!r} is taken by the dashboard on the same port (/, /api/, /static/); use another, e.g. /mcp",
            param_hint="--http-path",
        )
    refusal = refusal_to_bind(host, settings.token, no_auth)
    if refusal is not None:
        raise _BadSettings(refusal)
    served = _host(settings)
    if dashboard_address is not None:
        _add_dashboard(served, dashboard_address, http_host=host)
    _exit(served.run_http(host, port, path, workers))


@main.command("list-tools")
@host_options
@click.option("--json", "as_json", is_flag=True, help="Print exactly the tools/list result.")
@click.pass_context
def list_tools(ctx: click.Context, /, as_json: bool, **options: Any) -> None:
    """List the tools this configuration serves, one a line (wrapped to the terminal's width)."""
    from ._cli_output import render_tools, terminal_width

    settings = _settings(ctx, options)
    width = terminal_width()
    with _quiet_stdout():
        host = _host(settings)
        problems = host.registry.unservable()
        for name in problems:  # reported here, once, rather than logged by tools/list
            host.registry.remove(name)
        text = render_tools(host, as_json=as_json, width=width)
    _print_listing(text, problems)


def _print_listing(text: str, problems: dict[str, str]) -> None:
    """A list command's output, then what could not be listed and why (exit status 1 if anything)."""
    click.echo(text)
    for problem in problems.values():
        click.echo(f"Error: {problem}", err=True)
    if problems:
        _exit(1)


@main.command()
@click.argument("tool_name", metavar="TOOL")
@click.option("--json", "as_json", is_flag=True, help="Print exactly the tool's tools/list entry.")
@host_options
@click.pass_context
def describe(ctx: click.Context, /, tool_name: str, as_json: bool, **options: Any) -> None:
    """Show one tool: its parameters (types, defaults, descriptions), output schema and annotations."""
    settings = _settings(ctx, options)
    _describe(settings, tool_name, as_json=as_json)


def _describe(settings: Settings, tool_name: str, *, as_json: bool) -> None:
    from ._cli_output import describe_tool

    with _quiet_stdout():
        text, found = describe_tool(_host(settings), tool_name, as_json=as_json)
    click.echo(text, err=not found)
    _exit(0 if found else 1)


@main.command(add_help_option=False)
@click.argument("tool_name", metavar="TOOL", required=False)
@click.option("--arg", "-a", "pairs", multiple=True, metavar="KEY=VALUE", help="One argument (repeatable).")
@click.option("--args", "json_arguments", metavar="OBJECT", help="All arguments as one JSON object.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole CallToolResult as one line of JSON.")
@click.option("--raw", is_flag=True, help="Print the whole CallToolResult as indented JSON.")
@click.option("-h", "--help", "show_help", is_flag=True, help="Show this message, or with TOOL the tool's parameters.")
@host_options
@click.pass_context
def call(
    ctx: click.Context,
    /,
    tool_name: str | None,
    pairs: tuple[str, ...],
    json_arguments: str | None,
    as_json: bool,
    raw: bool,
    show_help: bool,
    **options: Any,
) -> None:
    """Call one tool and print its result: text as text, structured content as indented JSON.

    Exit status 0 for a result; 1 for an error result (printed on stderr) or a tool that is
    not served; 2 for a usage error. KEY=VALUE values are taken as text for string
    parameters and as JSON otherwise (count=3, flags='["a","b"]').
    """
    from ._cli_output import colour_wanted, run_call

    if tool_name is None:
        if show_help:
            click.echo(ctx.get_help())
            return
        raise click.UsageError("Missing argument 'TOOL'.")
    if as_json and raw:
        raise click.UsageError("--json and --raw are two forms of the same output: choose one.")
    settings = _settings(ctx, options)
    if show_help:
        _describe(settings, tool_name, as_json=False)
    with _quiet_stdout():
        host = _host(settings)
        problem = host.registry.unservable(tool_name).get(tool_name)
        if problem is not None:
            raise click.ClickException(problem)
        outcome = run_call(host, tool_name, pairs, json_arguments)
    colour = colour_wanted()
    text, to_stderr = outcome.render("json" if as_json else "raw" if raw else "text", colour=colour)
    click.echo(text, err=to_stderr, color=colour and not to_stderr)
    _exit(outcome.status)


# --- Resources and prompts --------------------------------------------------------------


@main.command("list-resources")
@host_options
@click.option("--json", "as_json", is_flag=True, help="Print the resources/list and resources/templates/list results.")
@click.pass_context
def list_resources(ctx: click.Context, /, as_json: bool, **options: Any) -> None:
    """List the resources and resource templates this configuration serves, one a line."""
    from ._cli_output import render_resources, terminal_width

    settings = _settings(ctx, options)
    width = terminal_width()
    with _quiet_stdout():
        host = _host(settings)
        problems = host.resources.unservable()
        for uri in problems:  # reported here, once, rather than logged by the listing
            host.resources.fixed.remove(uri)
            host.resources.templates.remove(uri)
        text = render_resources(host, as_json=as_json, width=width)
    _print_listing(text, problems)


@main.command("list-prompts")
@host_options
@click.option("--json", "as_json", is_flag=True, help="Print exactly the prompts/list result.")
@click.pass_context
def list_prompts(ctx: click.Context, /, as_json: bool, **options: Any) -> None:
    """List the prompts this configuration serves, one a line, with their arguments (? marks optional ones)."""
    from ._cli_output import render_prompts, terminal_width

    settings = _settings(ctx, options)
    width = terminal_width()
    with _quiet_stdout():
        host = _host(settings)
        problems = host.prompts.unservable()
        for name in problems:  # reported here, once, rather than logged by prompts/list
            host.prompts.remove(name)
        text = render_prompts(host, as_json=as_json, width=width)
    _print_listing(text, problems)


@main.command()
@click.argument("uri")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    metavar="FILE",
    help="Write the contents to FILE (atomically) instead of printing them; needed for binary contents.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the whole ReadResourceResult as one line of JSON.")
@host_options
@click.pass_context
def read(ctx: click.Context, /, uri: str, output: Path | None, as_json: bool, **options: Any) -> None:
    """Read one resource and print its text, or write it to a file with --output.

    Exit status 0 when read; 1 for a resource that is not served, fails, or is binary without --output.
    """
    from ._cli_output import read_resource

    settings = _settings(ctx, options)
    with _quiet_stdout():
        printed = read_resource(_host(settings), uri, output=output, as_json=as_json)
    click.echo(printed.text, err=printed.to_stderr)
    _exit(printed.status)


@main.command("get-prompt")
@click.argument("name")
@click.option("--arg", "-a", "pairs", multiple=True, metavar="KEY=VALUE", help="One argument (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the whole GetPromptResult as one line of JSON.")
@host_options
@click.pass_context
def get_prompt(ctx: click.Context, /, name: str, pairs: tuple[str, ...], as_json: bool, **options: Any) -> None:
    """Get one prompt with its arguments and print its messages, each under its role.

    Exit status 0 for messages; 1 for a prompt that is not served, a missing argument, or a failure.
    """
    from ._cli_output import get_prompt as fetch_prompt

    settings = _settings(ctx, options)
    with _quiet_stdout():
        printed = fetch_prompt(_host(settings), name, pairs, as_json=as_json)
    click.echo(printed.text, err=printed.to_stderr)
    _exit(printed.status)


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """While tools are imported and run, whatever they print goes to stderr: stdout is ours."""
    from ._transports.stdio import claim_stdout

    with claim_stdout():
        yield


# --- Plugins -------------------------------------------------------------------------


@main.command("new-plugin")
@click.argument("name")
@click.option("--kind", type=click.Choice(["python", "manifest"]), default="python", show_default=True)
@host_options
@click.pass_context
def new_plugin(ctx: click.Context, /, name: str, kind: str, **options: Any) -> None:
    """Create NAME/: a working plugin (a Python module, or a manifest wrapping `wc`) and its test."""
    from .plugins.scaffold import create_plugin

    _settings(ctx, options)  # the global options (--log-level...) apply here too
    try:
        files = create_plugin(Path.cwd(), name, kind)  # type: ignore[arg-type]
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    for path in files:
        click.echo(f"created {path.relative_to(Path.cwd())}")
    click.echo(f"Serve it:  mcp-toolhost serve --plugins {name}\nTest it:   python -m pytest {name}")


@main.command()
@host_options
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def check(ctx: click.Context, /, as_json: bool, **options: Any) -> None:
    """Load everything as `serve` would and report each plugin and tool; exit status 1 on any problem."""
    from ._transports.stdio import claim_stdout
    from .app import assemble
    from .plugins.check import check_report

    settings = _settings(ctx, options)
    # The report lists each problem; the loader logging it on stderr too would say it twice.
    logging.getLogger("mcp_toolhost.plugins").setLevel(logging.CRITICAL)
    with claim_stdout():  # what plugins print while loading goes to stderr
        try:
            host, report = assemble(settings)
        except ConfigError as exc:
            raise _refused(exc) from None
        text, ok = check_report(host, report, as_json=as_json)
    click.echo(text)
    sys.exit(0 if ok else 1)


@main.command()
@host_options
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@click.pass_context
def docs(ctx: click.Context, /, fmt: str, **options: Any) -> None:
    """Write a reference of every tool, resource and prompt served (descriptions, parameters, output)."""
    from ._transports.stdio import claim_stdout
    from .plugins.docs import render_docs

    settings = _settings(ctx, options)
    with claim_stdout():
        text = render_docs(_host(settings), fmt)  # type: ignore[arg-type]
    click.echo(text, nl=False)


@main.command("manifest-schema")
@host_options
@click.pass_context
def manifest_schema(ctx: click.Context, /, **options: Any) -> None:
    """Print the JSON Schema that manifests are validated against."""
    import json

    from .plugins.manifest import MANIFEST_SCHEMA

    _settings(ctx, options)  # the global options (--log-level...) apply here too
    click.echo(json.dumps(MANIFEST_SCHEMA, indent=2))


# --- Install into clients ------------------------------------------------------------


def _target(ctx: click.Context, param: click.Parameter, value: str) -> Target:
    """TARGET: a client `install` knows; its table is imported only when a command needs it."""
    from .install.targets import TARGETS

    if value not in TARGETS:
        raise click.BadParameter(f"{value!r} is not one of {', '.join(TARGETS)}.", ctx, param)
    return TARGETS[value]


def _client_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """TARGET and where its config file is: shared by install and uninstall."""
    options = [
        click.argument("target", metavar="TARGET", callback=_target),
        click.option("--name", default="toolhost", show_default=True, help="The server's name in the client."),
        click.option(
            "--config-file",
            "client_file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Edit this file instead of the client's own.",
        ),
        click.option(
            "--scope",
            type=click.Choice(["user", "project"]),
            help="user: the client's file for you (default); project: the one in this folder (claude-code,"
            " cursor; vscode has only this one).",
        ),
        click.option("--dry-run", is_flag=True, help="Print the change as a unified diff; write nothing."),
    ]
    return functools.reduce(lambda cmd, option: option(cmd), reversed(options), command)


@main.command()
@_client_options
@click.option(
    "--env",
    "env_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="A variable the client sets for the server (repeatable).",
)
@host_options
@click.pass_context
def install(
    ctx: click.Context,
    /,
    target: Target,
    name: str,
    client_file: Path | None,
    scope: Scope | None,
    dry_run: bool,
    env_pairs: tuple[str, ...],
    **options: Any,
) -> None:
    """Add this server to an MCP client: TARGET's config file gets an entry running `serve` with the
    options given here (paths made absolute). Only that entry changes; FILE.bak keeps the old file.

    TARGET: claude-desktop, claude-code, cursor, vscode, or mcp-json (print the entry).
    """
    import json

    from .install.command import serve_args, server_program
    from .install.configfile import install as edit_in

    env = dict(_env_pair(pair) for pair in env_pairs)
    _settings(ctx, options)  # settings serve would refuse are refused now, not when the client starts it
    params = [param for param in ctx.command.params if param.name in options]
    command = [*server_program(), *serve_args(params, _merged(ctx, options), functools.partial(_flag, ctx))]
    path = _client_file(target, client_file, scope)
    if path is None:
        click.echo(json.dumps({"mcpServers": {name: target.entry(command, env)}}, indent=2, ensure_ascii=False))
        return
    _apply(lambda: edit_in(target, path, name, command, env), dry_run, env, f"{target.title}: {name} is in {path}.")
    if not dry_run:
        click.echo(target.then)


@main.command()
@_client_options
def uninstall(target: Target, name: str, client_file: Path | None, scope: Scope | None, dry_run: bool) -> None:
    """Remove this server's entry from TARGET's config file; nothing else in it changes."""
    from .install.configfile import uninstall as edit_out

    path = _client_file(target, client_file, scope)
    if path is None:
        raise click.UsageError("mcp-json keeps no file: give --config-file FILE to remove the entry from FILE.")
    _apply(lambda: edit_out(target, path, name), dry_run, {}, f"{target.title}: {name} is no longer in {path}.")


def _env_pair(pair: str) -> tuple[str, str]:
    key, sep, value = pair.partition("=")
    if not sep or not key:
        raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--env")
    return key, value


def _client_file(target: Target, given: Path | None, scope: Scope | None) -> Path | None:
    """`--config-file` made absolute, else the target's file for the scope; None: mcp-json, printed."""
    if given is not None:
        return Path(os.path.abspath(given))
    try:
        return target.file(scope)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def _apply(plan: Callable[[], Edit | None], dry_run: bool, env: dict[str, str], done: str) -> None:
    """Make the edit `plan` returns (None: nothing to remove), or with `dry_run` print it as a diff."""
    from ._redact import secret_values

    try:
        edit = plan()
        if edit is None or not edit.changed:
            click.echo(f"Nothing to change: {done}")
        elif dry_run:
            click.echo(edit.diff(secret_values(env)), nl=False)
        else:
            edit.write()
            click.echo(done)
    except ConfigError as exc:
        raise _BadSettings(str(exc)) from None


# --- Config --------------------------------------------------------------------------


@main.group()
def config() -> None:
    """The settings: what is in effect and why, the config file's schema, a starter file."""


@config.command("show")
@host_options
@click.option("--json", "as_json", is_flag=True, help="Print the settings and their sources as JSON.")
@click.pass_context
def show_config(ctx: click.Context, /, as_json: bool, **options: Any) -> None:
    """Print the settings `serve` would use with these options, and where each came from (secrets redacted)."""
    from ._config_output import render_settings

    click.echo(render_settings(_resolve(ctx, options), as_json=as_json))


@config.command("schema")
def print_config_schema() -> None:
    """Print the JSON Schema of the config file."""
    import json

    from ._config_output import config_schema

    click.echo(json.dumps(config_schema(), indent=2))


@config.command("init")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_CONFIG_FILE)
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
def init_config(path: Path, force: bool) -> None:
    """Write a starter config file (default: ./mcp-toolhost.toml, which `serve` reads): every setting, commented out."""
    from ._config_output import starter_config
    from .builtins._atomic import write_atomic

    exists = f"{path} already exists; use --force to replace it, or `mcp-toolhost config show` to see its settings"
    if path.exists() and not force:
        raise _BadSettings(exists)
    try:
        # Without --force, linked in only if the name is still free: a file made meanwhile is not replaced.
        write_atomic(path, starter_config().encode(), exclusive=not force)
    except FileExistsError:
        raise _BadSettings(exists) from None
    except OSError as exc:
        raise click.ClickException(f"Cannot write {path}: {exc.strerror}") from None
    click.echo(f"created {path}")


# --- Operations ----------------------------------------------------------------------


@main.command()
@click.option("--pid", type=int, help="Show only the server with this process id.")
@click.option("--json", "as_json", is_flag=True, help="Print the snapshots as JSON (one object with --pid).")
@click.option("--watch", is_flag=True, help="Refresh every state_interval seconds until Ctrl-C.")
@host_options
@click.pass_context
def stats(ctx: click.Context, /, pid: int | None, as_json: bool, watch: bool, **options: Any) -> None:
    """Show the metrics of the mcp-toolhost servers running now: calls, errors, latencies, memory.

    Exit status 1 when no server (or none with --pid) is running.
    """
    import time

    from ._state_files import running_servers
    from ._stats_table import stats_report

    settings = _settings(ctx, options)
    folder = settings.state_folder()
    try:
        while True:
            text, found = stats_report(running_servers(folder), folder, pid, as_json=as_json)
            if not watch:
                click.echo(text, err=not found)
                _exit(0 if found else 1)
            click.clear()
            click.echo(text)
            time.sleep(settings.state_interval)
    except KeyboardInterrupt:
        pass
