"""A tool function's input and output JSON Schemas, and its argument validator.

Everything is built once, at registration, with pydantic: the function's parameters
become one TypedDict, whose compiled validator is all that runs per call. This module
loads pydantic, so the rest of the package imports it lazily.

The schemas are kept plain for strict clients: `$defs` inlined (except where a model
refers to itself), no generated titles, and `X | None = None` written as plain `X`.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError, with_config
from pydantic.fields import FieldInfo
from pydantic.json_schema import PydanticJsonSchemaWarning
from pydantic_core import ErrorDetails, PydanticUndefined
from typing_extensions import TypedDict  # pydantic needs it over typing's before Python 3.12

from ..errors import ArgumentsError, ConfigError
from .content import Content
from .docstrings import parse_docstring

__all__ = ["FunctionSchema", "function_schema"]

_NONE = type(None)
_DEFS = "#/$defs/"

# JSON Schema keywords whose value is a schema, a list of schemas, or a map of them.
# Walking only these leaves values such as "default" and "enum" untouched.
_SUBSCHEMA = frozenset(
    {"items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else"}
    | {"unevaluatedItems", "unevaluatedProperties"}
)
_SUBSCHEMA_LIST = frozenset({"prefixItems", "anyOf", "oneOf", "allOf"})
_SUBSCHEMA_MAP = frozenset({"properties", "patternProperties", "dependentSchemas"})
# Titles pydantic derives from names add nothing; "discriminator" is OpenAPI, not JSON
# Schema, and its mapping points into the $defs we inline.
_DROPPED = frozenset({"title", "discriminator"})


@dataclass(frozen=True, slots=True)
class FunctionSchema:
    """What registration learns from a tool function: its schemas and how to call it."""

    input_schema: dict[str, Any]
    output_schema: dict[str, Any] | None
    wraps_result: bool
    context_parameter: str | None
    _validate: Callable[[Any], dict[str, Any]] = field(repr=False, compare=False)
    _output: TypeAdapter[Any] | None = field(repr=False, compare=False)

    def validate_arguments(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Keyword arguments for the call, coerced and with defaults filled in.

        Raises ArgumentsError listing every problem, each with a path such as `items[0].name`.
        """
        try:
            return self._validate(arguments)
        except ValidationError as exc:
            raise ArgumentsError([_problem(error) for error in exc.errors(include_url=False)]) from None

    def serialize_output(self, value: Any) -> Any:
        """The JSON-compatible structured content for a return value (wrapped if `wraps_result`)."""
        if self._output is None:
            raise TypeError("this function's return value is not structured (output_schema is None)")
        data = self._output.dump_python(value, mode="json")
        return {"result": data} if self.wraps_result else data


def function_schema(
    fn: Callable[..., Any],
    *,
    context_type: type | None = None,
    param_descriptions: dict[str, str] | None = None,
    unstructured_types: tuple[type, ...] = (),
) -> FunctionSchema:
    """Build the schemas and validator for `fn`; raises ConfigError if it cannot be a tool.

    `param_descriptions` default to those in `fn`'s docstring. A parameter annotated with
    `context_type` is left out: the caller passes it. Returns of `str`, `None`, `Any`,
    `Content` or `unstructured_types` (or collections of them) get no output schema.
    """
    target = _unwrap(fn)
    name = getattr(target, "__qualname__", repr(fn))
    try:
        hints = typing.get_type_hints(target, include_extras=True)
        parameters = inspect.signature(fn).parameters.values()
    except (NameError, TypeError, ValueError) as exc:
        raise ConfigError(f"{name}: cannot read its signature and type hints: {exc}") from exc
    if param_descriptions is None:
        param_descriptions = parse_docstring(inspect.getdoc(target))[1]

    context_parameter = None
    fields: dict[str, Any] = {}
    for param in parameters:
        _check_kind(name, param)
        annotation = hints.get(param.name, Any)
        if context_type is not None and _is_context(annotation, context_type):
            if context_parameter is not None:
                raise ConfigError(f"{name}: more than one context parameter ({context_parameter}, {param.name})")
            context_parameter = param.name
            continue
        fields[param.name] = _field(annotation, param.default, param_descriptions.get(param.name))

    arguments, input_schema = _build_arguments(name, fields)
    output, output_schema, wraps_result = None, None, False
    returns = hints.get("return", Any)
    if not _is_unstructured(returns, (Content, *unstructured_types)):
        output, output_schema, wraps_result = _build_output(name, returns)
    return FunctionSchema(
        input_schema=input_schema,
        output_schema=output_schema,
        wraps_result=wraps_result,
        context_parameter=context_parameter,
        # The compiled validator itself: TypeAdapter.validate_python adds a Python-level call.
        _validate=arguments.validator.validate_python,
        _output=output,
    )


