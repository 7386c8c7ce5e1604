"""What a tool function declares, and the `FunctionSchema` built from it.

Two builders turn a function into a `FunctionSchema`: `simple_schema` writes the
pydantic_core schema of plain signatures by hand, and `schema` hands anything else to
pydantic. Both start from `read_signature`, so they agree on what is a parameter, which
one is the context, and whether the return value is structured. This module imports
pydantic_core (the validators of both builders come from it) but never pydantic.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

from pydantic_core import ValidationError  # pydantic's ValidationError is this class

from ..errors import ArgumentsError, ConfigError
from .content import Content
from .docstrings import parse_docstring
from .headers import mirrorable
from .shapes import nullable_defaults, strict_friendly

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

__all__ = [
    "FunctionSchema",
    "Parameter",
    "Signature",
    "read_signature",
    "without_none",
    "wrap_result",
]

_NONE = type(None)


@dataclass(frozen=True, slots=True)
class FunctionSchema:
    """What registration learns from a tool function: its schemas and how to call it."""

    input_schema: dict[str, Any]
    output_schema: dict[str, Any] | None
    wraps_result: bool
    context_parameter: str | None
    _validate: Callable[[Any], dict[str, Any]] = field(repr=False, compare=False)
    # The return value to JSON-compatible data; None when the return is not structured.
    _serialize: Callable[[Any], Any] | None = field(repr=False, compare=False)
    # Parameters whose default an explicit null stands for (see `shapes.nullable_defaults`).
    _null_is_default: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    def validate_arguments(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Keyword arguments for the call, coerced and with defaults filled in.

        Raises ArgumentsError listing every problem, each with a path such as `items[0].name`.
        """
        if self._null_is_default:
            arguments = {k: v for k, v in arguments.items() if v is not None or k not in self._null_is_default}
        try:
            return self._validate(arguments)
        except ValidationError as exc:
            raise ArgumentsError([_problem(error) for error in exc.errors(include_url=False)]) from None

    def serialize_output(self, value: Any) -> Any:
        """The JSON-compatible structured content for a return value (wrapped if `wraps_result`)."""
        if self._serialize is None:
            raise TypeError("this function's return value is not structured (output_schema is None)")
        data = self._serialize(value)
        return {"result": data} if self.wraps_result else data


# --- JSON Schema shapes both builders give -------------------------------------------


def wrap_result(schema: dict[str, Any]) -> dict[str, Any]:
    """The output schema for a return value that is not an object (see `serialize_output`).

    MCP's structuredContent is an object: other values go under "result".
    """
    wrapper: dict[str, Any] = {"type": "object", "properties": {"result": schema}, "required": ["result"]}
    if "$defs" in schema:
        wrapper["$defs"] = schema.pop("$defs")  # "#/$defs/..." refers to the document root
    return wrapper


def _problem(error: ErrorDetails) -> dict[str, str]:
    loc = error["loc"]
    message = error["msg"]
    if error["type"] in ("extra_forbidden", "unexpected_keyword_argument"):  # the latter for dataclasses
        message = "Unexpected argument" if len(loc) == 1 else "Unexpected field"
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return {"path": path, "message": message}


# --- Reading the function -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Parameter:
    """One argument the client sends (the context parameter is not one)."""

    name: str
    annotation: Any  # `Any` when the parameter has none
    default: Any  # `inspect.Parameter.empty` when the argument is required
    description: str | None  # from `param_descriptions` or the docstring

    @property
    def required(self) -> bool:
        return self.default is inspect.Parameter.empty

    @property
    def null_is_default(self) -> bool:
        """Whether an explicit null means "use the default": the parameter has one, and None is no value of its type."""
        if self.required:
            return False
        annotation = _strip_annotated(self.annotation)
        return annotation is not Any and annotation is not _NONE and without_none(annotation) == [annotation]


@dataclass(frozen=True, slots=True)
class Signature:
    """A tool function as the schema builders see it."""

    name: str  # the function's qualified name, for error messages
    parameters: tuple[Parameter, ...]
    context_parameter: str | None
    returns: Any  # the return annotation, `Any` when there is none
    structured: bool  # whether the return value becomes structured content
    keywords: str | None = None  # the `**name` parameter, read only when `keywords=True`

    def input_schema(self, written: dict[str, Any]) -> dict[str, Any]:
        """The input schema from what a builder `written` as pydantic would: the shapes strict clients want."""
        schema = strict_friendly(written)
        nullable_defaults(schema, [param.name for param in self.parameters if not param.required])
        mirrorable(schema)
        return schema

    @property
    def null_is_default(self) -> frozenset[str]:
        """The parameters for which an explicit null means "use the default" (`FunctionSchema`)."""
        return frozenset(param.name for param in self.parameters if param.null_is_default)


