"""The fast path: schemas and validators for plain signatures, without pydantic.

Importing pydantic costs a server ~50 ms before its first tool call, yet most tools
take and return strings, numbers, booleans, and lists or maps of them. For those, this
module writes by hand the pydantic_core schema that pydantic would generate: the
validator and serializer are then pydantic's own, so coercion, defaults and error
messages are the same, and the JSON Schemas are written to match `schema.function_schema`
key for key (tests/test_simple_schema.py compares the two paths).

The subset; for anything else `simple_function_schema` returns None and the caller
falls back to `schema.function_schema`:

- types: `str`, `int`, `float`, `bool`, `Any` (or no annotation), `list[X]` and
  `dict[str, X]` (bare `list` and `dict` too), `X | None`, nested freely; no `Annotated`;
- parameter defaults: None, str, int, float or bool; a context parameter is fine;
- returns: those types, or any unstructured return (`str`, `None`, `Any`, content).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Final, get_args, get_origin

from pydantic_core import CoreSchema, SchemaSerializer, SchemaValidator, core_schema

from .shapes import strict_friendly
from .signature import (
    FunctionSchema,
    Signature,
    read_signature,
    without_none,
    wrap_result,
)

__all__ = ["simple_function_schema"]

# Each type with the core schema pydantic gives it (no config applies to these) and its JSON Schema type.
_SCALARS: Final[tuple[tuple[type, Callable[[], CoreSchema], str], ...]] = (
    (str, core_schema.str_schema, "string"),
    (int, core_schema.int_schema, "integer"),
    (float, core_schema.float_schema, "number"),
    (bool, core_schema.bool_schema, "boolean"),
)
# Exact types: pydantic copies such defaults into the JSON Schema as they are.
_DEFAULT_TYPES: Final = frozenset({type(None), str, int, float, bool})


class _NotSimple(Exception):
    """Something outside the subset: leave the function to pydantic."""


def simple_function_schema(
    fn: Callable[..., Any],
    *,
    context_type: type | None = None,
    param_descriptions: dict[str, str] | None = None,
    unstructured_types: tuple[type, ...] = (),
) -> FunctionSchema | None:
    """What `schema.function_schema` would build for `fn`, or None outside the subset.

    Takes the same arguments, and raises the same ConfigError for functions that
    cannot be tools whatever their types (`*args`, two context parameters...).
    """
    signature = read_signature(
        fn,
        context_type=context_type,
        param_descriptions=param_descriptions,
        unstructured_types=unstructured_types,
    )
    try:
        validator, input_schema = _arguments(signature)
        serialize, output_schema, wraps_result = None, None, False
        if signature.structured:
            serialize, output_schema, wraps_result = _output(signature.returns)
    except _NotSimple:
        return None
    return FunctionSchema(
        input_schema=input_schema,
        output_schema=output_schema,
        wraps_result=wraps_result,
        context_parameter=signature.context_parameter,
        _validate=validator.validate_python,
        _serialize=serialize,
        _null_is_default=signature.null_is_default,
    )


def _arguments(signature: Signature) -> tuple[SchemaValidator, dict[str, Any]]:
    """The arguments' validator and input schema, as pydantic builds them for a closed TypedDict."""
    fields: dict[str, core_schema.TypedDictField] = {}
    properties: dict[str, Any] = {}
    required: list[str] = []
    for param in signature.parameters:
        schema, prop = _describe(param.annotation)
        if param.required:
            fields[param.name] = core_schema.typed_dict_field(schema, required=True)
            required.append(param.name)
        elif type(param.default) in _DEFAULT_TYPES:
            default = core_schema.with_default_schema(schema, default=param.default)
            fields[param.name] = core_schema.typed_dict_field(default, required=False)
            prop["default"] = param.default
        else:
            raise _NotSimple
        if param.description is not None:
            prop["description"] = param.description
        properties[param.name] = dict(sorted(prop.items()))  # pydantic sorts keywords

    input_schema: dict[str, Any] = {"additionalProperties": False, "properties": properties}
    if required:
        input_schema["required"] = required
    input_schema["type"] = "object"
    # The config pydantic gives the TypedDict too; its title shows in str(ValidationError).
    config = core_schema.CoreConfig(title=f"{signature.name}Arguments", extra_fields_behavior="forbid")
    arguments = core_schema.typed_dict_schema(fields, extra_behavior="forbid", config=config)
    return SchemaValidator(arguments), signature.input_schema(input_schema)


def _output(returns: Any) -> tuple[Callable[[Any], Any], dict[str, Any], bool]:
    """How to serialize the return value, its output schema, and whether it is wrapped."""
    schema, written = _describe(returns)
    output_schema = strict_friendly(written)
    serialize = functools.partial(SchemaSerializer(schema).to_python, mode="json", warnings="error")  # as schema.py
    if output_schema.get("type") == "object":  # a dict: already what structuredContent wants
        return serialize, output_schema, False
    return serialize, wrap_result(output_schema), True


def _describe(annotation: Any) -> tuple[CoreSchema, dict[str, Any]]:
    """The core schema pydantic generates for `annotation`, and its JSON Schema, keys sorted as pydantic's."""
    if annotation is Any:
        return core_schema.any_schema(), {}
    for cls, make, json_type in _SCALARS:
        if annotation is cls:
            return make(), {"type": json_type}
    members = without_none(annotation)
    if len(members) != 1:  # a union of several types
        raise _NotSimple
    if members[0] is not annotation:  # X | None
        schema, json_schema = _describe(members[0])
        return core_schema.nullable_schema(schema), {"anyOf": [json_schema, {"type": "null"}]}
    origin, args = get_origin(annotation) or annotation, get_args(annotation)
    if origin is list:
        items, json_items = _describe(args[0]) if args else _describe(Any)
        return core_schema.list_schema(items), {"items": json_items, "type": "array"}
    if origin is dict:
        if args and args[0] is not str:
            raise _NotSimple
        keys = core_schema.str_schema() if args else core_schema.any_schema()
        values, json_values = _describe(args[1]) if args else _describe(Any)
        # pydantic writes `true` for values of any type.
        return core_schema.dict_schema(keys, values), {"additionalProperties": json_values or True, "type": "object"}
    raise _NotSimple
