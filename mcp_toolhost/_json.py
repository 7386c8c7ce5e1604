"""JSON in and out, for the wire and for the text of tool results: one codec, never surprised.

orjson is the fast path both ways. What it refuses takes a slow path here instead of
failing: text that is not valid Unicode (lone surrogates, as `os.listdir` returns for
undecodable file names, or as JavaScript's `JSON.stringify` writes for a string cut in
the middle of an emoji) gets U+FFFD, integers past 64 bits are kept exact, and values
JSON has no type for are written the way pydantic would (models, dates), else as `str`.
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson

__all__ = ["JSONDecodeError", "dumps", "loads"]


class JSONDecodeError(ValueError):
    """The text is not one JSON document (or uses NaN, Infinity, or invalid UTF-8)."""


def loads(data: bytes | str) -> Any:
    """Parse one JSON document as UTF-8, rejecting what JSON forbids (NaN, Infinity)."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        error = exc
    # orjson also refuses escaped lone surrogates ("\ud800"), which the JSON grammar allows.
    try:
        value = json.loads(data, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError):
        raise JSONDecodeError(str(error)) from None
    return _without_lone_surrogates(value)


def dumps(value: Any) -> bytes:
    """Serialize `value` compactly. Never raises.

    orjson escapes control characters, so the result never holds a newline.
    """
    try:
        return orjson.dumps(value)
    except TypeError:
        clean = _without_lone_surrogates(value)
    try:
        return orjson.dumps(clean, default=_jsonable)
    except TypeError:
        return json.dumps(clean, ensure_ascii=False, separators=(",", ":"), default=_jsonable).encode()


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _jsonable(value: Any) -> Any:
    import pydantic_core

    return _without_lone_surrogates(pydantic_core.to_jsonable_python(value, fallback=str))


def _without_lone_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        # Through UTF-16, valid surrogate pairs become their code point and the rest U+FFFD.
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, float) and not math.isfinite(value):
        return None  # as orjson writes it: JSON has no NaN or Infinity
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_without_lone_surrogates(item) for item in value]
    return value
