"""The command line a client runs to start this server: absolute, since clients start it elsewhere.

A client starts its servers with a minimal PATH (Claude Desktop on macOS: only the system
folders) and in a working directory of its own, so the program is the absolute path of
the console script that is running now, and every path among the options is made
absolute against the directory `install` ran in.
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import click

from ..config import DEFAULT_CONFIG_FILE

__all__ = ["serve_args", "server_program"]

_SCRIPT = "mcp-toolhost"


def server_program() -> list[str]:
    """The running console script's absolute path; else this interpreter's; else `python -m mcp_toolhost`."""
    ran = Path(sys.argv[0])
    if ran.stem == _SCRIPT and ran.is_file():
        return [os.path.abspath(ran)]  # not resolved: a pipx or venv link survives upgrades
    scripts = sysconfig.get_path("scripts")
    beside = shutil.which(_SCRIPT, path=scripts) if scripts else None
    if beside:
        return [os.path.abspath(beside)]
    return [os.path.abspath(sys.executable), "-m", "mcp_toolhost"]


def serve_args(
    params: Iterable[click.Parameter], options: Mapping[str, Any], flag: Callable[[str, Any], str]
) -> list[str]:
    """`serve` and the given options, as flags again, with absolute paths.

    `params` are the command's options (serve's own declarations), `options` their values,
    `flag(name, value)` the flag that gives `value` (`--no-entry-points` for False); an
    option left unset (None or empty) is left out, so the server's defaults apply.
    """
    args = ["serve"]
    for param in params:
        value = options.get(param.name or "")
        if not isinstance(param, click.Option) or value is None or value == ():
            continue
        name = param.name or ""
        if param.is_flag:
            if value or param.secondary_opts:
                args.append(flag(name, value))
        elif param.multiple:
            for item in value:
                args += [flag(name, value), _absolute(param, item)]
        else:
            args += [flag(name, value), _absolute(param, value)]
    if options.get("config_file") is None and Path(DEFAULT_CONFIG_FILE).is_file():
        args += ["--config", os.path.abspath(DEFAULT_CONFIG_FILE)]  # serve's default, found here, not there
    return args


def _absolute(param: click.Option, value: Any) -> str:
    if isinstance(value, tuple):  # split by its callback (--builtins a,b)
        return ",".join(value)
    text = os.fspath(value) if isinstance(value, os.PathLike) else str(value)
    if isinstance(param.type, click.Path):
        return os.path.abspath(text)
    if param.name == "tools" and (text.endswith(".py") or Path(text).exists()):
        return os.path.abspath(text)  # a file or folder, as serve tells it from a module name
    if param.name == "allow_commands":  # found on this PATH, not the client's minimal one
        return os.path.abspath(text) if os.sep in text else shutil.which(text) or text
    return text
