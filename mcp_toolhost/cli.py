"""The `mcp-toolhost` command. Each command is a few lines over library code."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ._version import __version__
from .config import Settings, load_settings
from .errors import ConfigError

_LOG_LEVELS = ["debug", "info", "warning", "error", "critical"]


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
        click.option("--log-level", type=click.Choice(_LOG_LEVELS), help="Log level on stderr (default: warning)."),
        click.option("--log-format", type=click.Choice(["console", "json"]), help="Log format on stderr."),
    ]
    return functools.reduce(lambda cmd, option: option(cmd), reversed(options), command)


def _settings(ctx: click.Context, /, options: dict[str, Any]) -> Settings:
    """Merge the group's options with the command's (the command's win) into Settings."""
    merged = {**(ctx.obj or {}), **{k: v for k, v in options.items() if v not in (None, ())}}
    config_file = merged.pop("config_file", None)
    tools = merged.pop("tools", ())
    try:
        settings = load_settings(config_file, merged)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    if tools:
        settings = settings.replace(tools=(*settings.tools, *tools))
    from ._logging import configure_logging

    configure_logging(settings.log_level, settings.log_format)
    return settings


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
@click.pass_context
def serve(ctx: click.Context, /, **options: Any) -> None:
    """Serve MCP on stdin/stdout (newline-delimited JSON-RPC)."""
    host = _host(_settings(ctx, options))
    host.run()


@main.command("list-tools")
@host_options
@click.option("--json", "as_json", is_flag=True, help="Print exactly the tools/list result.")
@click.pass_context
def list_tools(ctx: click.Context, /, as_json: bool, **options: Any) -> None:
    """List the tools this configuration serves."""
    from ._cli_output import print_tools

    host = _host(_settings(ctx, options))
    print_tools(host, as_json=as_json)


@main.command()
@click.argument("tool_name", metavar="TOOL")
@click.option("--arg", "-a", "pairs", multiple=True, metavar="KEY=VALUE", help="One argument (repeatable).")
@click.option("--json", "json_arguments", metavar="OBJECT", help="All arguments as one JSON object.")
@click.option("--raw", is_flag=True, help="Print the whole CallToolResult as JSON.")
@host_options
@click.pass_context
def call(
    ctx: click.Context,
    /,
    tool_name: str,
    pairs: tuple[str, ...],
    json_arguments: str | None,
    raw: bool,
    **options: Any,
) -> None:
    """Call one tool and print its result; exit status 1 if the result is an error.

    KEY=VALUE values are taken as text for string parameters and as JSON otherwise
    (count=3, flags='["a","b"]').
    """
    from ._cli_output import run_call

    host = _host(_settings(ctx, options))
    sys.exit(run_call(host, tool_name, pairs, json_arguments, raw=raw))
