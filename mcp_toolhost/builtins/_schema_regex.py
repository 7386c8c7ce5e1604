"""JSON Schema keywords that match regular expressions, matched with RE2 (see `_regex.py`).

The schema given to `json_validate` is the model's, and Python's `re` could backtrack for
hours on one of its patterns. jsonschema lets any keyword be replaced
(`validators.extend`); these replace every keyword that runs a schema's regular
expression: `pattern`, `patternProperties`, and the two that ask which properties
`patternProperties` covers, `additionalProperties` and `unevaluatedProperties`. The
results and messages are jsonschema's own; the last follows jsonschema's walk for the
properties a schema evaluates (`_utils.find_evaluated_property_keys_by_schema`), with
RE2. A pattern RE2 cannot take is a ToolError.

Imported on first use of `json_validate`: it loads jsonschema.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import jsonschema
import jsonschema.validators
from jsonschema.exceptions import ValidationError

from ._regex import Regex, compile_regex

__all__ = ["with_linear_patterns"]


def with_linear_patterns(validator_class: Any) -> Any:
    """`validator_class` with its regular-expression keywords replaced by the RE2 ones here."""
    keywords = {
        "pattern": _pattern,
        "patternProperties": _pattern_properties,
        "additionalProperties": _additional_properties,
        "unevaluatedProperties": _unevaluated_properties,
    }
    if validator_class is not jsonschema.Draft202012Validator:
        # Draft 2019-09's unevaluatedProperties also follows $recursiveRef: left as jsonschema has it.
        del keywords["unevaluatedProperties"]
    present = {name: check for name, check in keywords.items() if name in validator_class.VALIDATORS}
    return jsonschema.validators.extend(validator_class, present)  # type: ignore[no-untyped-call]


@functools.lru_cache(maxsize=256)
def _compiled(regex: str) -> Regex:
    return compile_regex(regex, "schema pattern")


def _matches(regex: str, text: str) -> bool:
    return _compiled(regex).search(text) is not None


def _pattern(validator: Any, regex: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not _matches(regex, instance):
        yield ValidationError(f"{instance!r} does not match {regex!r}")


def _pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for regex, subschema in patterns.items():
        for key, value in instance.items():
            if _matches(regex, key):
                yield from validator.descend(value, subschema, path=key, schema_path=regex)


def _additional_properties(validator: Any, extra: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    named, patterns = schema.get("properties", {}), schema.get("patternProperties", {})
    extras = sorted(
        (key for key in instance if key not in named and not any(_matches(regex, key) for regex in patterns)),
        key=str,
    )
    if validator.is_type(extra, "object"):
        for key in extras:
            yield from validator.descend(instance[key], extra, path=key)
    elif not extra and extras:
        shown = ", ".join(map(repr, extras))
        if patterns:
            verb = "does" if len(extras) == 1 else "do"
            regexes = ", ".join(map(repr, sorted(patterns)))
            yield ValidationError(f"{shown} {verb} not match any of the regexes: {regexes}")
        else:
            verb = "was" if len(extras) == 1 else "were"
            yield ValidationError(f"Additional properties are not allowed ({shown} {verb} unexpected)")


def _unevaluated_properties(validator: Any, unevaluated: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    evaluated = _evaluated_keys(validator, instance, schema)
    invalid = [
        key
        for key in instance
        if key not in evaluated and any(validator.descend(instance[key], unevaluated, path=key, schema_path=key))
    ]
    if not invalid:
        return
    if unevaluated is False:
        shown = ", ".join(map(repr, sorted(invalid, key=str)))
        verb = "was" if len(invalid) == 1 else "were"
        yield ValidationError(f"Unevaluated properties are not allowed ({shown} {verb} unexpected)")
    else:
        shown = ", ".join(map(repr, invalid))
        verb = "was" if len(invalid) == 1 else "were"
        yield ValidationError(
            f"Unevaluated properties are not valid under the given schema ({shown} {verb} unevaluated and invalid)"
        )


def _evaluated_keys(validator: Any, instance: dict[str, Any], schema: Any) -> set[str]:
    """The keys of `instance` that `schema` evaluates: properties, additionalProperties,
    unevaluatedProperties, patternProperties, and through $ref, $dynamicRef,
    dependentSchemas, allOf/oneOf/anyOf and if/then/else (the valid branches only)."""
    if validator.is_type(schema, "boolean"):
        return set()
    keys: set[str] = set()
    for keyword in ("$ref", "$dynamicRef"):
        if (reference := schema.get(keyword)) is not None:
            resolved = validator._resolver.lookup(reference)
            inner = validator.evolve(schema=resolved.contents, _resolver=resolved.resolver)
            keys |= _evaluated_keys(inner, instance, resolved.contents)
    properties = schema.get("properties")
    if validator.is_type(properties, "object"):
        keys |= properties.keys() & instance.keys()
    for keyword in ("additionalProperties", "unevaluatedProperties"):
        if (subschema := schema.get(keyword)) is not None:
            keys |= {key for key, value in instance.items() if _valid(validator.descend(value, subschema))}
    for regex in schema.get("patternProperties", {}):
        keys |= {key for key in instance if _matches(regex, key)}
    for key, subschema in schema.get("dependentSchemas", {}).items():
        if key in instance:
            keys |= _evaluated_keys(validator, instance, subschema)
    for keyword in ("allOf", "oneOf", "anyOf"):
        for subschema in schema.get(keyword, []):
            if _valid(validator.descend(instance, subschema)):
                keys |= _evaluated_keys(validator, instance, subschema)
    if "if" in schema:
        if validator.evolve(schema=schema["if"]).is_valid(instance):
            keys |= _evaluated_keys(validator, instance, schema["if"])
            if "then" in schema:
                keys |= _evaluated_keys(validator, instance, schema["then"])
        elif "else" in schema:
            keys |= _evaluated_keys(validator, instance, schema["else"])
    return keys


def _valid(errors: Iterator[ValidationError]) -> bool:
    return next(errors, None) is None