# --- Reading the function -----------------------------------------------------------


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
        raise ConfigError(f"{name}: **{param.name} is not supported; declare each argument by name")
    if param.kind is param.POSITIONAL_ONLY:
        raise ConfigError(f"{name}: parameter {param.name!r} is positional-only; arguments arrive by name")


def _is_context(annotation: Any, context_type: type) -> bool:
    members = _without_none(_strip_annotated(annotation))
    if len(members) != 1:
        return False
    cls = get_origin(members[0]) or members[0]  # Context[Deps] counts too
    return isinstance(cls, type) and issubclass(cls, context_type)


def _field(annotation: Any, default: Any, description: str | None) -> Any:
    """The TypedDict value type for one parameter: its annotation, default and description."""
    if default is inspect.Parameter.empty:
        default = PydanticUndefined
    if description is None or _has_description(annotation):
        return Annotated[annotation, Field(default=default)]
    return Annotated[annotation, Field(default=default, description=description)]


def _has_description(annotation: Any) -> bool:
    # Field(description=...) in the annotation wins over the docstring.
    return get_origin(annotation) is Annotated and any(
        isinstance(meta, FieldInfo) and meta.description for meta in annotation.__metadata__
    )


def _is_unstructured(annotation: Any, content_types: tuple[type, ...]) -> bool:
    """True for returns that become content blocks rather than structured content."""
    annotation = _strip_annotated(annotation)
    if annotation is Any or annotation is str or annotation is _NONE:
        return True
    members = _without_none(annotation)
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


def _without_none(annotation: Any) -> list[Any]:
    """The members of a union other than None; `[annotation]` for anything else."""
    if get_origin(annotation) in (Union, types.UnionType):
        return [arg for arg in get_args(annotation) if arg is not _NONE]
    return [annotation]


# --- Building with pydantic ---------------------------------------------------------


def _build_arguments(name: str, fields: dict[str, Any]) -> tuple[TypeAdapter[Any], dict[str, Any]]:
    # A TypedDict validates to a plain dict (the kwargs) and takes any parameter name,
    # where a model would reserve names like `model_config` and `_private`.
    arguments = with_config(ConfigDict(extra="forbid"))(
        TypedDict(f"{name}Arguments", fields)  # type: ignore[operator]  # mypy wants literals
    )
    # Odd annotations make pydantic raise more than PydanticUserError (`x: 5` gives an
    # AttributeError), and any of them means the function cannot be a tool.
    try:
        adapter = TypeAdapter(arguments)
        schema = _json_schema(adapter, "validation")
    except Exception as exc:
        for param, annotation in fields.items():  # find the parameter to blame
            try:
                _json_schema(TypeAdapter(annotation), "validation")
            except Exception as param_exc:
                raise ConfigError(f"{name}: parameter {param!r}: {_first_line(param_exc)}") from param_exc
        raise ConfigError(f"{name}: {_first_line(exc)}") from exc
    return adapter, _tidy(schema, collapse_optional=True)


def _build_output(name: str, returns: Any) -> tuple[TypeAdapter[Any], dict[str, Any], bool]:
    try:
        adapter = TypeAdapter(returns)
        # Serialization mode: the schema of what dump_python(mode="json") produces.
        schema = _json_schema(adapter, "serialization")
    except Exception as exc:  # as for parameters
        raise ConfigError(f"{name}: return annotation: {_first_line(exc)}") from exc
    schema = _tidy(schema, collapse_optional=False)
    if _is_object(schema):
        schema.setdefault("type", "object")  # MCP wants an object root, even over anyOf
        return adapter, schema, False
    # MCP's structuredContent is an object: other values go under "result".
    wrapper: dict[str, Any] = {"type": "object", "properties": {"result": schema}, "required": ["result"]}
    if "$defs" in schema:
        wrapper["$defs"] = schema.pop("$defs")  # "#/$defs/..." refers to the document root
    return adapter, wrapper, True


