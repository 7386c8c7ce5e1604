"""Manifests: a TOML file that wraps an existing program as tools, with no Python.

```toml
[plugin]                      # optional, as a Python plugin's PLUGIN dict
name = "search"
version = "1.0.0"

[[tool]]
name = "grep"
description = "Lines of the given files that match a pattern."
command = ["grep", "-n", "{ignore_case}", "{pattern}", "--", "{paths}"]
read_only_hint = true
output = { exit_codes = [0, 1] }   # grep exits 1 when nothing matched

[tool.parameters.pattern]
type = "string"
description = "A regular expression."
flag = "-e"                  # passed as: -e PATTERN

[tool.parameters.paths]
type = "array"
items = { type = "string" }  # each item one argument
description = "Files to search."

[tool.parameters.ignore_case]
type = "boolean"
default = false
flag = "-i"                  # a switch: present when true
```

The file is checked against `MANIFEST_SCHEMA` (published by `mcp-toolhost
manifest-schema`) with `jsonschema`, then for what a schema cannot say (every
placeholder names a parameter, ...). Errors name the file, the line and the field.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from ..errors import ConfigError

__all__ = ["MANIFEST_SCHEMA", "Manifest", "ManifestError", "OutputSpec", "Parameter", "ToolSpec", "load_manifest"]

_NAME = "^[A-Za-z0-9_.-]{1,128}$"
_PARAM_NAME = "^[A-Za-z_][A-Za-z0-9_]*$"
_SCALARS = ["string", "integer", "number", "boolean"]
_SCALAR_JSON = {"type": ["string", "integer", "number", "boolean"]}

_PLUGIN_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "description": "Plugin metadata, as a Python plugin's PLUGIN dict.",
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": _NAME},
        "version": {"type": "string", "description": "PEP 440 version, e.g. 1.2.0."},
        "description": {"type": "string"},
        "author": {"type": "string"},
        "mcp_toolhost": {"type": "string", "description": "Version specifier for mcp-toolhost, e.g. >=0.1,<2."},
        "requires": {
            "type": "object",
            "description": "Other plugins this one needs, each with a version specifier ('' for any).",
            "additionalProperties": {"type": "string"},
        },
    },
}

_PARAMETER_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "description": "One parameter: its JSON Schema, and how it maps onto the command line.",
    "additionalProperties": False,
    "required": ["type"],
    "properties": {
        "type": {"enum": [*_SCALARS, "array"]},
        "description": {"type": "string"},
        "title": {"type": "string"},
        "default": {"description": "Used when the argument is left out; makes the parameter optional."},
        "enum": {"type": "array", "minItems": 1, "items": _SCALAR_JSON},
        "items": {
            "type": "object",
            "description": "For arrays: the schema of each item (a scalar).",
            "additionalProperties": False,
            "required": ["type"],
            "properties": {
                "type": {"enum": _SCALARS},
                "enum": {"type": "array", "minItems": 1, "items": _SCALAR_JSON},
                "pattern": {"type": "string"},
                "minimum": {"type": "number"},
                "maximum": {"type": "number"},
            },
        },
        "minimum": {"type": "number"},
        "maximum": {"type": "number"},
        "minLength": {"type": "integer", "minimum": 0},
        "maxLength": {"type": "integer", "minimum": 0},
        "pattern": {"type": "string"},
        "minItems": {"type": "integer", "minimum": 0},
        "maxItems": {"type": "integer", "minimum": 0},
        "required": {
            "type": "boolean",
            "description": "Default: true unless the parameter has a default or is a boolean switch.",
        },
        "flag": {
            "type": "string",
            "pattern": "^-",
            "description": (
                "Pass as an option: a boolean is a switch (the flag alone, when true); another value follows "
                "the flag as the next argument ('--flag value'), or in the same one if the flag ends with '=' "
                "('--flag=value'); an array repeats the flag for each item. Without a flag the value is "
                "positional (an array: one argument per item)."
            ),
        },
    },
}

_OUTPUT_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "description": "How the program's output becomes the tool's result.",
    "additionalProperties": False,
    "properties": {
        "format": {
            "enum": ["text", "json"],
            "description": "text: stdout as text; json: stdout parsed as JSON into structured content.",
        },
        "exit_codes": {
            "type": "array",
            "items": {"type": "integer"},
            "minItems": 1,
            "description": "Exit statuses that mean success (default [0]); any other is an error result.",
        },
        "max_bytes": {"type": "integer", "minimum": 1, "description": "Standard output kept (default from settings)."},
        "schema": {"type": "object", "description": "For json: the output's JSON Schema (outputSchema)."},
    },
}

MANIFEST_SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "mcp-toolhost manifest",
    "description": "Command-line programs served as MCP tools. Arguments are passed as argv, never via a shell.",
    "type": "object",
    "additionalProperties": False,
    "required": ["tool"],
    "properties": {
        "plugin": _PLUGIN_SCHEMA,
        "tool": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "description", "command"],
                "properties": {
                    "name": {"type": "string", "pattern": _NAME},
                    "title": {"type": "string"},
                    "description": {"type": "string", "minLength": 1},
                    "command": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"type": "string"},
                        "description": (
                            "The argv template. The first item is the program (looked up on PATH, or a path "
                            "relative to the manifest). An item '{name}' expands to a parameter's argument(s), "
                            "or to nothing when it is left out; '{name}' inside a longer item is replaced in "
                            "place. '{{' and '}}' are literal braces."
                        ),
                    },
                    "parameters": {
                        "type": "object",
                        "propertyNames": {"pattern": _PARAM_NAME},
                        "additionalProperties": _PARAMETER_SCHEMA,
                    },
                    "stdin": {"type": "string", "description": "A parameter whose value is the program's input."},
                    "cwd": {"type": "string", "description": "Working directory, relative to the manifest."},
                    "timeout": {"type": "number", "exclusiveMinimum": 0, "description": "Seconds."},
                    "env": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                        "description": "Variables set for the program.",
                    },
                    "pass_env": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "Variables passed through from the server's environment; no others are.",
                    },
                    "output": _OUTPUT_SCHEMA,
                    "limits": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "cpu_seconds": {"type": "integer", "minimum": 1},
                            "memory_mb": {"type": "integer", "minimum": 1},
                            "open_files": {"type": "integer", "minimum": 3},
                        },
                    },
                    "read_only_hint": {"type": "boolean"},
                    "destructive_hint": {"type": "boolean"},
                    "idempotent_hint": {"type": "boolean"},
                    "open_world_hint": {"type": "boolean"},
                },
            },
        },
    },
}


class ManifestError(ConfigError):
    """A manifest is invalid; the message names the file, the line and the field."""

    def __init__(self, path: Path, field: str, message: str, line: int | None = None, text: str | None = None):
        self.path, self.field, self.line = path, field, line
        where = f"{path}:{line}" if line else str(path)
        full = f"{where}: {field}: {message}" if field else f"{where}: {message}"
        if text is not None:
            full += f"\n    {line} | {text}"
        super().__init__(full)


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    schema: dict[str, Any]
    """The JSON Schema property published in the tool's inputSchema."""
    required: bool
    flag: str | None


