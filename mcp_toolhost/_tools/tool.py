"""`Tool`: one callable the server exposes, and the `@tool` decorator that marks one."""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final, TypeVar, overload

from ..errors import ConfigError
from .docstrings import parse_docstring

if TYPE_CHECKING:
    from .context import Context
    from .signature import FunctionSchema

__all__ = ["Tool", "ToolOptions", "collect_tools", "tool"]

F = TypeVar("F", bound=Callable[..., Any])

# server/tools, "Tool Names" (2025-11-25): 1 to 128 characters, case-sensitive,
# letters, digits, underscore, hyphen and dot only.
TOOL_NAME: Final = re.compile(r"[A-Za-z0-9_.\-]{1,128}")
_MARK: Final = "__mcp_tool__"


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
) -> Callable[[F], F]: ...
def tool(fn: Callable[..., Any] | None = None, /, **options: Any) -> Any:
    """Mark a function as a tool, bare (`@tool`) or with options (`@tool(name=...)`).

    The function is returned unchanged, so it stays callable and testable as it is;
    a host registers it when it loads the module (`--tools`, plugin folders).
    """

    def mark(fn: F) -> F:
        setattr(fn, _MARK, ToolOptions(**options))
        return fn

    return mark if fn is None else mark(fn)


def collect_tools(module: ModuleType) -> list[Tool]:
    """The `@tool` functions defined in `module` (not those it imported), in source order."""
    return [
        Tool(value, getattr(value, _MARK))
        for value in vars(module).values()
        if hasattr(value, _MARK) and getattr(value, "__module__", None) == module.__name__
    ]


def _is_async(fn: Callable[..., Any]) -> bool:
    while isinstance(fn, functools.partial):
        fn = fn.func
    # A callable object with an `async def __call__` is async too.
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(type(fn).__call__)


class Tool:
    """A function served as an MCP tool.

    Schemas are built on first use, not at registration: a server with many tools
    starts without paying for all of them (see `prepare()` to build eagerly).
    """

    name: str
    """The name clients call it by (`rename` checks the spec's rules)."""

    def __init__(self, fn: Callable[..., Any], options: ToolOptions | None = None) -> None:
        options = options or ToolOptions()
        self.fn = fn
        self.options = options
        self._definitions: dict[int, dict[str, Any]] = {}
        self.rename(options.name if options.name is not None else str(getattr(fn, "__name__", "")))
        description, self._param_docs = parse_docstring(inspect.getdoc(fn))
        self.title = options.title
        self.description = options.description if options.description is not None else description
        self.annotations = options.annotations()
        self.timeout = options.timeout
        self.is_async = _is_async(fn)
        self.source: str | None = None  # which module or plugin registered it, for messages
        self._schema: FunctionSchema | ConfigError | None = None

    def __repr__(self) -> str:
        return f"<Tool {self.name}>"

    def rename(self, name: str) -> None:
        """Serve this tool under another name (before it is registered); checks the spec's name rules."""
        if not TOOL_NAME.fullmatch(name):
            raise ConfigError(f"Invalid tool name {name!r}: use 1-128 letters, digits, '_', '-' or '.'")
        self.name = name
        self._definitions.clear()  # cached tools/list entries carry the old name

    @property
    def schema(self) -> FunctionSchema:
        if self._schema is None:
            try:
                self._schema = self._build_schema()
            except ConfigError as exc:
                self._schema = exc  # a failure is remembered too: building again would fail again
            except Exception as exc:  # a user's type may raise anything while pydantic inspects it
                self._schema = ConfigError(f"{self.name}: {type(exc).__name__}: {exc}")
        if isinstance(self._schema, ConfigError):
            raise self._schema
        return self._schema

    def prepare(self) -> None:
        """Build the schemas now, raising ConfigError if the function cannot be served."""
        _ = self.schema

    def _build_schema(self) -> FunctionSchema:
        from .content import Content
        from .context import Context
        from .simple_schema import simple_function_schema

        # Plain signatures are served without importing pydantic (~50 ms); the rest need it.
        simple = simple_function_schema(
            self.fn,
            context_type=Context,
            param_descriptions=self._param_docs,
            unstructured_types=(Content,),
        )
        if simple is not None:
            return simple
        from .schema import function_schema

        return function_schema(
            self.fn,
            context_type=Context,
            param_descriptions=self._param_docs,
            unstructured_types=(Content,),
        )

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
        if self.options.meta and level >= 2:
            definition["_meta"] = self.options.meta
        self._definitions[level] = definition
        return definition

    def bind(self, arguments: dict[str, Any], context: Context | None) -> dict[str, Any]:
        """Validate and coerce `arguments` into keyword arguments; raises ArgumentsError."""
        schema = self.schema
        kwargs = schema.validate_arguments(arguments)
        if schema.context_parameter is not None:
            kwargs[schema.context_parameter] = context
        return kwargs

    async def run(self, kwargs: dict[str, Any]) -> Any:
        """Call the function: async ones on the event loop, sync ones in a worker thread."""
        if self.is_async:
            return await self.fn(**kwargs)
        import anyio.to_thread

        # A thread cannot be interrupted: on cancellation or timeout the caller is
        # answered at once and the thread's eventual result is dropped.
        return await anyio.to_thread.run_sync(functools.partial(self.fn, **kwargs), abandon_on_cancel=True)
