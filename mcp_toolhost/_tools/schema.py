"""A tool function's input and output JSON Schemas, and its argument validator, by pydantic.

Everything is built once, on first use, with pydantic: the function's parameters
become one TypedDict, whose compiled validator is all that runs per call. This module
loads pydantic, so the rest of the package imports it lazily, and plain signatures
skip it altogether (`simple_schema`); this is the path for every other signature.

The schemas are kept plain for strict clients: `$defs` inlined (except where a model
refers to itself), no generated titles, and the shapes of `shapes`.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Annotated, Any, Literal, get_origin

from pydantic import ConfigDict, Field, TypeAdapter, with_config
from pydantic.fields import FieldInfo
from pydantic.json_schema import PydanticJsonSchemaWarning
from pydantic_core import PydanticUndefined
from typing_extensions import TypedDict  # pydantic needs it over typing's before Python 3.12

from ..errors import ConfigError
from .shapes import map_subschemas, strict_friendly, subschemas
from .signature import FunctionSchema, read_signature, wrap_result
from .typed_dicts import compatible

__all__ = ["function_schema"]

_DEFS = "#/$defs/"

# Titles pydantic derives from names add nothing; "discriminator" is OpenAPI, not JSON
# Schema, and its mapping points into the $defs we inline.
_DROPPED = frozenset({"title", "discriminator"})


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
    signature = read_signature(
        fn,
        context_type=context_type,
        param_descriptions=param_descriptions,
        unstructured_types=unstructured_types,
    )
    fields = {
        param.name: _field(compatible(param.annotation), param.default, param.description)
        for param in signature.parameters
    }
    arguments, written = _build_arguments(signature.name, fields)
    input_schema = signature.input_schema(written)
    serialize, output_schema, wraps_result = None, None, False
    if signature.structured:
        output, output_schema, wraps_result = _build_output(signature.name, compatible(signature.returns))
        # warnings="error": a value that does not match the annotation raises instead of being sent
        # with a warning on stderr (server/tools: structured results MUST conform to the output schema).
        serialize = functools.partial(output.dump_python, mode="json", warnings="error")
    return FunctionSchema(
        input_schema=input_schema,
        output_schema=output_schema,
        wraps_result=wraps_result,
        context_parameter=signature.context_parameter,
        # The compiled validator itself: TypeAdapter.validate_python adds a Python-level call.
        _validate=arguments.validator.validate_python,
        _serialize=serialize,
        _null_is_default=signature.null_is_default,
    )


# --- Building with pydantic ---------------------------------------------------------


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
    return adapter, _tidy(schema)


def _build_output(name: str, returns: Any) -> tuple[TypeAdapter[Any], dict[str, Any], bool]:
    try:
        adapter = TypeAdapter(returns)
        # Serialization mode: the schema of what dump_python(mode="json") produces.
        schema = _json_schema(adapter, "serialization")
    except Exception as exc:  # as for parameters
        raise ConfigError(f"{name}: return annotation: {_first_line(exc)}") from exc
    schema = strict_friendly(_tidy(schema))
    if _is_object(schema):
        schema.setdefault("type", "object")  # MCP wants an object root, even over anyOf
        return adapter, schema, False
    return adapter, wrap_result(schema), True


def _json_schema(adapter: TypeAdapter[Any], mode: Literal["validation", "serialization"]) -> dict[str, Any]:
    with warnings.catch_warnings():
        # A default that is not JSON-serializable is left out of the schema, as we want.
        warnings.simplefilter("ignore", PydanticJsonSchemaWarning)
        return adapter.json_schema(mode=mode)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]  # pydantic's later lines are hints and a URL


# --- Plain JSON Schema --------------------------------------------------------------


def _tidy(schema: dict[str, Any]) -> dict[str, Any]:
    """Inline non-recursive `$defs` and drop generated titles."""
    defs: dict[str, Any] = schema.pop("$defs", {})
    recursive = _recursive(defs)

    def visit(node: Any) -> Any:
        if not isinstance(node, dict):
            return node  # a boolean schema
        ref = node.get("$ref", "").removeprefix(_DEFS)
        if ref and ref not in recursive:
            siblings = {key: value for key, value in node.items() if key != "$ref"}
            return visit({**defs[ref], **siblings})  # the referring side's description wins
        out = {key: map_subschemas(key, value, visit) for key, value in node.items() if key not in _DROPPED}
        # pydantic < 2.9 wraps a $ref that has sibling keywords in a one-item allOf.
        if len(out.get("allOf", ())) == 1:
            out = {**out.pop("allOf")[0], **out}
        return out

    root: dict[str, Any] = visit(schema)
    kept = {name: visit(defs[name]) for name in sorted(recursive)}
    if "$ref" in root:  # a recursive model at the root: expand it once, so the root is an object
        root = {**kept[root.pop("$ref").removeprefix(_DEFS)], **root}
    if kept:
        root["$defs"] = kept
    return root


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
            todo.extend(subschemas(node))
    return found


def _is_object(schema: dict[str, Any]) -> bool:
    if schema.get("type") == "object":
        return True
    options = schema.get("anyOf") or schema.get("oneOf") or ()
    return bool(options) and all(_is_object(option) for option in options)