def _json_schema(adapter: TypeAdapter[Any], mode: Literal["validation", "serialization"]) -> dict[str, Any]:
    with warnings.catch_warnings():
        # A default that is not JSON-serializable is left out of the schema, as we want.
        warnings.simplefilter("ignore", PydanticJsonSchemaWarning)
        return adapter.json_schema(mode=mode)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]  # pydantic's later lines are hints and a URL


def _problem(error: ErrorDetails) -> dict[str, str]:
    loc = error["loc"]
    message = error["msg"]
    if error["type"] in ("extra_forbidden", "unexpected_keyword_argument"):  # the latter for dataclasses
        message = "Unexpected argument" if len(loc) == 1 else "Unexpected field"
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return {"path": path, "message": message}


# --- Plain JSON Schema --------------------------------------------------------------


def _tidy(schema: dict[str, Any], *, collapse_optional: bool) -> dict[str, Any]:
    """Inline non-recursive `$defs`, drop generated titles, and (for input) plain optionals."""
    defs: dict[str, Any] = schema.pop("$defs", {})
    recursive = _recursive(defs)

    def visit(node: Any) -> Any:
        if not isinstance(node, dict):
            return node  # a boolean schema
        ref = node.get("$ref", "").removeprefix(_DEFS)
        if ref and ref not in recursive:
            siblings = {key: value for key, value in node.items() if key != "$ref"}
            return visit({**defs[ref], **siblings})  # the referring side's description wins
        out = {key: _map_subschemas(key, value, visit) for key, value in node.items() if key not in _DROPPED}
        # pydantic < 2.9 wraps a $ref that has sibling keywords in a one-item allOf.
        if len(out.get("allOf", ())) == 1:
            out = {**out.pop("allOf")[0], **out}
        if collapse_optional and "properties" in out:
            _collapse_optional(out)
        return out

    root: dict[str, Any] = visit(schema)
    kept = {name: visit(defs[name]) for name in sorted(recursive)}
    if "$ref" in root:  # a recursive model at the root: expand it once, so the root is an object
        root = {**kept[root.pop("$ref").removeprefix(_DEFS)], **root}
    if kept:
        root["$defs"] = kept
    return root


def _map_subschemas(key: str, value: Any, fn: Callable[[Any], Any]) -> Any:
    if key in _SUBSCHEMA:
        return fn(value)
    if key in _SUBSCHEMA_LIST:
        return [fn(item) for item in value]
    if key in _SUBSCHEMA_MAP:
        return {name: fn(item) for name, item in value.items()}
    return value


def _subschemas(node: dict[str, Any]) -> Iterator[Any]:
    for key, value in node.items():
        if key in _SUBSCHEMA:
            yield value
        elif key in _SUBSCHEMA_LIST:
            yield from value
        elif key in _SUBSCHEMA_MAP:
            yield from value.values()


def _recursive(defs: dict[str, Any]) -> set[str]:
    """The definitions that reach themselves through references: those cannot be inlined."""
    direct = {name: _references(schema) for name, schema in defs.items()}
    cyclic = set()
    for name in defs:
        seen: set[str] = set()
        todo = list(direct[name])
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(direct[current])
        if name in seen:
            cyclic.add(name)
    return cyclic


def _references(schema: Any) -> set[str]:
    found = set()
    todo = [schema]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            if "$ref" in node:
                found.add(node["$ref"].removeprefix(_DEFS))
            todo.extend(_subschemas(node))
    return found


def _collapse_optional(node: dict[str, Any]) -> None:
    """`x: X | None = None` becomes a plain optional `X`: strict clients reject null unions.

    Validation still accepts an explicit null, since the validator keeps the real type.
    """
    required = set(node.get("required", ()))
    properties: dict[str, Any] = {}
    for name, prop in node["properties"].items():
        options = prop.get("anyOf", []) if isinstance(prop, dict) else []
        rest = [option for option in options if option != {"type": "null"}]
        if name in required or len(rest) == len(options) or prop.get("default", ...) is not None:
            properties[name] = prop
            continue
        annotations = {key: value for key, value in prop.items() if key not in ("anyOf", "default")}
        properties[name] = {**rest[0], **annotations} if len(rest) == 1 else {**annotations, "anyOf": rest}
    node["properties"] = properties


def _is_object(schema: dict[str, Any]) -> bool:
    if schema.get("type") == "object":
        return True
    options = schema.get("anyOf") or schema.get("oneOf") or ()
    return bool(options) and all(_is_object(option) for option in options)
