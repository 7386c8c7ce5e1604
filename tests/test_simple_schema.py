"""The pydantic-free fast path (`_tools/simple_schema.py`) builds what the pydantic path builds.

Every check compares the two paths on the same function: schemas key for key (and in
the same key order), and validation and serialization outcome for outcome.
"""

from __future__ import annotations

import datetime
import enum
import functools
import json
import math
import subprocess
import sys
import textwrap
import typing
import warnings
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

import pytest
from pydantic import BaseModel, Field

from mcp_toolhost._tools.content import Content, Image
from mcp_toolhost._tools.context import Context
from mcp_toolhost._tools.schema import function_schema
from mcp_toolhost._tools.signature import FunctionSchema
from mcp_toolhost._tools.simple_schema import simple_function_schema
from mcp_toolhost._tools.tool import Tool
from mcp_toolhost.errors import ArgumentsError, ConfigError

OPTIONS: dict[str, Any] = {"context_type": Context, "unstructured_types": (Content,)}

# --- Simple signatures: the fast path serves them ------------------------------------


async def echo(text: str) -> str:
    return text


def sleep(seconds: float) -> str:
    return "ok"


def add(a: int, b: int = 0) -> int:
    return a + b


def toggle(on: bool = False, strict: bool = True) -> bool:
    return not on


def store(value, note: str = "") -> None:  # type: ignore[no-untyped-def]  # no annotation on purpose
    """Store a value.

    Args:
        value: Anything at all.
        note: Why it is kept.
    """


def find(city: Optional[str] = None, limit: int | None = None, near: float | None = 2.5) -> int | None:  # noqa: UP045
    """Find places.

    Args:
        city: Where to look.
        near: Radius, or null for anywhere.
    """
    return None


def tag(label: str | None, weight: float | None) -> list[str]:
    return []


def batch(items: list[str], weights: list[float] | None = None, flags: list[bool | None] | None = None) -> list[int]:
    return []


def nested(matrix: list[list[int]], by_name: dict[str, list[float | None]]) -> dict[str, list[float | None]]:
    return by_name


