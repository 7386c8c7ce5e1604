"""Schemas given as JSON Schema (`@tool(input_schema=..., output_schema=...)`), checked with jsonschema.

For authors who already have a schema: it is served as given (`$schema`, `$defs`,
`additionalProperties` and the rest kept), and arguments are validated with the draft its
`$schema` names (2020-12 by default) rather than by a model of the signature. Plugin
manifests' program tools validate their JSON Schemas with the same helpers. This module
loads jsonschema (~70 ms), so only a tool that gives a schema imports it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import jsonschema
import jsonschema.exceptions
import jsonschema.validators
from jsonschema.protocols import Validator

from .._toml import dotted
from ..errors import ArgumentsError, ConfigError, ToolError
from .signature import FunctionSchema, read_signature

__all__ = ["checked_validator", "given_schema", "mismatch", "problems"]

_UNKNOWN: Any = object()  # what validator_for answers for a $schema it does not know


def checked_validator(schema: Any, what: str) -> Validator:
    """A validator for `schema`, of the draft its `$schema` names; ConfigError saying `what` is wrong otherwise.

    MCP wants `"type": "object"` at the root of a tool's input and output schemas
    (server/tools, "Tool": inputSchema, outputSchema).
    """
    if not isinstance(schema, dict) or schema.get("type") != "object":
        raise ConfigError(f'{what} must be a JSON Schema with "type": "object" at its root, as MCP requires')
    validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    if "$schema" in schema:
        known = jsonschema.validators.validator_for(schema, default=_UNKNOWN)
        if known is _UNKNOWN:
            raise ConfigError(
                f"{what}: unknown $schema {schema['$schema']!r}; name a JSON Schema draft"
                ' (e.g. "https://json-schema.org/draft/2020-12/schema") or leave $schema out for 2020-12'
            )
    try:
        validator_class.check_schema(schema)
    except jsonschema.exceptions.SchemaError as exc:
        where = dotted(exc.absolute_path) or "(root)"
        raise ConfigError(f"{what} is not a valid JSON Schema: {where}: {exc.message}") from None
    return validator_class(schema)


def problems(validator: Validator, value: Any) -> list[dict[str, str]]:
    """Every way `value` fails the schema, as `ArgumentsError` lists them."""
    return [{"path": dotted(error.absolute_path), "message": error.message} for error in validator.iter_errors(value)]


def mismatch(validator: Validator, value: Any) -> str | None:
    """The most relevant way `value` fails the schema (`where: what`), or None if it conforms."""
    error = jsonschema.exceptions.best_match(validator.iter_errors(value))
    if error is None:
        return None
    return f"{dotted(error.absolute_path) or '(result)'}: {error.message}"


def given_schema(
    fn: Callable[..., Any],
    tool: str,
    input_schema: dict[str, Any] | None,
    output_schema: dict[str, Any] | None,
    *,
    context_type: type,
    from_signature: Callable[[], FunctionSchema],
) -> FunctionSchema:
    """The `FunctionSchema` of tool `tool` given either schema or both; raises ConfigError naming it.

    With `input_schema`, the function takes the validated arguments by name: each of the
    schema's `properties` must be a parameter, or the function has a `**arguments` that
    takes the rest. Its annotations neither validate nor convert (the JSON values arrive
    as they are), its result becomes content unless `output_schema` is given too. Without
    `input_schema`, the signature gives the arguments (`from_signature`) and only the
    output is given.
    """
    output = None if output_schema is None else _output_check(tool, output_schema)
    if input_schema is None:
        return dataclasses.replace(from_signature(), output_schema=output_schema, wraps_result=False, _serialize=output)
    validator = checked_validator(input_schema, f"Tool {tool!r}: input_schema")
    signature = read_signature(fn, context_type=context_type, keywords=True)
    properties = input_schema.get("properties", {})
    required = set(input_schema.get("required", ()))
    # Arguments left out get the schema's default, as clients are told (jsonschema fills none in).
    defaults = {name: sub["default"] for name, sub in properties.items() if isinstance(sub, dict) and "default" in sub}
    named = {param.name for param in signature.parameters}
    if signature.keywords is None:
        untaken = [name for name in properties if name not in named]
        if untaken:
            raise ConfigError(
                f"Tool {tool!r}: input_schema has properties the function takes no parameter for"
                f" ({', '.join(untaken)}); add them as parameters, or take **arguments"
            )
    for param in signature.parameters:
        if param.required and param.name not in required and param.name not in defaults:
            raise ConfigError(
                f"Tool {tool!r}: parameter {param.name!r} has no default, but input_schema lets a call leave"
                ' it out; list it in "required", or give it a default'
            )
    # Without **arguments, what the schema lets through beyond the parameters (additionalProperties) is not passed.
    taken = None if signature.keywords is not None else named

    def validate(arguments: dict[str, Any]) -> dict[str, Any]:
        found = problems(validator, arguments)
        if found:
            raise ArgumentsError(found)
        values = {**defaults, **arguments}
        return values if taken is None else {name: value for name, value in values.items() if name in taken}

    return FunctionSchema(
        input_schema=input_schema,
        output_schema=output_schema,
        wraps_result=False,
        context_parameter=signature.context_parameter,
        _validate=validate,
        _serialize=output,
    )


def _output_check(tool: str, schema: dict[str, Any]) -> Callable[[Any], Any]:
    validator = checked_validator(schema, f"Tool {tool!r}: output_schema")

    def check(value: Any) -> Any:
        # server/tools, "Output Schema": servers MUST provide structured results that conform to it.
        wrong = mismatch(validator, value)
        if wrong is not None:
            raise ToolError(f"Tool {tool!r} returned a result that does not match its output_schema: {wrong}")
        return value

    return check
