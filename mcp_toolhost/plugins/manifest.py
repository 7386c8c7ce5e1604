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
items = { type = "path" }    # each item one argument, confined to --root
description = "Files to search."

[tool.parameters.ignore_case]
type = "boolean"
default = false
flag = "-i"                  # a switch: present when true
```

The file is checked against `MANIFEST_SCHEMA` (published by `mcp-toolhost
manifest-schema`) with `jsonschema`, then for what a schema cannot say (every
placeholder names a parameter, ...). Every problem is reported at once, each naming
the file, the line, the tool and the field, with the nearest key for a misspelt one.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from .._toml import did_you_mean, dotted, field_line, line_text
from .._tools.headers import HEADER_KEY
from ..errors import ConfigError

__all__ = [
    "MANIFEST_SCHEMA",
    "Manifest",
    "ManifestError",
    "OutputSpec",
    "Parameter",
    "Problem",
    "ToolSpec",
    "load_manifest",
]

_NAME = "^[A-Za-z0-9_.-]{1,128}$"
_PARAM_NAME = "^[A-Za-z_][A-Za-z0-9_]*$"
_SCALARS = ["string", "integer", "number", "boolean", "path"]
_PATH_TYPE = (
    "'path': a string to the client; the program receives it resolved to an absolute path, which must lie "
    "inside the allowed roots (--root) as for the file tools (a relative path is taken from the first root)."
)
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
        "type": {"enum": [*_SCALARS, "array"], "description": _PATH_TYPE},
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
                "type": {"enum": _SCALARS, "description": _PATH_TYPE},
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
        "header": {
            "type": "string",
            "description": (
                "Over Streamable HTTP (2026-07-28) clients mirror the value into the header Mcp-Param-{header}"
                " (x-mcp-header); for string, integer, boolean and path parameters."
            ),
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


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a manifest, where it is: file, line (and its text), field."""

    path: Path
    field: str
    message: str
    line: int | None = None
    text: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        full = f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        return full + (f"\n    {self.line} | {self.text}" if self.text is not None else "")


class ManifestError(ConfigError):
    """A manifest is invalid; `problems` lists everything wrong with it, each once."""

    def __init__(self, path: Path, problems: Sequence[Problem]) -> None:
        self.path = path
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    schema: dict[str, Any]
    """The JSON Schema property published in the tool's inputSchema."""
    required: bool
    flag: str | None
    path: bool = False
    """Its value (each item, for an array) is a path, confined to the roots before the program sees it."""


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
    """Read, validate and check a manifest; raises ManifestError listing every problem found."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ManifestError(path, [Problem(path, "", f"cannot read: {exc.strerror}")]) from None
    except UnicodeDecodeError as exc:
        raise ManifestError(path, [Problem(path, "", f"not UTF-8 text: {exc}")]) from None
    lines = text.splitlines()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = int(match.group(1)) if match else None
        problem = Problem(path, "", f"not valid TOML: {exc}", line, line_text(lines, line))
        raise ManifestError(path, [problem]) from None
    found = _Problems(path, lines, data)
    _validate(found, data)
    tools: dict[int, ToolSpec] = {}
    if found.sound(("tool",), within=False):
        for index, raw in enumerate(data["tool"]):
            spec = _tool(found, index, raw) if found.sound(("tool", index), within=False) else None
            if spec is not None:
                tools[index] = spec
    seen: set[str] = set()
    for index, spec in tools.items():
        if spec.name in seen:
            found.add(("tool", index, "name"), f"another tool is already named {spec.name!r}")
        seen.add(spec.name)
    if found.problems:
        raise ManifestError(path, sorted(found.problems, key=lambda problem: problem.line or 0))
    return Manifest(path, data.get("plugin"), tuple(tools.values()))


class _Problems:
    """Every problem of one manifest, each placed at the line of its field."""

    def __init__(self, path: Path, lines: list[str], data: dict[str, Any]) -> None:
        self.path, self.lines = path, lines
        self.problems: list[Problem] = []
        self.broken: set[tuple[str | int, ...]] = set()
        """Where the schema found a wrong value: no further check may rely on what is there."""
        tools = data.get("tool")
        # Tools are named by their name, which the person wrote, rather than by position.
        self.names = {
            index: raw["name"]
            for index, raw in enumerate(tools if isinstance(tools, list) else [])
            if isinstance(raw, dict) and isinstance(raw.get("name"), str)
        }

    def add(self, where: Sequence[str | int], message: str, *, key: str | None = None) -> None:
        """A problem with the field at `where`; its line is that of `key` inside it, if given."""
        line = field_line(self.lines, [*where, key] if key is not None else where)
        self.problems.append(Problem(self.path, self._field(where), message, line, line_text(self.lines, line)))

    def sound(self, where: tuple[str | int, ...], *, within: bool = True) -> bool:
        """Whether the value at `where` has the shape the schema wants (`within`: and all inside it)."""
        return not any(where[: len(bad)] == bad or (within and bad[: len(where)] == where) for bad in self.broken)

    def _field(self, where: Sequence[str | int]) -> str:
        if len(where) >= 2 and where[0] == "tool" and isinstance(where[1], int):
            name = self.names.get(where[1])
            tool = f"tool {name!r}" if name is not None else f"tool[{where[1]}]"
            rest = dotted(where[2:])
            return f"{tool}: {rest}" if rest else tool
        return dotted(where)


def _validate(found: _Problems, data: dict[str, Any]) -> None:
    """Check `data` against MANIFEST_SCHEMA, marking where it is wrong in `found.broken`.

    An unknown key marks nothing (no check reads it), a missing one only itself, so that
    the rest of its table can still be checked and every problem reported in one go.
    """
    import jsonschema

    # tomllib reads nan and inf, which JSON Schema's "number" accepts; a timeout of nan
    # would then fail every call, so they are refused wherever they appear.
    non_finite = list(_non_finite(data, ()))
    for where, value in non_finite:
        found.add(where, f"must be a finite number, not {value!r}")
        found.broken.add(where)
    for error in jsonschema.Draft202012Validator(MANIFEST_SCHEMA).iter_errors(data):
        where = tuple(error.absolute_path)
        if any(where[: len(bad)] == bad for bad, _ in non_finite):
            continue
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = error.schema.get("properties", {})
            for key in sorted(set(error.instance) - set(known)):
                found.add(where, f"unknown key {key!r}{did_you_mean(key, known)}", key=key)
        elif error.validator == "required" and isinstance(error.instance, dict):
            for key in error.validator_value:
                if key not in error.instance:
                    found.add(where, f"{key!r} is required")
                    found.broken.add((*where, key))
        else:
            found.add(where, str(error.message))
            found.broken.add(where)


def _non_finite(value: Any, where: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], float]]:
    if isinstance(value, float) and not math.isfinite(value):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _non_finite(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _non_finite(item, (*where, index))


def _tool(found: _Problems, index: int, raw: dict[str, Any]) -> ToolSpec | None:
    """The checked tool, or None after adding its problems to `found`."""
    from .command import Template, TemplateError

    path = found.path
    before = len(found.problems)
    at: tuple[str | int, ...] = ("tool", index)
    parameters: dict[str, Parameter] = {}
    declared = raw.get("parameters", {}) if found.sound((*at, "parameters"), within=False) else {}
    for name, spec in declared.items():
        if found.sound((*at, "parameters", name)):
            parameter = _parameter(found, (*at, "parameters", name), name, spec)
            if parameter is not None:
                parameters[name] = parameter
    stdin = raw.get("stdin") if found.sound((*at, "stdin")) else None
    if stdin is not None and stdin not in declared:
        found.add((*at, "stdin"), f"{stdin!r} is not a parameter of this tool{did_you_mean(stdin, declared)}")
    elif stdin is not None and stdin in parameters and parameters[stdin].schema["type"] == "array":
        found.add((*at, "stdin"), f"parameter {stdin!r} is an array; stdin takes one value")
    # The template can only be checked against a sound command and sound parameters.
    if len(found.problems) == before and found.sound((*at, "command")) and found.sound((*at, "parameters")):
        try:
            Template.parse(tuple(raw["command"]), parameters, stdin)
        except TemplateError as exc:
            for problem in exc.problems:
                found.add((*at, "command"), problem)
    output_raw = raw.get("output", {})
    if found.sound((*at, "output")) and "schema" in output_raw and output_raw.get("format", "text") != "json":
        found.add((*at, "output", "schema"), 'an output schema needs format = "json"')
    if not found.sound(at) or len(found.problems) > before:
        return None
    output = OutputSpec(
        format=output_raw.get("format", "text"),
        exit_codes=tuple(output_raw.get("exit_codes", (0,))),
        max_bytes=output_raw.get("max_bytes"),
        schema=output_raw.get("schema"),
    )
    limits = raw.get("limits", {})
    memory_mb = limits.get("memory_mb")
    cwd = raw.get("cwd")
    return ToolSpec(
        name=raw["name"],
        title=raw.get("title"),
        description=raw["description"],
        command=tuple(raw["command"]),
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


def _parameter(found: _Problems, at: tuple[str | int, ...], name: str, raw: dict[str, Any]) -> Parameter | None:
    """The checked parameter, or None after adding its problems to `found`."""
    before = len(found.problems)
    kind = raw["type"]
    flag = raw.get("flag")
    if kind == "boolean" and flag is None:
        found.add((*at, "flag"), "a boolean parameter needs a flag (the switch it turns on)")
    has_default = "default" in raw
    required = raw.get("required", not has_default and kind != "boolean")
    if required and has_default:
        found.add((*at, "required"), "a parameter with a default is optional")
    items = raw.get("items", {})
    is_path = kind == "path" or (kind == "array" and items.get("type") == "path")
    # A path is a string to the client; the server resolves and confines it (command.py).
    schema = {key: value for key, value in raw.items() if key not in ("required", "flag", "header")}
    if "header" in raw:
        schema[HEADER_KEY] = raw["header"]  # checked with the tool's other declarations (_tools/headers)
    if kind == "path":
        schema["type"] = "string"
    elif is_path:
        schema["items"] = {**items, "type": "string"}
    if has_default:
        import jsonschema

        problem = jsonschema.exceptions.best_match(
            jsonschema.Draft202012Validator({k: v for k, v in schema.items() if k != "default"}).iter_errors(
                raw["default"]
            )
        )
        if problem is not None:
            found.add((*at, "default"), f"the default does not fit the parameter: {problem.message}")
    if len(found.problems) > before:
        return None
    return Parameter(name=name, schema=schema, required=bool(required), flag=flag, path=is_path)
