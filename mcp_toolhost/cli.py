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
from typing import Any

import click

from ._version import __version__
from .config import SHORTEST_STATE_KEY, Settings, load_settings
from .errors import ConfigError

_LOG_LEVELS = ["debug", "info", "warning", "error", "critical"]


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
            callback=lambda ctx, param, value: None if value is None else tuple(filter(None, value.split(","))),
            help="Built-in tool groups to serve, comma-separated (default: files,http,data,system,env).",
        ),
        click.option("--no-builtins", is_flag=True, default=None, help="Serve no built-in tools, only your own."),
        *_builtin_options(),
        click.option("--log-level", type=click.Choice(_LOG_LEVELS), help="Log level on stderr (default: warning)."),
        click.option("--log-format", type=click.Choice(["console", "json"]), help="Log format on stderr."),
    ]
    options += _plugin_options()
    return functools.reduce(lambda cmd, option: option(cmd), reversed(options), command)


# Settings that flags add to rather than replace (a config file's plugin folders stay).
_APPENDED = ("plugins", "manifests", "enable_plugins", "disable_plugins", "enable_tools", "disable_tools")


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


def _settings(ctx: click.Context, /, options: dict[str, Any]) -> Settings:
    """Merge the group's options with the command's (the command's win) into Settings."""
    merged = {**(ctx.obj or {}), **{k: v for k, v in options.items() if v not in (None, ())}}
    config_file = merged.pop("config_file", None)
    _warn_reload_ignored(ctx, merged)
    tools = merged.pop("tools", ())
    if merged.pop("no_builtins", False):
        merged["builtins"] = ()
    appended = {key: merged.pop(key) for key in (*_APPENDED, *_BUILTIN_APPENDED) if key in merged}
    try:
        settings = load_settings(config_file, merged)
    except ConfigError as exc:
        raise _BadSettings(str(exc)) from None
    if tools:
        settings = settings.replace(tools=(*settings.tools, *tools))
    if appended:
        settings = settings.replace(**{key: (*getattr(settings, key), *value) for key, value in appended.items()})
    from ._logging import configure_logging

    configure_logging(settings.log_level, settings.log_format)
    return settings


def _warn_reload_ignored(ctx: click.Context, merged: dict[str, Any]) -> None:
    """`--reload` given to a command that runs once: say so rather than ignore it quietly."""
    if ctx.command.name == "serve":
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

    try:
        return build_host(settings)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


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
    ctx: click.Context, /, http_address: str | None, http_path: str, no_auth: bool, workers: int, **options: Any
) -> None:
    """Serve MCP on stdin/stdout (newline-delimited JSON-RPC), or over Streamable HTTP with --http."""
    from ._transports.stdio import claim_stdout

    settings = _settings(ctx, options)
    if http_address is not None:
        _serve_http(settings, http_address, http_path, no_auth, workers)
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
        _host(settings).run(stdout_fd)
    _exit(0)


def _serve_http(settings: Settings, address: str, path: str, no_auth: bool, workers: int) -> None:
    from ._transports.http import parse_address, refusal_to_bind

    try:
        host, port = parse_address(address)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--http") from None
    if not path.startswith("/"):
        raise click.BadParameter(f"{path!r} must start with /, e.g. /mcp", param_hint="--http-path")
    refusal = refusal_to_bind(host, settings.token, no_auth)
    if refusal is not None:
        raise _BadSettings(refusal)
    key = settings.request_state_key
    if key is not None and len(key) < SHORTEST_STATE_KEY:  # the key itself is never shown
        raise _BadSettings(
            f"--state-key: {len(key)} characters, fewer than {SHORTEST_STATE_KEY}; use a long random secret"
        )
    _exit(_host(settings).run_http(host, port, path, workers))


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
            raise click.ClickException(str(exc)) from None
        text, ok = check_report(host, report, as_json=as_json)
    click.echo(text)
    sys.exit(0 if ok else 1)


@main.command()
@host_options
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@click.pass_context
def docs(ctx: click.Context, /, fmt: str, **options: Any) -> None:
    """Write a reference of every tool served (name, description, hints, parameters, output)."""
    from ._transports.stdio import claim_stdout
    from .plugins.docs import render_docs

    settings = _settings(ctx, options)
    with claim_stdout():
        text = render_docs(_host(settings).registry, fmt)  # type: ignore[arg-type]
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
