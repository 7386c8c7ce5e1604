"""The JSON Schema shapes both schema builders give, written for strict clients.

Both builders (`simple_schema` and `schema`) first write what pydantic would, then pass
it through here, so the two agree key for key:

- an untyped value (`Any`, bare `list` items, `dict[str, Any]` values) is the JSON value
  union, not `{}`: validators such as the Inspector's `--strict` flag `{}` as untyped;
- `X | None` is a type array (`"type": ["string", "null"]`, an enum gaining `null`), not
  `anyOf` with `{"type": "null"}`, where X allows it;
- a parameter with a default accepts null, meaning "use the default": OpenAI's strict mode
  (openai-agents' `ensure_strict_json_schema`) makes every parameter required, so a strict
  model needs a value that says "leave it out".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Final

__all__ = ["JSON_VALUE_TYPES", "map_subschemas", "nullable_defaults", "strict_friendly", "subschemas"]

# "integer" is left out: every integer is a "number" already.
JSON_VALUE_TYPES: Final = ("string", "number", "boolean", "object", "array", "null")
_NULL: Final = {"type": "null"}

# JSON Schema keywords whose value is a schema, a list of schemas, or a map of them.
# Walking only these leaves values such as "default" and "enum" untouched.
_SUBSCHEMA: Final = frozenset(
    {"items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else"}
    | {"unevaluatedItems", "unevaluatedProperties"}
)
_SUBSCHEMA_LIST: Final = frozenset({"prefixItems", "anyOf", "oneOf", "allOf"})
_SUBSCHEMA_MAP: Final = frozenset({"properties", "patternProperties", "dependentSchemas", "$defs"})
# Keywords that say what a value may be; a schema with none of them accepts anything.
_CONSTRAINING: Final = frozenset({"type", "enum", "const", "$ref"}) | _SUBSCHEMA | _SUBSCHEMA_LIST | {"properties"}
# Where a schema `true` (anything) may appear in what pydantic writes.
_TRUE_ALLOWED: Final = frozenset({"items", "additionalProperties"})


def map_subschemas(key: str, value: Any, fn: Callable[[Any], Any]) -> Any:
    """`value` (of keyword `key`) with `fn` applied to each schema in it; other values unchanged."""
    if key in _SUBSCHEMA:
        return fn(value)
    if key in _SUBSCHEMA_LIST:
        return [fn(item) for item in value]
    if key in _SUBSCHEMA_MAP:
        return {name: fn(item) for name, item in value.items()}
    return value


def subschemas(node: dict[str, Any]) -> Iterator[Any]:
    """The schemas directly inside `node`."""
    for key, value in node.items():
        if key in _SUBSCHEMA:
            yield value
        elif key in _SUBSCHEMA_LIST:
            yield from value
        elif key in _SUBSCHEMA_MAP:
            yield from value.values()


def strict_friendly(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with untyped values made JSON value unions and null alternatives made type arrays."""

    def visit(node: Any, key: str | None) -> Any:
        if node is True and key in _TRUE_ALLOWED:
            return {"type": list(JSON_VALUE_TYPES)}
        if not isinstance(node, dict):
            return node
        out = {name: map_subschemas(name, value, _bind(visit, name)) for name, value in node.items()}
        if key is not None and not _CONSTRAINING & out.keys():
            out["type"] = list(JSON_VALUE_TYPES)
        options = out.get("anyOf")
        if options and _NULL in options:
            out = _merge_null(out)
        return out

    result: dict[str, Any] = visit(schema, None)
    return result


def _bind(visit: Callable[[Any, str | None], Any], key: str) -> Callable[[Any], Any]:
    return lambda child: visit(child, key)


def nullable_defaults(schema: dict[str, Any], names: list[str]) -> None:
    """Let the properties `names` (parameters with defaults) accept null, in place."""
    properties = schema["properties"]
    for name in names:
        properties[name] = _with_null(properties[name])


def _merge_null(node: dict[str, Any]) -> dict[str, Any]:
    """`{"anyOf": [X, {"type": "null"}], ...}` as X accepting null, without anyOf where X allows it."""
    rest = [option for option in node["anyOf"] if option != _NULL]
    annotations = {key: value for key, value in node.items() if key != "anyOf"}
    if len(rest) == 1 and _can_take_null(rest[0]):
        return _with_null({**rest[0], **annotations})
    if rest and all(option.keys() == {"type"} for option in rest):  # int | str | None
        types = [t for option in rest for t in _types(option)]
        return {**annotations, "type": [*dict.fromkeys(types), "null"]}
    return node


def _can_take_null(node: Any) -> bool:
    # A $ref (a recursive model) or a nested union cannot gain null by itself.
    return isinstance(node, dict) and ("type" in node or "enum" in node or "const" in node)


def _with_null(node: dict[str, Any]) -> dict[str, Any]:
    """`node` accepting null too: in its type array, its enum, or else as an anyOf alternative."""
    if not _can_take_null(node):
        options = node.get("anyOf")
        if options is not None:
            return node if _NULL in options else {**node, "anyOf": [*options, _NULL]}
        annotations = {key: value for key, value in node.items() if key in ("description", "default")}
        ref = {key: value for key, value in node.items() if key not in annotations}
        return {**annotations, "anyOf": [ref, _NULL]}
    out = dict(node)
    if "const" in out:
        out["enum"] = [out.pop("const")]
    if "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    if "type" in out and "null" not in _types(out):
        out["type"] = [*_types(out), "null"]
    return out


def _types(node: dict[str, Any]) -> list[str]:
    value = node["type"]
    return list(value) if isinstance(value, list) else [value]
