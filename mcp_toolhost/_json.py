"""JSON in and out, for the wire and for the text of tool results: one codec, never surprised.

orjson is the fast path both ways. What it refuses takes a slow path here instead of
failing: text that is not valid Unicode (lone surrogates, as `os.listdir` returns for
undecodable file names, or as JavaScript's `JSON.stringify` writes for a string cut in
the middle of an emoji) gets U+FFFD, integers past 64 bits are kept exact both ways
(orjson would read them as floats, silently rounded), numbers past a double's range are
refused rather than read as infinity, values
nested deeper than orjson writes (255 levels) are written all the same, and values
JSON has no type for are written the way pydantic would (models, dates), else as `str`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import orjson

__all__ = ["JSONDecodeError", "Verbatim", "dumps", "loads", "valid_unicode"]


class Verbatim(str):
    """Text `dumps` writes exactly, lone surrogates as the escapes they came in as, not as U+FFFD.

    For what a client chose and must get back unchanged: its request ids and progress tokens.
    """


_SHAPES = bytes(
    ord("0") if chr(byte) in "0123456789" else ord("e") if chr(byte) in "eE" else byte if chr(byte) == "+" else ord("x")
    for byte in range(256)
)
"""Text reduced to the shape of its numbers, where `_INEXACT` is found by plain substring search:
over twice as fast as a regular expression, on every message received."""
_INEXACT = (b"0" * 19, b"0e000", b"0e+000")
"""Where orjson may read a number wrongly: an integer past 64 bits (or a long mantissa), a large exponent."""


class JSONDecodeError(ValueError):
    """The text is not one JSON document (or uses NaN, Infinity, or invalid UTF-8, or nests too deeply)."""


def loads(data: bytes | str, clean: Callable[[Any], Any] | None = None) -> Any:
    """Parse one JSON document as UTF-8, rejecting what JSON forbids (NaN, Infinity).

    A document holding escaped lone surrogates ("\\ud800"), which the JSON grammar allows
    and orjson refuses, is passed through `clean` (default: `valid_unicode`).
    """
    error: ValueError | None = None
    shape = (data.encode(errors="surrogatepass") if isinstance(data, str) else data).translate(_SHAPES)
    if not (_INEXACT[0] in shape or _INEXACT[1] in shape or _INEXACT[2] in shape):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            error = exc
    try:
        value = json.loads(data, parse_constant=_refuse_constant, parse_float=_finite, parse_int=_integer)
        return (clean or valid_unicode)(value)
    except RecursionError:
        # orjson stops at 1,024 levels, the standard parser at Python's recursion limit
        # (1,000 less the stack in use); neither may take the server down.
        raise JSONDecodeError("JSON nested too deeply (over about 1,000 levels); send flatter data") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise JSONDecodeError(str(error or exc)) from None


def dumps(value: Any) -> bytes:
    """Serialize `value` compactly. Never raises.

    orjson escapes control characters, so the result never holds a newline.
    """
    try:
        return orjson.dumps(value, default=_jsonable)
    except TypeError:
        return _dumps_slowly(value)


def valid_unicode(value: Any) -> Any:
    """Replace each lone surrogate in `value`'s text (keys too) by U+FFFD.

    In place, for what a parser just returned; with a stack, not recursion, so no depth
    is too deep. Returns `value` (a new string if `value` is one).
    """
    if isinstance(value, str):
        return _valid_text(value)
    todo = [value]
    while todo:
        container = todo.pop()
        if isinstance(container, list):
            for index, item in enumerate(container):
                if isinstance(item, str):
                    container[index] = _valid_text(item)
                elif isinstance(item, list | dict):
                    todo.append(item)
        elif isinstance(container, dict):
            entries = list(container.items())
            container.clear()
            for key, item in entries:
                container[_valid_text(key)] = _valid_text(item) if isinstance(item, str) else item
                if isinstance(item, list | dict):
                    todo.append(item)
    return value


def _valid_text(text: str) -> str:
    # Through UTF-16, valid surrogate pairs become their code point and the rest U+FFFD.
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


class _Literal(bytes):
    """Bytes `_dumps_slowly` writes as they are (punctuation), not a value to encode."""


def _dumps_slowly(value: Any) -> bytes:
    """Encode what orjson refuses, with a stack instead of recursion: no depth is too deep."""
    out = bytearray()
    todo: list[Any] = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, _Literal):
            out += item
        elif isinstance(item, Verbatim):
            out += json.dumps(item).encode()
        elif isinstance(item, str):
            out += orjson.dumps(_valid_text(item))
        elif item is None or isinstance(item, bool):
            out += orjson.dumps(item)
        elif isinstance(item, int):
            out += str(int(item)).encode()  # exact, past 64 bits too
        elif isinstance(item, float):
            out += orjson.dumps(float(item) if math.isfinite(item) else None)  # JSON has no NaN or Infinity
        elif isinstance(item, dict):
            out += b"{"
            todo.append(_Literal(b"}"))
            for position, (key, member) in zip(range(len(item) - 1, -1, -1), reversed(item.items()), strict=True):
                todo.append(member)
                todo.append(_Literal((b"," if position else b"") + orjson.dumps(_key(key)) + b":"))
        elif isinstance(item, list | tuple):
            out += b"["
            todo.append(_Literal(b"]"))
            for position in range(len(item) - 1, -1, -1):
                todo.append(item[position])
                if position:
                    todo.append(_Literal(b","))
        else:
            todo.append(_jsonable(item))
    return bytes(out)


def _key(key: Any) -> str:
    """An object key as the standard library writes it: true, false, null, numbers as text."""
    if key is None or isinstance(key, bool):
        return json.dumps(key)
    return _valid_text(str(key))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"the number {text[:40]} is beyond the range of a 64-bit float")
    return number


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # past sys.get_int_max_str_digits()
        raise ValueError(f"an integer of {len(text)} digits is too long to read; send it as a string") from None


def _jsonable(value: Any) -> Any:
    import pydantic_core

    try:
        return pydantic_core.to_jsonable_python(value, fallback=str)
    except Exception:  # bytes that are not UTF-8, a model that fails to serialize
        return str(value)
