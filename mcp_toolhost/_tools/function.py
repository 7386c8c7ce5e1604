"""`Function`: a user's function the server runs for a client: a tool, a resource or a prompt.

What the three share lives here: the docstring, the lazily built argument schema and
validator, binding arguments (and the `Context`) and running sync or async code.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from ..errors import ConfigError
from .docstrings import parse_docstring

if TYPE_CHECKING:
    from ..config import Settings
    from .context import Context
    from .signature import FunctionSchema

__all__ = ["Function", "Runnable", "definitions", "marked"]

logger = logging.getLogger("mcp_toolhost")


class Runnable(Protocol):
    """User code a call runs (`Connection.invoke`): a `Function`, or a completion's values."""

    @property
    def kind(self) -> str: ...
    @property
    def name(self) -> str: ...
    def time_limit(self, settings: Settings) -> float | None: ...
    async def run(self, kwargs: dict[str, Any]) -> Any: ...


def _is_async(fn: Callable[..., Any]) -> bool:
    while isinstance(fn, functools.partial):
        fn = fn.func
    # A callable object with an `async def __call__` is async too.
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(type(fn).__call__)


def marked(module: Any, mark: str) -> list[Any]:
    """The functions `module` defines (not those it imported) carrying `mark`, in source order."""
    return [
        value
        for value in vars(module).values()
        if hasattr(value, mark) and getattr(value, "__module__", None) == module.__name__
    ]


def definitions(functions: Iterable[Any], level: int) -> list[dict[str, Any]]:
    """Each one's `definition(level)` for a list result; one that cannot be served is logged and left out."""
    listed = []
    for function in functions:
        try:
            listed.append(function.definition(level))
        except ConfigError as exc:
            logger.error("%s %s is not listed: %s", function.kind, function.key, exc)
    return listed


class Function:
    """A function served to clients. Schemas are built on first use, not at registration:
    a server with many functions starts without paying for all of them (`prepare()` builds eagerly).
    """

    name: str
    kind: ClassVar[str] = "function"
    """What clients know it as ("tool", "resource", "prompt"), for messages."""
    # Return types that get no output schema. Resources and prompts convert what they
    # return by its value, never by a schema, so for them every type is one.
    unstructured_types: ClassVar[tuple[type, ...]] = ()

    def __init__(self, fn: Callable[..., Any], description: str | None, timeout: float | None = None) -> None:
        self.fn = fn
        docstring, self._param_docs = parse_docstring(inspect.getdoc(fn))
        self.description = description if description is not None else docstring
        self.timeout = timeout
        self.is_async = _is_async(fn)
        self.source: str | None = None  # which module or plugin registered it, for messages
        self._schema: FunctionSchema | ConfigError | None = None

    @property
    def key(self) -> str:
        """What a registry knows it by: its name (a resource's is its URI)."""
        return self.name

    @property
    def schema(self) -> FunctionSchema:
        if self._schema is None:
            try:
                self._schema = self._build_schema()
                self._check(self._schema)
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

    def time_limit(self, settings: Settings) -> float | None:
        """Seconds a call may run (None: no limit): its own `timeout`, else the settings'."""
        if self.timeout is not None:
            return self.timeout
        return settings.tool_timeout or None  # 0 disables

    def _check(self, schema: FunctionSchema) -> None:
        """Refuse a signature this kind of function cannot serve (raise ConfigError)."""

    def _build_schema(self) -> FunctionSchema:
        from .content import Content
        from .context import Context
        from .simple_schema import simple_function_schema

        unstructured = (Content, *self.unstructured_types)
        # Plain signatures are served without importing pydantic (~50 ms); the rest need it.
        simple = simple_function_schema(
            self.fn,
            context_type=Context,
            param_descriptions=self._param_docs,
            unstructured_types=unstructured,
        )
        if simple is not None:
            return simple
        from .schema import function_schema

        return function_schema(
            self.fn,
            context_type=Context,
            param_descriptions=self._param_docs,
            unstructured_types=unstructured,
        )

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