@dataclass(frozen=True, slots=True)
class OutputSpec:
    format: Literal["text", "json"] = "text"
    exit_codes: tuple[int, ...] = (0,)
    max_bytes: int | None = None
    schema: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """One `[[tool]]` of a manifest, checked."""

    name: str
    description: str
    command: tuple[str, ...]
    manifest: Path
    title: str | None = None
    parameters: Mapping[str, Parameter] = field(default_factory=dict)
    stdin: str | None = None
    cwd: Path | None = None
    timeout: float | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    pass_env: tuple[str, ...] = ()
    output: OutputSpec = OutputSpec()
    cpu_seconds: int | None = None
    memory_bytes: int | None = None
    open_files: int | None = None
    hints: Mapping[str, bool] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Manifest:
    path: Path
    plugin: Mapping[str, Any] | None
    tools: tuple[ToolSpec, ...]


def load_manifest(path: Path) -> Manifest:
    """Read, validate and check a manifest; raises ManifestError."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ManifestError(path, "", f"cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ManifestError(path, "", f"not UTF-8 text: {exc}") from None
    lines = text.splitlines()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = int(match.group(1)) if match else None
        raise ManifestError(path, "", f"not valid TOML: {exc}", line, _line_text(lines, line)) from None
    _validate(path, data, lines)
    tools = tuple(_tool(path, index, raw, lines) for index, raw in enumerate(data["tool"]))
    seen: set[str] = set()
    for index, spec in enumerate(tools):
        if spec.name in seen:
            raise _error(path, lines, ("tool", index, "name"), f"another tool is already named {spec.name!r}")
        seen.add(spec.name)
    return Manifest(path, data.get("plugin"), tools)


def _validate(path: Path, data: dict[str, Any], lines: list[str]) -> None:
    import jsonschema

    best = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(MANIFEST_SCHEMA).iter_errors(data))
    if best is None:
        return
    where: list[str | int] = list(best.absolute_path)
    field = _field(where)
    if best.validator == "additionalProperties" and isinstance(best.instance, dict):
        # Point at the first unknown key's line, while naming the table it is in.
        extra = sorted(set(best.instance) - set(best.schema.get("properties", {})))
        where += extra[:1]
    line = _locate(lines, where)
    raise ManifestError(path, field, _schema_message(best), line, _line_text(lines, line))


def _schema_message(error: Any) -> str:
    if error.validator == "additionalProperties":
        return str(error.message).replace("Additional properties are not allowed", "unknown key(s)")
    if error.validator == "required":
        return str(error.message).replace("is a required property", "is required")
    return str(error.message)


def _tool(path: Path, index: int, raw: dict[str, Any], lines: list[str]) -> ToolSpec:
    from .command import Template, TemplateError

    at: tuple[str | int, ...] = ("tool", index)
    parameters: dict[str, Parameter] = {}
    for name, spec in raw.get("parameters", {}).items():
        parameters[name] = _parameter(path, lines, (*at, "parameters", name), name, spec)
    stdin = raw.get("stdin")
    if stdin is not None and stdin not in parameters:
        raise _error(path, lines, (*at, "stdin"), f"{stdin!r} is not a parameter of this tool")
    if stdin is not None and parameters[stdin].schema["type"] == "array":
        raise _error(path, lines, (*at, "stdin"), f"parameter {stdin!r} is an array; stdin takes one value")
    command = tuple(raw["command"])
    try:
        Template.parse(command, parameters, stdin)
    except TemplateError as exc:
        raise _error(path, lines, (*at, "command"), str(exc)) from None
    output_raw = raw.get("output", {})
    output = OutputSpec(
        format=output_raw.get("format", "text"),
        exit_codes=tuple(output_raw.get("exit_codes", (0,))),
        max_bytes=output_raw.get("max_bytes"),
        schema=output_raw.get("schema"),
    )
    if output.schema is not None and output.format != "json":
        raise _error(path, lines, (*at, "output", "schema"), 'an output schema needs format = "json"')
    limits = raw.get("limits", {})
    memory_mb = limits.get("memory_mb")
    cwd = raw.get("cwd")
    return ToolSpec(
        name=raw["name"],
        title=raw.get("title"),
        description=raw["description"],
        command=command,
        manifest=path,
        parameters=parameters,
        stdin=stdin,
        cwd=(path.parent / cwd).resolve() if cwd is not None else None,
        timeout=raw.get("timeout"),
        env=dict(raw.get("env", {})),
        pass_env=tuple(raw.get("pass_env", ())),
        output=output,
        cpu_seconds=limits.get("cpu_seconds"),
        memory_bytes=memory_mb * 1024 * 1024 if memory_mb is not None else None,
        open_files=limits.get("open_files"),
        hints=_hints(raw),
    )


def _hints(raw: dict[str, Any]) -> dict[str, bool]:
    keys = ("read_only_hint", "destructive_hint", "idempotent_hint", "open_world_hint")
    return {key: raw[key] for key in keys if key in raw}


def _parameter(path: Path, lines: list[str], at: tuple[str | int, ...], name: str, raw: dict[str, Any]) -> Parameter:
    kind = raw["type"]
    flag = raw.get("flag")
    if kind == "boolean" and flag is None:
        raise _error(path, lines, (*at, "flag"), "a boolean parameter needs a flag (the switch it turns on)")
    has_default = "default" in raw
    required = raw.get("required", not has_default and kind != "boolean")
    if required and has_default:
        raise _error(path, lines, (*at, "required"), "a parameter with a default is optional")
    schema = {key: value for key, value in raw.items() if key not in ("required", "flag")}
    if has_default:
        import jsonschema

        problem = jsonschema.exceptions.best_match(
            jsonschema.Draft202012Validator({k: v for k, v in schema.items() if k != "default"}).iter_errors(
                raw["default"]
            )
        )
        if problem is not None:
            raise _error(path, lines, (*at, "default"), f"the default does not fit the parameter: {problem.message}")
    return Parameter(name=name, schema=schema, required=bool(required), flag=flag)


# --- Errors with line context ----------------------------------------------------------


def _error(path: Path, lines: list[str], where: Sequence[str | int], message: str) -> ManifestError:
    line = _locate(lines, list(where))
    return ManifestError(path, _field(where), message, line, _line_text(lines, line))


def _field(where: Sequence[str | int]) -> str:
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


def _line_text(lines: list[str], line: int | None) -> str | None:
    if line is None or not 1 <= line <= len(lines):
        return None
    return lines[line - 1].strip()


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'. ]+?)\s*=")


def _split_key(key: str) -> list[str]:
    return [part.strip().strip("\"'") for part in key.split(".")]


def _locate(lines: list[str], where: list[str | int]) -> int | None:
    """The line that best matches a path into the TOML document: the longest matching prefix.

    tomllib keeps no positions, so headers (`[a.b]`, `[[tool]]`) and `key =` lines are
    followed by hand; good enough to point at a field, not a TOML parser.
    """
    best_line, best_depth = None, 0
    table: list[str | int] = []
    arrays: dict[tuple[str, ...], int] = {}
    for number, text in enumerate(lines, start=1):
        header = _HEADER.match(text)
        if header:
            keys = _split_key(header.group(2))
            if header.group(1) == "[[":
                count = arrays[tuple(keys)] = arrays.get(tuple(keys), -1) + 1
                table = [*keys, count]
            else:
                table = _with_indices(keys, arrays)
            candidate = table
        else:
            key = _KEY.match(text)
            if not key or text.lstrip().startswith("#"):
                continue
            candidate = [*table, *_split_key(key.group(1))]
        depth = _common(candidate, where)
        if depth == len(candidate) and depth > best_depth:
            best_line, best_depth = number, depth
    return best_line


def _with_indices(keys: list[str], arrays: dict[tuple[str, ...], int]) -> list[str | int]:
    """`[tool.parameters.x]` inside the third `[[tool]]` is tool[2].parameters.x."""
    out: list[str | int] = []
    for i, key in enumerate(keys):
        out.append(key)
        count = arrays.get(tuple(keys[: i + 1]))
        if count is not None:
            out.append(count)
    return out


def _common(a: list[str | int], b: list[str | int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