def scores(points: dict[str, int], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {}


def loose(items: list, options: dict = None, raw: Any = None) -> dict:  # type: ignore[type-arg, assignment]  # noqa: RUF013
    return {}


def legacy(
    items: typing.List[int],  # noqa: UP006
    table: typing.Dict[str, str],  # noqa: UP006
    bare: typing.Dict | None = None,  # type: ignore[type-arg]  # noqa: UP006
) -> typing.List:  # type: ignore[type-arg]  # noqa: UP006
    return []


def anything(value: Any | None, other: Optional[Any] = None, more: Any = 3) -> Any:  # noqa: UP045
    return value


def defaults(
    ratio: float = 1,
    big: int = 10**20,
    neg: float = -0.5,
    text: str = "",
    yes: bool = True,
    huge: float = math.inf,
) -> list[Any]:
    return []


def mismatched(count: int = "many", ratio: float = None, names: list[str] = None) -> float:  # type: ignore[assignment]  # noqa: RUF013
    """Defaults that do not match their type go to the schema as they are, unvalidated."""
    return 0.0


def search(query: str, ctx: Context, limit: int = 10) -> list[str]:
    return []


async def progress(ctx: Context | None = None, steps: int = 1) -> bool:
    return True


def greet(name: str, punctuation: str = "!", shout: bool | None = None) -> str:
    """Say hello.

    Args:
        name: Who to greet.
        punctuation: What ends the greeting.
        shout: Upper-case it, or null for the default.
    """
    return name


def nothing() -> int:
    return 0


def maybe_list() -> list[str] | None:
    return None


def maybe_map() -> dict[str, int] | None:
    return None


def picture(path: str) -> Image:
    return Image(b"")


def unannotated_return(x: int):  # type: ignore[no-untyped-def]
    return x


def scale(factor: int, value: float, unit: str = "m") -> float:
    """Scale.

    Args:
        value: The value to scale.
    """
    return factor * value


class Service:
    def lookup(self, key: str, fresh: bool = False) -> dict[str, str]:
        return {}


class Adder:
    def __call__(self, a: int, b: int = 1) -> int:
        return a + b


SIMPLE: list[tuple[Callable[..., Any], dict[str, Any]]] = [
    (echo, {}),
    (sleep, {}),
    (add, {}),
    (toggle, {}),
    (store, {}),
    (find, {}),
    (tag, {}),
    (batch, {}),
    (nested, {}),
    (scores, {}),
    (loose, {}),
    (legacy, {}),
    (anything, {}),
    (defaults, {}),
    (mismatched, {}),
    (search, {}),
    (progress, {}),
    (greet, {}),
    (greet, {"param_descriptions": {"name": "Given.", "shout": ""}}),
    (nothing, {}),
    (maybe_list, {}),
    (maybe_map, {}),
    (picture, {}),
    (unannotated_return, {}),
    (functools.partial(scale, 3), {}),
    (Service().lookup, {}),
    (Adder(), {}),
]


def _id(case: tuple[Callable[..., Any], dict[str, Any]]) -> str:
    fn, options = case
    name = getattr(fn, "__name__", None) or getattr(getattr(fn, "func", None), "__name__", type(fn).__name__)
    return f"{name}-{'+'.join(options) or 'docstring'}"


# Values a client might send, each as JSON would bring it; nan and inf as some encoders do.
VALUES: list[Any] = [
    "hi",
    "5",
    "5.5",
    "true",
    "",
    5,
    0,
    -3,
    5.0,
    5.5,
    True,
    False,
    None,
    math.inf,
    math.nan,
    [],
    [1, "2", 3.0],
    [1, "x", None],
    ["a", "b"],
    [[1, 2], ["3"], [4.5]],
    [[1], "x"],
    {},
    {"a": 1, "b": "2"},
    {"a": "x"},
    {"a": [1.5, None], "b": ["x"]},
]


def argument_cases(fn: Callable[..., Any], schema: FunctionSchema) -> list[dict[str, Any]]:
    """Missing arguments, each argument set to each value, all at once, and unknown keys."""
    names = list(schema.input_schema["properties"])
    cases: list[dict[str, Any]] = [{}, {"unknown": 1}]
    cases += [{name: value} for name in names for value in VALUES]
    cases += [dict.fromkeys(names, value) for value in VALUES]
    cases += [{**dict.fromkeys(names, value), "zzz": value} for value in VALUES[:6]]
    if schema.context_parameter is not None:
        cases.append({schema.context_parameter: {}})
    return cases


def outcome(call: Callable[[], Any]) -> str:
    """What a call gave, raised and warned, as one string: repr tells 5 from 5.0 and True."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = f"returned {call()!r}"
        except ArgumentsError as exc:
            result = f"ArgumentsError {exc.errors!r}"
        except Exception as exc:
            result = f"{type(exc).__name__} {exc}"
    return result + "".join(f"\nwarned {warning.message}" for warning in caught)


def both(fn: Callable[..., Any], options: dict[str, Any]) -> tuple[FunctionSchema, FunctionSchema]:
    fast = simple_function_schema(fn, **OPTIONS, **options)
    assert fast is not None, f"{fn} should be served by the fast path"
    return fast, function_schema(fn, **OPTIONS, **options)


@pytest.mark.parametrize("case", SIMPLE, ids=_id)
def test_fast_path_schemas_equal_the_pydantic_paths_key_for_key(
    case: tuple[Callable[..., Any], dict[str, Any]],
) -> None:
    fast, slow = both(*case)
    assert fast.input_schema == slow.input_schema
    assert fast.output_schema == slow.output_schema
    # The same key order too, so tools/list reads byte for byte the same.
    assert json.dumps(fast.input_schema) == json.dumps(slow.input_schema)
    assert json.dumps(fast.output_schema) == json.dumps(slow.output_schema)
    assert (fast.wraps_result, fast.context_parameter) == (slow.wraps_result, slow.context_parameter)


@pytest.mark.parametrize("case", SIMPLE, ids=_id)
def test_fast_path_validates_like_the_pydantic_path(case: tuple[Callable[..., Any], dict[str, Any]]) -> None:
    fast, slow = both(*case)
    cases = argument_cases(case[0], slow)
    assert len(cases) > 2
    for arguments in cases:
        seen = outcome(functools.partial(fast.validate_arguments, arguments))
        expected = outcome(functools.partial(slow.validate_arguments, arguments))
        assert seen == expected, f"arguments {arguments!r}"


@pytest.mark.parametrize("case", SIMPLE, ids=_id)
def test_fast_path_serializes_like_the_pydantic_path(case: tuple[Callable[..., Any], dict[str, Any]]) -> None:
    fast, slow = both(*case)
    for value in [*VALUES, object(), datetime.date(2024, 1, 2), (1, 2), {"a": object()}]:
        seen = outcome(functools.partial(fast.serialize_output, value))
        expected = outcome(functools.partial(slow.serialize_output, value))
        assert seen == expected, f"value {value!r}"


def test_fast_path_examples_read_as_expected() -> None:
    """A few outcomes spelled out, so the comparison above is not comparing two wrongs."""
    fast, _ = both(add, {})
    assert fast.input_schema == {
        "additionalProperties": False,
        "properties": {"a": {"type": "integer"}, "b": {"default": 0, "type": ["integer", "null"]}},
        "required": ["a"],
        "type": "object",
    }
    assert fast.output_schema == {
        "type": "object",
        "properties": {"result": {"type": "integer"}},
        "required": ["result"],
    }
    assert fast.validate_arguments({"a": "5", "b": 5.0}) == {"a": 5, "b": 5}
    with pytest.raises(ArgumentsError) as caught:
        fast.validate_arguments({"a": 5.5, "c": 1})
    assert caught.value.errors == [
        {"path": "a", "message": "Input should be a valid integer, got a number with a fractional part"},
        {"path": "c", "message": "Unexpected argument"},
    ]
    assert fast.serialize_output(3) == {"result": 3}
    assert fast.validate_arguments({"a": 1, "b": None}) == {"a": 1, "b": 0}  # null stands for the default

    fast, _ = both(find, {})
    city = {"default": None, "description": "Where to look.", "type": ["string", "null"]}
    assert fast.input_schema["properties"]["city"] == city
    assert fast.validate_arguments({"city": None}) == {"city": None, "limit": None, "near": 2.5}

    fast, _ = both(search, {})
    assert fast.context_parameter == "ctx"
    assert list(fast.input_schema["properties"]) == ["query", "limit"]

    def loose(items: list, table: dict[str, Any]) -> dict:  # type: ignore[type-arg]
        return table

    fast, _ = both(loose, {})
    value = {"type": ["string", "number", "boolean", "object", "array", "null"]}
    assert fast.input_schema["properties"] == {
        "items": {"items": value, "type": "array"},
        "table": {"additionalProperties": value, "type": "object"},
    }
    assert fast.output_schema == {"additionalProperties": value, "type": "object"}


# --- Everything else: the fast path declines ------------------------------------------


class Color(enum.Enum):
    RED = "red"


class Point(BaseModel):
    x: int


class Level(int):
    """An int subclass: its default is not one pydantic copies as it is."""


@pytest.mark.parametrize(
    "annotation",
    [
        Annotated[int, Field(ge=0)],
        Annotated[str, "meta"],
        Literal["a", "b"],
        str | int,
        int | str | None,
        tuple[int, ...],
        set[str],
        frozenset[int],
        dict[int, str],
        list[Point],
        dict[str, Color],
        Point,
        Color,
        datetime.date,
        Path,
        bytes,
        Decimal,
        type(None),
        Level,
        typing.Sequence[int],
    ],
)
def test_parameter_types_outside_the_subset_fall_back(annotation: Any) -> None:
    def tool(fine: int, other: Any) -> None: ...

    tool.__annotations__["other"] = annotation
    assert simple_function_schema(tool, **OPTIONS) is None


@pytest.mark.parametrize("default", [[], {}, (), Level(2), Color.RED, object(), b"x", Decimal("1")])
def test_defaults_outside_the_subset_fall_back(default: Any) -> None:
    def tool(value: Any = default) -> None: ...

    assert simple_function_schema(tool, **OPTIONS) is None


@pytest.mark.parametrize(
    "annotation",
    [Point, datetime.date, tuple[int, str], set[int], Literal["yes"], int | str, dict[int, int], list[Point], Color],
)
def test_return_types_outside_the_subset_fall_back(annotation: Any) -> None:
    def tool() -> None: ...

    tool.__annotations__["return"] = annotation
    assert simple_function_schema(tool, **OPTIONS) is None


def test_tool_falls_back_to_pydantic_outside_the_subset() -> None:
    def order(kind: Literal["tea", "coffee"], sugar: int = 0) -> Point:
        return Point(x=sugar)

    tool = Tool(order)
    assert tool.schema.input_schema == function_schema(order, **OPTIONS).input_schema
    assert tool.schema.output_schema is not None and tool.schema.output_schema["type"] == "object"


def spread(*values: int) -> None: ...


def positional(a: int, /) -> None: ...


def two_contexts(a: Context, b: Context) -> None: ...


@pytest.mark.parametrize("fn", [spread, positional, two_contexts])
def test_functions_that_cannot_be_tools_raise_the_same_config_error(fn: Callable[..., Any]) -> None:
    with pytest.raises(ConfigError) as fast:
        simple_function_schema(fn, **OPTIONS)
    with pytest.raises(ConfigError) as slow:
        function_schema(fn, **OPTIONS)
    assert str(fast.value) == str(slow.value)


# --- The point of it all: no pydantic ---------------------------------------------------


def test_serving_simple_tools_never_imports_pydantic() -> None:
    code = textwrap.dedent(
        """
        import sys
        from mcp_toolhost._tools.tool import Tool

        async def echo(text: str) -> str:
            return text

        def add(a: int, b: int = 0) -> int:
            return a + b

        for fn, arguments in ((echo, {"text": "hi"}), (add, {"a": "2"})):
            tool = Tool(fn)
            tool.prepare()
            tool.bind(arguments, None)
        Tool(add).schema.serialize_output(3)
        print(sorted(name for name in sys.modules if name == "pydantic" or name.startswith("pydantic.")))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", f"pydantic modules imported: {done.stdout}"