def read_signature(
    fn: Callable[..., Any],
    *,
    context_type: type | None = None,
    param_descriptions: dict[str, str] | None = None,
    unstructured_types: tuple[type, ...] = (),
    keywords: bool = False,
) -> Signature:
    """Read `fn`'s parameters, hints and docstring; raises ConfigError if it cannot be a tool.

    Takes the arguments of `schema.function_schema`, which documents them. With `keywords`,
    a `**name` parameter is allowed (a tool given its input schema takes arguments by it).
    """
    target = _unwrap(fn)
    name = getattr(target, "__qualname__", repr(fn))
    try:
        hints = typing.get_type_hints(target, include_extras=True)
        declared = inspect.signature(fn).parameters.values()
    except (NameError, TypeError, ValueError) as exc:
        raise ConfigError(f"{name}: cannot read its signature and type hints: {exc}") from exc
    if param_descriptions is None:
        param_descriptions = parse_docstring(inspect.getdoc(target))[1]

    context_parameter = None
    keywords_parameter = None
    parameters = []
    for param in declared:
        if keywords and param.kind is param.VAR_KEYWORD:
            keywords_parameter = param.name
            continue
        _check_kind(name, param)
        annotation = hints.get(param.name, Any)
        if context_type is not None and _is_context(annotation, context_type):
            if context_parameter is not None:
                raise ConfigError(f"{name}: more than one context parameter ({context_parameter}, {param.name})")
            context_parameter = param.name
            continue
        parameters.append(Parameter(param.name, annotation, param.default, param_descriptions.get(param.name)))

    returns = hints.get("return", Any)
    return Signature(
        name=name,
        parameters=tuple(parameters),
        context_parameter=context_parameter,
        returns=returns,
        structured=not _is_unstructured(returns, (Content, *unstructured_types)),
        keywords=keywords_parameter,
    )


def _unwrap(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The function whose annotations and docstring describe `fn`."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    if inspect.isroutine(fn):
        return fn
    return type(fn).__call__  # a callable object


def _check_kind(name: str, param: inspect.Parameter) -> None:
    # MCP sends arguments as one JSON object, so every parameter must be passable by name.
    if param.kind is param.VAR_POSITIONAL:
        raise ConfigError(f"{name}: *{param.name} is not supported; declare each argument by name")
    if param.kind is param.VAR_KEYWORD:
        raise ConfigError(
            f"{name}: **{param.name} is not supported; declare each argument by name, or give the tool its"
            " schema (input_schema=)"
        )
    if param.kind is param.POSITIONAL_ONLY:
        raise ConfigError(f"{name}: parameter {param.name!r} is positional-only; arguments arrive by name")


def _is_context(annotation: Any, context_type: type) -> bool:
    members = without_none(_strip_annotated(annotation))
    if len(members) != 1:
        return False
    cls = get_origin(members[0]) or members[0]  # Context[Deps] counts too
    return isinstance(cls, type) and issubclass(cls, context_type)


def _is_unstructured(annotation: Any, content_types: tuple[type, ...]) -> bool:
    """True for returns that become content blocks rather than structured content."""
    annotation = _strip_annotated(annotation)
    if annotation is Any or annotation is str or annotation is _NONE:
        return True
    members = without_none(annotation)
    if len(members) == 1 and members[0] is not annotation:
        return _is_unstructured(members[0], content_types)  # Optional[X] goes with X
    return _mentions(annotation, content_types)


def _mentions(annotation: Any, classes: tuple[type, ...]) -> bool:
    """Whether `annotation` is one of `classes` or has one among its type arguments."""
    if isinstance(annotation, type) and issubclass(annotation, classes):
        return True
    return any(_mentions(arg, classes) for arg in get_args(annotation))


def _strip_annotated(annotation: Any) -> Any:
    return get_args(annotation)[0] if get_origin(annotation) is Annotated else annotation


def without_none(annotation: Any) -> list[Any]:
    """The members of a union other than None; `[annotation]` for anything else (builders use it too)."""
    if get_origin(annotation) in (Union, types.UnionType):
        return [arg for arg in get_args(annotation) if arg is not _NONE]
    return [annotation]
