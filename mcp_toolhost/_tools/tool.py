"""`Tool`: one callable the server exposes, and the `@tool` decorator that marks one."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar, overload

from ..errors import ConfigError
from .function import Function, marked
from .headers import Declared, declared_headers

if TYPE_CHECKING:
    from ..config import Settings
    from .signature import FunctionSchema

__all__ = ["Tool", "ToolOptions", "collect_tools", "tool"]

F = TypeVar("F", bound=Callable[..., Any])

# server/tools, "Tool Names" (2025-11-25): 1 to 128 characters, case-sensitive,
# letters, digits, underscore, hyphen and dot only.
TOOL_NAME: Final = re.compile(r"[A-Za-z0-9_.\-]{1,128}")
_MARK: Final = "__mcp_tool__"

TaskSupport = Literal["forbidden", "optional", "required"]
"""Whether a call may run as a task (README, "Tasks"): never, when the client can, or only so."""


@dataclass(frozen=True, slots=True)
class ToolOptions:
    """What `@tool(...)` was given; everything else comes from the function itself."""

    name: str | None = None
    title: str | None = None
    description: str | None = None
    read_only_hint: bool | None = None
    destructive_hint: bool | None = None
    idempotent_hint: bool | None = None
    open_world_hint: bool | None = None
    timeout: float | None = None
    meta: dict[str, Any] | None = field(default=None, hash=False)
    input_schema: dict[str, Any] | None = field(default=None, hash=False)
    output_schema: dict[str, Any] | None = field(default=None, hash=False)
    task_support: TaskSupport = "forbidden"

    def annotations(self) -> dict[str, Any]:
        hints = {
            "readOnlyHint": self.read_only_hint,
            "destructiveHint": self.destructive_hint,
            "idempotentHint": self.idempotent_hint,
            "openWorldHint": self.open_world_hint,
        }
        return {key: value for key, value in hints.items() if value is not None}


@overload
def tool(fn: F, /) -> F: ...
@overload
def tool(
    *,
    name: str | None = None,
    title: str | None = None,
    description: str | None = None,
    read_only_hint: bool | None = None,
    destructive_hint: bool | None = None,
    idempotent_hint: bool | None = None,
    open_world_hint: bool | None = None,
    timeout: float | None = None,
    meta: dict[str, Any] | None = None,
    input_schema: dict[str, Any] | None = None,
    output_schema: dict[str, Any] | None = None,
    task_support: TaskSupport = "forbidden",
) -> Callable[[F], F]: ...
def tool(fn: Callable[..., Any] | None = None, /, **options: Any) -> Any:
    """Mark a function as a tool, bare (`@tool`) or with options (`@tool(name=...)`).

    The function is returned unchanged, so it stays callable and testable as it is;
    a host registers it when it loads the module (`--tools`, plugin folders).

    `input_schema` and `output_schema` give the tool's JSON Schemas as they are, instead of
    those its signature would give (`given_schema.given_schema` says what the function then
    looks like); they are checked when the tool is registered.

    `task_support` ("optional" or "required") lets a client that declares the tasks extension get a
    task for a call, run in the background and polled (README, "Tasks"); "required": only so.
    """

    def mark(fn: F) -> F:
        setattr(fn, _MARK, ToolOptions(**options))
        return fn

    return mark if fn is None else mark(fn)


def collect_tools(module: ModuleType) -> list[Tool]:
    """The `@tool` functions defined in `module` (not those it imported), in source order."""
    return [Tool(fn, getattr(fn, _MARK)) for fn in marked(module, _MARK)]


class Tool(Function):
    """A function served as an MCP tool."""

    kind = "tool"

    name: str
    """The name clients call it by (`rename` checks the spec's rules)."""

    def __init__(self, fn: Callable[..., Any], options: ToolOptions | None = None) -> None:
        options = options or ToolOptions()
        super().__init__(fn, options.description, options.timeout)
        self.options = options
        self._definitions: dict[int, dict[str, Any]] = {}
        self._headers: tuple[Declared, ...] = ()
        self.rename(options.name if options.name is not None else str(getattr(fn, "__name__", "")))
        self.title = options.title
        self.annotations = options.annotations()
        if options.task_support not in ("forbidden", "optional", "required"):
            raise ConfigError(
                f"Tool {self.name!r}: task_support must be 'forbidden', 'optional' or 'required',"
                f" not {options.task_support!r}"
            )
        self.task_support: TaskSupport = options.task_support
        if options.input_schema is not None or options.output_schema is not None:
            self.prepare()  # a schema given wrong is refused now, not at the first tools/list

    def _build_schema(self) -> FunctionSchema:
        options = self.options
        if options.input_schema is None and options.output_schema is None:
            return super()._build_schema()
        from .context import Context
        from .given_schema import given_schema

        return given_schema(
            self.fn,
            self.name,
            options.input_schema,
            options.output_schema,
            context_type=Context,
            from_signature=super()._build_schema,
        )

    def __repr__(self) -> str:
        return f"<Tool {self.name}>"

    def rename(self, name: str) -> None:
        """Serve this tool under another name (before it is registered); checks the spec's name rules."""
        if not TOOL_NAME.fullmatch(name):
            raise ConfigError(f"Invalid tool name {name!r}: use 1-128 letters, digits, '_', '-' or '.'")
        self.name = name
        self._definitions.clear()  # cached tools/list entries carry the old name

    @property
    def headers(self) -> tuple[Declared, ...]:
        """The parameters clients mirror into `Mcp-Param-*` HTTP headers (built with the schema, once).

        Raises ConfigError, as `schema` does, when the tool cannot be served.
        """
        _ = self.schema
        return self._headers

    def _check(self, schema: FunctionSchema) -> None:
        self._headers = declared_headers(schema.input_schema, self.name)

    def time_limit(self, settings: Settings) -> float | None:
        """Seconds a call may run (None: no limit): its own `timeout`, else the settings' for this tool."""
        return settings.timeout_for(self.name) if self.timeout is None else self.timeout

    def definition(self, level: int) -> dict[str, Any]:
        """The `Tool` object of `tools/list`, for a feature level from `versions.feature_level`."""
        cached = self._definitions.get(level)
        if cached is not None:
            return cached
        schema = self.schema
        definition: dict[str, Any] = {"name": self.name}
        if self.title is not None and level >= 2:
            definition["title"] = self.title
        if self.description:
            definition["description"] = self.description
        definition["inputSchema"] = schema.input_schema
        if schema.output_schema is not None and level >= 2:
            definition["outputSchema"] = schema.output_schema
        if level >= 1:
            annotations = dict(self.annotations)
            if self.title is not None and level == 1:
                annotations["title"] = self.title  # before 2025-06-18 the title lived here
            if annotations:
                definition["annotations"] = annotations
        if self.task_support != "forbidden" and level >= 2:
            # 2025-11-25 `ToolExecution`; absent means forbidden (server/tools, "Tool").
            definition["execution"] = {"taskSupport": self.task_support}
        if self.options.meta and level >= 2:
            definition["_meta"] = self.options.meta
        self._definitions[level] = definition
        return definition
