"""`mcp-toolhost new-plugin NAME`: a working plugin and its passing test, to start from.

The folder `NAME/` holds the plugin (`NAME.py`, or `NAME.toml` wrapping `wc`, which
every Unix-like machine has) and `test_NAME.py`, which plugin discovery skips and
pytest finds. `mcp-toolhost serve --plugins NAME` serves it as it is.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final, Literal

from .._version import __version__
from ..errors import ConfigError

__all__ = ["create_plugin"]

_NAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")

_PYTHON = '''"""{name}: tools for an MCP client. Serve them with `mcp-toolhost serve --plugins {name}`."""

from mcp_toolhost import tool

PLUGIN = {{
    "name": "{name}",
    "version": "0.1.0",
    "description": "Say hello.",
    "mcp_toolhost": ">={major_minor}",
}}


@tool(read_only_hint=True)
def hello(name: str, shout: bool = False) -> str:
    """Greet someone by name.

    Args:
        name: Who to greet.
        shout: Greet in capitals.
    """
    greeting = f"Hello, {{name}}!"
    return greeting.upper() if shout else greeting
'''

_PYTHON_TEST = '''"""Tests for the {name} plugin: run `python -m pytest` in this folder."""

from pathlib import Path

import anyio

from mcp_toolhost.plugins import plugin_host
from mcp_toolhost.testing import connect

HERE = Path(__file__).parent


def test_hello_greets_by_name():
    async def main():
        async with connect(plugin_host(HERE)) as client:
            names = [t["name"] for t in await client.list_tools()]
            assert "hello" in names
            result = await client.call_tool("hello", {{"name": "Ada", "shout": True}})
            assert result["content"] == [{{"type": "text", "text": "HELLO, ADA!"}}]

    anyio.run(main)
'''

_MANIFEST = """# {name}: a command-line program served as MCP tools, with no Python.
# Serve it with `mcp-toolhost serve --plugins {name}`; see `mcp-toolhost manifest-schema`.

[plugin]
name = "{name}"
version = "0.1.0"
description = "Count lines, words and characters with wc."
mcp_toolhost = ">={major_minor}"

[[tool]]
name = "count"
description = "Count the lines, words and characters of a text. Prints: lines words characters."
command = ["wc", "{{lines}}", "{{words}}", "{{chars}}"]
stdin = "text"                # the text is the program's input
read_only_hint = true
timeout = 10

[tool.parameters.text]
type = "string"
description = "The text to count."

[tool.parameters.lines]
type = "boolean"
default = false
flag = "-l"
description = "Count only lines."

[tool.parameters.words]
type = "boolean"
default = false
flag = "-w"
description = "Count only words."

[tool.parameters.chars]
type = "boolean"
default = false
flag = "-m"
description = "Count only characters."
"""

_MANIFEST_TEST = '''"""Tests for the {name} plugin: run `python -m pytest` in this folder."""

from pathlib import Path

import anyio

from mcp_toolhost.plugins import plugin_host
from mcp_toolhost.testing import connect

HERE = Path(__file__).parent


def test_count_words():
    async def main():
        async with connect(plugin_host(HERE)) as client:
            result = await client.call_tool("count", {{"text": "one two three\\n", "words": True}})
            assert not result.get("isError"), result
            assert result["content"][0]["text"].split() == ["3"]

    anyio.run(main)
'''


def create_plugin(parent: Path, name: str, kind: Literal["python", "manifest"] = "python") -> list[Path]:
    """Write `parent/name/` with a plugin and its test; returns the files written."""
    if not _NAME.fullmatch(name):
        raise ConfigError(f"invalid plugin name {name!r}: start with a letter; use letters, digits, '_' and '-'")
    folder = parent / name
    if folder.exists():
        raise ConfigError(f"{folder} already exists; choose another name or remove it")
    major_minor = ".".join(__version__.split(".")[:2])
    values = {"name": name, "major_minor": major_minor}
    test_name = f"test_{name.replace('-', '_')}.py"
    if kind == "python":
        files = {f"{name}.py": _PYTHON, test_name: _PYTHON_TEST}
    else:
        files = {f"{name}.toml": _MANIFEST, test_name: _MANIFEST_TEST}
    folder.mkdir(parents=True)
    written = []
    for filename, template in files.items():
        path = folder / filename
        path.write_text(template.format(**values), encoding="utf-8")
        written.append(path)
    return written
