"""What the `config` commands print and write, all read off the `Settings` model.

`config show` prints the effective settings and where each came from, secrets
redacted; `config schema` the JSON Schema of the config file; `config init` a starter
file holding every setting, its description and default, commented out. A setting
added to `Settings` (with its docstring) appears in all three without code here.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import inspect
import json
import secrets
from typing import Any

from ._redact import REDACTED, is_secret_name, redact_text
from .config import DEFAULT_CONFIG_FILE, Resolved, Settings, Source

__all__ = ["config_schema", "render_settings", "starter_config"]


@functools.cache
def descriptions() -> dict[str, str]:
    """Each setting's docstring (the string under its field in `Settings`), the single source of its description."""
    body = ast.parse(inspect.getsource(Settings)).body[0]
    assert isinstance(body, ast.ClassDef)
    found: dict[str, str] = {}
    for node, after in zip(body.body, body.body[1:], strict=False):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            found[node.target.id] = inspect.cleandoc(after.value.value)
    return found


def _plain(value: Any) -> Any:
    """A setting's value as JSON and TOML hold it: tuples as lists, anything else (a `Path`) as text."""
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if value is None or isinstance(value, str | int | float):  # bool is an int
        return value
    return str(value)


def _toml(value: Any) -> str:
    """A value in TOML. JSON's spelling of strings, numbers, booleans and arrays is TOML's too;
    tables are written inline so that each setting stays one line."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + " }" if value else "{}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return json.dumps(value)


# --- config show ---------------------------------------------------------------------


def _shown(setting: dataclasses.Field[Any], value: Any) -> Any:
    """The value as `config show` may print it: a secret setting (`repr=False`, or a text value
    under a name that looks secret) hidden whole; elsewhere whatever looks like a credential."""
    if value is None or value == "":
        return value
    if not setting.repr or (isinstance(value, str) and is_secret_name(setting.name)):
        return REDACTED
    return _redacted(value)


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    if isinstance(value, dict):
        return {
            key: REDACTED if isinstance(item, str) and is_secret_name(key) else _redacted(item)
            for key, item in value.items()
        }
    return value


def render_settings(resolved: Resolved, *, as_json: bool) -> str:
    """Every setting, its effective value and its sources: a table, or JSON keyed by setting."""
    rows = [
        (
            setting.name,
            _shown(setting, _plain(getattr(resolved.settings, setting.name))),
            resolved.sources(setting.name),
        )
        for setting in dataclasses.fields(Settings)
    ]
    file = None if resolved.config_file is None else str(resolved.config_file.absolute())
    if as_json:
        return json.dumps(
            {
                "config_file": file,
                "settings": {
                    name: {"value": value, "sources": [_source_json(s) for s in sources]}
                    for name, value, sources in rows
                },
            },
            indent=2,
        )
    table = [("SETTING", "VALUE", "SOURCE")]
    table += [(name, _cell(value), " + ".join(map(str, sources))) for name, value, sources in rows]
    widths = [max(len(row[column]) for row in table) for column in range(2)]
    lines = [f"{name:<{widths[0]}}  {value:<{widths[1]}}  {source}" for name, value, source in table]
    return "\n".join([f"Config file: {file or 'none'}", "", *lines])


def _cell(value: Any) -> str:
    return "none" if value is None else REDACTED if value == REDACTED else _toml(value)


def _source_json(source: Source) -> dict[str, Any]:
    return {key: value for key, value in dataclasses.asdict(source).items() if value not in ("", None)}


# --- config schema and config init ----------------------------------------------------


def config_schema() -> dict[str, Any]:
    """The JSON Schema of the config file's settings (top-level keys, or the `[mcp-toolhost]` table's)."""
    import pydantic

    schema = pydantic.TypeAdapter(Settings).json_schema()
    defaults = _plain(dataclasses.asdict(Settings()))
    properties: dict[str, Any] = {}
    for name, prop in schema["properties"].items():
        prop.pop("title", None)
        properties[name] = {"description": descriptions().get(name, ""), **prop, "default": defaults[name]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"mcp-toolhost config file ({DEFAULT_CONFIG_FILE})",
        "description": (
            "Settings of mcp-toolhost, as top-level keys or in an [mcp-toolhost] table. Environment variables"
            " MCP_TOOLHOST_<SETTING> and command-line flags override them."
        ),
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }


_EXAMPLES = {"string": "", "integer": 0, "number": 0.0, "boolean": False, "array": [], "object": {}}
"""What a setting whose default is none is shown set to in the starter file, by its JSON type."""


def starter_config() -> str:
    """A config file holding every setting with its description and default, each commented out.

    Uncommented, every line is valid TOML and a valid value. A setting whose default is
    none gets an example of its type; a secret one a fresh random secret.
    """
    lines = [
        "# mcp-toolhost settings: every one with its default, commented out; uncomment a line to change it.",
        "# Environment variables MCP_TOOLHOST_<SETTING> and command-line flags override this file;",
        "# `mcp-toolhost config show` prints the settings in effect, `mcp-toolhost config schema` their schema.",
    ]
    properties = config_schema()["properties"]
    for setting in dataclasses.fields(Settings):
        prop = properties[setting.name]
        value = prop["default"]
        lines.append("")
        lines += [f"# {line}".rstrip() for line in prop["description"].splitlines()]
        if value is None:
            lines.append("# (default: none)")
            if not setting.repr:
                value = secrets.token_urlsafe(32)
            else:
                kinds = [p.get("type") for p in prop.get("anyOf", [prop])]
                value = _EXAMPLES.get(next((k for k in kinds if k not in (None, "null")), "string"), "")
        lines.append(f"# {setting.name} = {_toml(value)}")
    return "\n".join(lines) + "\n"
