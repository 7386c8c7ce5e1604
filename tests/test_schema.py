"""Schemas and argument validation built from typed functions.

Covers the pydantic path (`_tools/schema.py`), what it shares with the fast path
(`_tools/signature.py`) and docstring parsing (`_tools/docstrings.py`); the fast path
itself is compared against this one in test_simple_schema.py.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import functools
import json
import sys
import textwrap
import types
import typing
import uuid
import warnings
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, NotRequired, Optional

import jsonschema
import pytest
from pydantic import BaseModel, Field
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from mcp_toolhost._tools import schema as schema_module
from mcp_toolhost._tools.content import Content, Image, Text
from mcp_toolhost._tools.context import Context
from mcp_toolhost._tools.docstrings import parse_docstring
from mcp_toolhost._tools.schema import function_schema
from mcp_toolhost._tools.signature import FunctionSchema
from mcp_toolhost.errors import ArgumentsError, ConfigError

# --- Types used by the tool functions below ------------------------------------------


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Address(BaseModel):
    """A postal address."""

    street: str
    city: str = "Paris"


class Person(BaseModel):
    name: str
    address: Address
    nickname: str | None = None


class TreeNode(BaseModel):
    label: str
    children: list[TreeNode] = []


@dataclasses.dataclass
class Point:
    x: int
    y: int = 0


class Movie(TypedDict):
    title: str
    year: int
    rating: NotRequired[float]


class PartialMovie(TypedDict, total=False):
    title: str


class Cat(BaseModel):
    kind: Literal["cat"]
    lives: int


class Dog(BaseModel):
    kind: Literal["dog"]
    good: bool


class Opaque:
    """A class pydantic knows nothing about."""


# --- Helpers -------------------------------------------------------------------------


def build(fn: Callable[..., Any], **options: Any) -> FunctionSchema:
    """function_schema, checking that every schema it emits is valid and strict-client friendly."""
    result = function_schema(fn, **options)
    for emitted in (result.input_schema, result.output_schema):
        if emitted is None:
            continue
        jsonschema.Draft202012Validator.check_schema(emitted)
        keywords = set(_keywords(emitted))
        assert "title" not in keywords, emitted
        assert "discriminator" not in keywords, emitted
        if "$defs" not in emitted:
            assert "$ref" not in keywords, emitted
    return result


def _keywords(schema: Any) -> list[str]:
    """Every keyword used anywhere in a schema (property names are not keywords)."""
    if not isinstance(schema, dict):
        return []
    found = list(schema)
    for key, value in schema.items():
        if key in ("properties", "$defs", "patternProperties"):
            for sub in value.values():
                found += _keywords(sub)
        elif key in ("anyOf", "oneOf", "allOf", "prefixItems"):
            for sub in value:
                found += _keywords(sub)
        elif key in ("items", "additionalProperties", "not"):
            found += _keywords(value)
    return found


def problems(result: FunctionSchema, arguments: dict[str, Any]) -> list[dict[str, str]]:
    with pytest.raises(ArgumentsError) as caught:
        result.validate_arguments(arguments)
    return caught.value.errors


def structured(result: FunctionSchema, value: Any) -> Any:
    """serialize_output, checked against the output schema a client would validate it with."""
    assert result.output_schema is not None
    data = result.serialize_output(value)
    jsonschema.Draft202012Validator(result.output_schema).validate(data)
    return data


def returning(annotation: Any) -> Callable[[], Any]:
    def tool() -> None: ...

    tool.__annotations__["return"] = annotation
    return tool


# --- Docstrings ----------------------------------------------------------------------


def test_docstring_google_style_gives_description_and_parameters() -> None:
    doc = """Search the catalogue.

    Looks titles up by keyword.

    Args:
        query (str): Words to look for,
            matched case-insensitively.
        limit: At most this many results.
        mapping (dict(str, int)): Weights: per field.

    Returns:
        The matching titles.
    """
    description, params = parse_docstring(doc)
    assert description == "Search the catalogue.\n\nLooks titles up by keyword."
    assert params == {
        "query": "Words to look for, matched case-insensitively.",
        "limit": "At most this many results.",
        "mapping": "Weights: per field.",
    }


def test_docstring_google_arguments_and_parameters_headings_are_both_read() -> None:
    assert parse_docstring("Do.\n\nArguments:\n    a: First.\n")[1] == {"a": "First."}
    assert parse_docstring("Do.\n\nParameters:\n    b (int): Second.\n")[1] == {"b": "Second."}


def test_docstring_description_stops_at_any_section() -> None:
    assert parse_docstring("Add numbers.\n\nExamples:\n    >>> add(1, 2)\n")[0] == "Add numbers."
    assert parse_docstring("Add numbers.\n\nRaises:\n    ValueError: never.\n") == ("Add numbers.", {})


def test_docstring_numpy_style() -> None:
    doc = """
    Scale a vector.

    Parameters
    ----------
    vector : list of float
        The values,
        in order.
    x, y : int
        Offsets.

    Returns
    -------
    list of float
    """
    description, params = parse_docstring(doc)
    assert description == "Scale a vector."
    assert params == {"vector": "The values, in order.", "x": "Offsets.", "y": "Offsets."}


def test_docstring_sphinx_style_with_and_without_types() -> None:
    doc = """Fetch a page; see :class:`Page` for what comes back.

    :param url: The address
        to fetch.
    :param int timeout: Seconds to wait.
    :type url: str
    :returns: The page.
    """
    description, params = parse_docstring(doc)
    assert description == "Fetch a page; see :class:`Page` for what comes back."
    assert params == {"url": "The address to fetch.", "timeout": "Seconds to wait."}


def test_docstring_missing_or_plain() -> None:
    assert parse_docstring(None) == ("", {})
    assert parse_docstring("") == ("", {})
    assert parse_docstring("  Just one line.  ") == ("Just one line.", {})
    assert parse_docstring("First.\n\n    Indented second paragraph.\n") == (
        "First.\n\nIndented second paragraph.",
        {},
    )


# --- Input schema --------------------------------------------------------------------


def test_input_schema_is_a_closed_object_with_required_parameters() -> None:
    def echo(text: str, times: int = 1) -> str:
        return text * times

    assert build(echo).input_schema == {
        "type": "object",
        # null stands for the default: strict clients make every parameter required.
        "properties": {"text": {"type": "string"}, "times": {"type": ["integer", "null"], "default": 1}},
        "required": ["text"],
        "additionalProperties": False,
    }


def test_input_schema_omits_required_when_nothing_is_required() -> None:
    def ping() -> None: ...

    def page(number: int = 1) -> None: ...

    assert build(ping).input_schema == {"type": "object", "properties": {}, "additionalProperties": False}
    assert "required" not in build(page).input_schema


def test_field_description_and_constraints_appear_in_schema() -> None:
    def take(count: Annotated[int, Field(description="How many.", ge=0, le=10)] = 2) -> None: ...

    assert build(take).input_schema["properties"]["count"] == {
        "type": ["integer", "null"],
        "description": "How many.",
        "minimum": 0,
        "maximum": 10,
        "default": 2,
    }


def test_parameter_descriptions_come_from_the_docstring() -> None:
    def greet(name: str, punctuation: str = "!") -> str:
        """Say hello.

        Args:
            name: Who to greet.
            punctuation: What ends the greeting.
        """
        return f"Hello {name}{punctuation}"

    properties = build(greet).input_schema["properties"]
    assert properties["name"]["description"] == "Who to greet."
    assert properties["punctuation"]["description"] == "What ends the greeting."


def test_given_param_descriptions_replace_the_docstring_and_field_descriptions_win() -> None:
    def greet(name: str, age: Annotated[int, Field(description="From Field.")]) -> None:
        """Args:
        name: From the docstring.
        """

    properties = build(greet, param_descriptions={"name": "Given.", "age": "Ignored."}).input_schema["properties"]
    assert properties["name"]["description"] == "Given."
    assert properties["age"]["description"] == "From Field."


def test_optional_with_none_default_is_nullable_in_a_type_array() -> None:
    # Both spellings on purpose: typing.Optional is a typing.Union, `X | None` a types.UnionType.
    def find(city: Optional[str] = None, limit: int | None = None, home: Address | None = None) -> None: ...  # noqa: UP045

    result = build(find)
    assert result.input_schema["properties"]["city"] == {"type": ["string", "null"], "default": None}
    assert result.input_schema["properties"]["limit"] == {"type": ["integer", "null"], "default": None}
    assert result.input_schema["properties"]["home"]["type"] == ["object", "null"]
    assert "required" not in result.input_schema
    assert result.validate_arguments({"city": None, "limit": None}) == {"city": None, "limit": None, "home": None}


def test_null_for_a_parameter_whose_type_excludes_none_means_its_default() -> None:
    def page(number: int = 1, size: int | None = 20, sort: Literal["asc", "desc"] = "asc") -> None: ...

    result = build(page)
    assert result.input_schema["properties"]["sort"] == {
        "enum": ["asc", "desc", None],
        "type": ["string", "null"],
        "default": "asc",
    }
    assert result.validate_arguments({"number": None, "size": None, "sort": None}) == {
        "number": 1,
        "size": None,
        "sort": "asc",
    }
    assert result.validate_arguments({"number": 3}) == {"number": 3, "size": 20, "sort": "asc"}


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        (Literal["a", "b"] | None, {"enum": ["a", "b", None], "type": ["string", "null"]}),
        (Literal["only"] | None, {"enum": ["only", None], "type": ["string", "null"]}),
        (Color | None, {"enum": ["red", "blue", None], "type": ["string", "null"]}),
        (list[int] | None, {"items": {"type": "integer"}, "type": ["array", "null"]}),
        (dict[str, int] | None, {"additionalProperties": {"type": "integer"}, "type": ["object", "null"]}),
        (int | str | None, {"type": ["integer", "string", "null"]}),
        (Any | None, {"type": ["string", "number", "boolean", "object", "array", "null"]}),
    ],
)
def test_optional_of_any_type_is_a_type_array_without_any_of(annotation: Any, expected: dict[str, Any]) -> None:
    def tool(value: Any) -> None: ...

    tool.__annotations__["value"] = annotation
    assert build(tool).input_schema["properties"]["value"] == expected


def test_optional_model_parameter_keeps_its_fields_and_gains_null() -> None:
    def register(person: Person | None) -> None: ...

    person = build(register).input_schema["properties"]["person"]
    assert person["type"] == ["object", "null"] and person["required"] == ["name", "address"]
    assert "anyOf" not in json.dumps(person)


def test_required_optional_keeps_the_null_alternative() -> None:
    def tag(label: str | None) -> None: ...

    result = build(tag)
    assert result.input_schema["properties"]["label"] == {"type": ["string", "null"]}
    assert result.input_schema["required"] == ["label"]
    assert result.validate_arguments({"label": None}) == {"label": None}


def test_nested_models_are_inlined_without_titles() -> None:
    def register(person: Person, title: str = "Dr") -> None:
        """Args:
        person: Who to register.
        """

    properties = build(register).input_schema["properties"]
    assert properties["title"] == {"type": ["string", "null"], "default": "Dr"}  # a property named title stays
    person = properties["person"]
    assert person["description"] == "Who to register."  # the parameter's, not the model's docstring
    assert person["required"] == ["name", "address"]
    assert person["properties"]["address"]["properties"]["city"] == {"type": "string", "default": "Paris"}
    assert person["properties"]["address"]["description"] == "A postal address."
    assert person["properties"]["nickname"] == {"type": ["string", "null"], "default": None}


def test_recursive_model_keeps_defs_and_ref_at_the_root() -> None:
    def plant(tree: TreeNode, spare: TreeNode | None = None) -> None: ...

    schema = build(plant).input_schema
    assert schema["properties"]["tree"] == {"$ref": "#/$defs/TreeNode"}
    assert schema["properties"]["spare"] == {"anyOf": [{"$ref": "#/$defs/TreeNode"}, {"type": "null"}], "default": None}
    node = schema["$defs"]["TreeNode"]
    assert node["properties"]["children"]["items"] == {"$ref": "#/$defs/TreeNode"}
    jsonschema.Draft202012Validator(schema).validate({"tree": {"label": "a", "children": [{"label": "b"}]}})


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        (Literal["asc", "desc"], {"type": "string", "enum": ["asc", "desc"]}),
        (Literal["only"], {"type": "string", "const": "only"}),
        (Color, {"type": "string", "enum": ["red", "blue"]}),
        (list[int], {"type": "array", "items": {"type": "integer"}}),
        (set[str], {"type": "array", "items": {"type": "string"}, "uniqueItems": True}),
        (
            tuple[int, str],
            {
                "type": "array",
                "prefixItems": [{"type": "integer"}, {"type": "string"}],
                "minItems": 2,
                "maxItems": 2,
            },
        ),
        (tuple[int, ...], {"type": "array", "items": {"type": "integer"}}),
        (dict[str, float], {"type": "object", "additionalProperties": {"type": "number"}}),
        (datetime.datetime, {"type": "string", "format": "date-time"}),
        (datetime.date, {"type": "string", "format": "date"}),
        (datetime.time, {"type": "string", "format": "time"}),
        (uuid.UUID, {"type": "string", "format": "uuid"}),
        (Path, {"type": "string", "format": "path"}),
        (bytes, {"type": "string", "format": "binary"}),
        (Decimal, {"anyOf": [{"type": "number"}, {"type": "string"}]}),
        (
            Any,
            {"type": ["string", "number", "boolean", "object", "array", "null"]},
        ),  # the JSON value union, not an untyped {}
        # Dataclasses and TypedDicts have no config of their own: they take the arguments' closed one.
        (
            Point,
            {
                "type": "object",
                "properties": {"x": {"type": "integer"}, "y": {"type": "integer", "default": 0}},
                "required": ["x"],
                "additionalProperties": False,
            },
        ),
        (
            Movie,
            {
                "type": "object",
                "properties": {
                    "title": {"type": "string"},
                    "year": {"type": "integer"},
                    "rating": {"type": "number"},
                },
                "required": ["title", "year"],
                "additionalProperties": False,
            },
        ),
        (
            PartialMovie,
            {"type": "object", "properties": {"title": {"type": "string"}}, "additionalProperties": False},
        ),
    ],
)
def test_parameter_type_schemas(annotation: Any, expected: dict[str, Any]) -> None:
    def tool(value: Any) -> None: ...

    tool.__annotations__["value"] = annotation
    assert build(tool).input_schema["properties"]["value"] == expected


def test_discriminated_union_is_inlined_without_discriminator_keyword() -> None:
    def adopt(pet: Annotated[Cat | Dog, Field(discriminator="kind")]) -> None: ...

    result = build(adopt)
    options = result.input_schema["properties"]["pet"]["oneOf"]
    assert [option["properties"]["kind"]["const"] for option in options] == ["cat", "dog"]
    assert result.validate_arguments({"pet": {"kind": "dog", "good": "yes"}}) == {"pet": Dog(kind="dog", good=True)}


def test_unannotated_parameter_accepts_anything() -> None:
    def store(value, note: str = "") -> None: ...

    result = build(store)
    assert result.input_schema["properties"]["value"] == {
        "type": ["string", "number", "boolean", "object", "array", "null"]
    }
    assert result.validate_arguments({"value": [1, {"a": None}]}) == {"value": [1, {"a": None}], "note": ""}


def test_default_that_is_not_json_is_left_out_of_the_schema_quietly() -> None:
    marker = object()

    def tool(option: Any = marker, when: datetime.date = datetime.date(2024, 1, 2)) -> None: ...

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = build(tool)
    assert result.input_schema["properties"]["option"] == {
        "type": ["string", "number", "boolean", "object", "array", "null"]
    }
    assert result.input_schema["properties"]["when"]["default"] == "2024-01-02"
    assert result.validate_arguments({})["option"] is marker


# --- Validation ----------------------------------------------------------------------


def test_validation_coerces_json_values_to_the_annotated_types() -> None:
    def plan(
        day: datetime.date,
        at: datetime.datetime,
        person: Person,
        point: Point,
        folder: Path,
        ident: uuid.UUID,
        pair: tuple[int, str],
        color: Color,
        amount: Decimal,
    ) -> None: ...

    kwargs = build(plan).validate_arguments(
        {
            "day": "2024-01-01",
            "at": "2024-01-01T10:00:00Z",
            "person": {"name": "Ada", "address": {"street": "Main"}},
            "point": {"x": 1},
            "folder": "/tmp",
            "ident": "12345678-1234-5678-1234-567812345678",
            "pair": [1, "a"],
            "color": "red",
            "amount": "1.10",
        }
    )
    assert kwargs == {
        "day": datetime.date(2024, 1, 1),
        "at": datetime.datetime(2024, 1, 1, 10, tzinfo=datetime.UTC),
        "person": Person(name="Ada", address=Address(street="Main")),
        "point": Point(x=1),
        "folder": Path("/tmp"),
        "ident": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "pair": (1, "a"),
        "color": Color.RED,
        "amount": Decimal("1.10"),
    }


def test_validation_applies_defaults_with_fresh_mutable_copies() -> None:
    def tool(tags: list[str] = [], limit: int = 5) -> None: ...  # noqa: B006

    result = build(tool)
    first = result.validate_arguments({})
    assert first == {"tags": [], "limit": 5}
    first["tags"].append("changed")
    assert result.validate_arguments({})["tags"] == []


def test_validation_reports_every_problem_with_paths_and_plain_messages() -> None:
    def order(name: str, count: int, items: list[Address]) -> None: ...

    errors = problems(build(order), {"count": "many", "items": [{"city": "Rome"}], "colour": "red"})
    assert errors == [
        {"path": "name", "message": "Field required"},
        {"path": "count", "message": "Input should be a valid integer, unable to parse string as an integer"},
        {"path": "items[0].street", "message": "Field required"},
        {"path": "colour", "message": "Unexpected argument"},
    ]


def test_arguments_error_message_is_readable_and_has_no_urls() -> None:
    def order(count: int) -> None: ...

    with pytest.raises(ArgumentsError) as caught:
        build(order).validate_arguments({"count": "x"})
    message = str(caught.value)
    assert message == "Invalid arguments: count: Input should be a valid integer, unable to parse string as an integer"
    assert "http" not in message


def test_unknown_keys_inside_a_dataclass_argument_are_reported() -> None:
    def move(point: Point) -> None: ...

    assert problems(build(move), {"point": {"x": 1, "z": 2}}) == [{"path": "point.z", "message": "Unexpected field"}]


def test_validate_arguments_builds_nothing_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    def echo(text: str) -> str:
        return text

    result = build(echo)

    def no_new_adapters(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("TypeAdapter built during validate_arguments")

    monkeypatch.setattr(schema_module, "TypeAdapter", no_new_adapters)
    assert result.validate_arguments({"text": "hi"}) == {"text": "hi"}


# --- Output schema -------------------------------------------------------------------


def test_model_return_is_an_object_schema_and_serializes_to_its_dict() -> None:
    def lookup() -> Person: ...

    result = build(lookup)
    assert result.wraps_result is False
    assert result.output_schema is not None
    assert result.output_schema["type"] == "object"
    assert result.output_schema["properties"]["nickname"] == {
        "type": ["string", "null"],
        "default": None,
    }  # output keeps null: the value may be null
    person = Person(name="Ada", address=Address(street="Main"))
    assert structured(result, person) == {
        "name": "Ada",
        "address": {"street": "Main", "city": "Paris"},
        "nickname": None,
    }


@pytest.mark.parametrize(
    ("annotation", "value", "expected"),
    [
        (Point, Point(1, 2), {"x": 1, "y": 2}),
        (Movie, {"title": "Up", "year": 2009}, {"title": "Up", "year": 2009}),
        (dict[str, datetime.date], {"d": datetime.date(2024, 1, 1)}, {"d": "2024-01-01"}),
        (Mapping[str, int], {"a": 1}, {"a": 1}),
        (Cat | Dog, Cat(kind="cat", lives=9), {"kind": "cat", "lives": 9}),
    ],
)
def test_object_like_returns_are_not_wrapped(annotation: Any, value: Any, expected: Any) -> None:
    result = build(returning(annotation))
    assert result.wraps_result is False
    assert result.output_schema is not None and result.output_schema["type"] == "object"
    assert structured(result, value) == expected


@pytest.mark.parametrize(
    ("annotation", "value", "expected"),
    [
        (int, 3, 3),
        (float, 1.5, 1.5),
        (bool, True, True),
        (list[Point], [Point(1)], [{"x": 1, "y": 0}]),
        (tuple[int, str], (1, "a"), [1, "a"]),
        (set[int], {7}, [7]),
        (Literal["yes", "no"], "yes", "yes"),
        (Color, Color.BLUE, "blue"),
        (Person | None, None, None),
        (int | Person, 4, 4),
        (Decimal, Decimal("1.5"), "1.5"),
    ],
)
def test_non_object_returns_are_wrapped_in_result(annotation: Any, value: Any, expected: Any) -> None:
    result = build(returning(annotation))
    assert result.wraps_result is True
    assert result.output_schema is not None
    assert result.output_schema["required"] == ["result"]
    assert result.output_schema["type"] == "object"
    assert structured(result, value) == {"result": expected}


def test_recursive_return_keeps_an_object_root() -> None:
    result = build(returning(TreeNode))
    assert result.output_schema is not None
    assert result.output_schema["type"] == "object"
    assert "$defs" in result.output_schema
    assert structured(result, TreeNode(label="a", children=[TreeNode(label="b")])) == {
        "label": "a",
        "children": [{"label": "b", "children": []}],
    }
    wrapped = build(returning(list[TreeNode]))
    assert wrapped.output_schema is not None and "$defs" in wrapped.output_schema
    assert structured(wrapped, [TreeNode(label="a")]) == {"result": [{"label": "a", "children": []}]}


class Custom:
    """A content type of its own, made unstructured through `unstructured_types`."""


@pytest.mark.parametrize(
    "annotation",
    [
        str,
        None,
        Any,
        Optional[str],  # noqa: UP045  # typing.Union, not types.UnionType
        Text,
        Image,
        Content,
        list[Image],
        list[Text | Image],
        Image | str,
        Image | None,
    ],
)
def test_text_none_any_and_content_returns_are_unstructured(annotation: Any) -> None:
    result = build(returning(annotation))
    assert result.output_schema is None
    assert result.wraps_result is False
    with pytest.raises(TypeError):
        result.serialize_output("anything")


def test_missing_return_annotation_is_unstructured() -> None:
    def tool(x: int):
        return x

    assert build(tool).output_schema is None


def test_unstructured_types_option_marks_more_content_types() -> None:
    with pytest.raises(ConfigError):  # without the option it is a value pydantic cannot describe
        function_schema(returning(Custom))
    assert build(returning(Custom), unstructured_types=(Custom,)).output_schema is None
    assert build(returning(list[Custom] | None), unstructured_types=(Custom,)).output_schema is None


# --- Context parameter ---------------------------------------------------------------


class RichContext(Context):
    """A subclass counts as the context type too."""


@pytest.mark.parametrize(
    "annotation",
    [Context, Optional[Context], Context | None, Annotated[Context, "meta"], RichContext],  # noqa: UP045
)
def test_context_parameter_is_left_out_of_schema_and_validation(annotation: Any) -> None:
    def tool(query: str, ctx: Any = None) -> None: ...

    tool.__annotations__["ctx"] = annotation
    result = build(tool, context_type=Context)
    assert result.context_parameter == "ctx"
    assert list(result.input_schema["properties"]) == ["query"]
    assert result.validate_arguments({"query": "q"}) == {"query": "q"}
    assert problems(result, {"query": "q", "ctx": {}}) == [{"path": "ctx", "message": "Unexpected argument"}]


def test_no_context_parameter_without_context_type() -> None:
    def tool(query: str) -> None: ...

    assert build(tool, context_type=Context).context_parameter is None


def test_two_context_parameters_are_a_config_error() -> None:
    def tool(a: Context, b: Context) -> None: ...

    with pytest.raises(ConfigError, match="more than one context parameter"):
        function_schema(tool, context_type=Context)


# --- Kinds of callables --------------------------------------------------------------


def test_async_functions_are_supported() -> None:
    async def fetch(url: str, retries: int = 2) -> dict[str, int]:
        return {}

    result = build(fetch)
    assert result.validate_arguments({"url": "u"}) == {"url": "u", "retries": 2}
    assert result.wraps_result is False


def test_bound_methods_drop_self() -> None:
    class Service:
        def search(self, query: str) -> list[str]:
            """Search.

            Args:
                query: What to find.
            """
            return [query]

    result = build(Service().search)
    assert result.input_schema["properties"] == {"query": {"type": "string", "description": "What to find."}}
    assert result.wraps_result is True


def test_partial_functions_use_the_remaining_parameters() -> None:
    def scale(factor: int, value: float, unit: str = "m") -> float:
        """Scale.

        Args:
            value: The value to scale.
        """
        return factor * value

    result = build(functools.partial(scale, 3))
    assert result.input_schema["required"] == ["value"]
    assert result.input_schema["properties"]["value"]["description"] == "The value to scale."
    assert result.validate_arguments({"value": "2"}) == {"value": 2.0, "unit": "m"}


def test_callable_objects_use_their_call_method() -> None:
    class Adder:
        def __call__(self, a: int, b: int = 1) -> int:
            return a + b

    result = build(Adder())
    assert result.validate_arguments({"a": "2"}) == {"a": 2, "b": 1}
    assert result.wraps_result is True


def test_postponed_annotations_are_resolved(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("postponed_tools")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    source = """
        from __future__ import annotations
        import datetime
        from pydantic import BaseModel

        class Event(BaseModel):
            name: str
            day: datetime.date

        def schedule(event: Event, repeat: int | None = None) -> Event:
            return event
    """
    exec(textwrap.dedent(source), module.__dict__)
    result = build(module.schedule)
    assert result.input_schema["properties"]["repeat"] == {"type": ["integer", "null"], "default": None}
    kwargs = result.validate_arguments({"event": {"name": "x", "day": "2024-05-01"}})
    assert kwargs["event"].day == datetime.date(2024, 5, 1)
    assert result.output_schema is not None and result.output_schema["type"] == "object"


def test_parameter_names_that_a_model_would_reserve_are_fine() -> None:
    def tool(model_config: int, _private: str = "x", schema: bool = False) -> None: ...

    result = build(tool)
    assert result.validate_arguments({"model_config": 1}) == {"model_config": 1, "_private": "x", "schema": False}


# --- Configuration errors ------------------------------------------------------------


def test_var_positional_and_var_keyword_are_config_errors() -> None:
    def spread(*values: int) -> None: ...

    def options(**extra: str) -> None: ...

    with pytest.raises(ConfigError, match=r"spread.*\*values"):
        function_schema(spread)
    with pytest.raises(ConfigError, match=r"options.*\*\*extra"):
        function_schema(options)


def test_positional_only_parameter_is_a_config_error() -> None:
    def tool(a: int, /, b: int) -> None: ...

    with pytest.raises(ConfigError, match=r"tool.*'a' is positional-only"):
        function_schema(tool)


@pytest.mark.parametrize("annotation", [Opaque, Callable[[int], int], list[Opaque]])
def test_unsupported_parameter_type_is_a_config_error_naming_it(annotation: Any) -> None:
    def tool(fine: int, broken: Any) -> None: ...

    tool.__annotations__["broken"] = annotation
    with pytest.raises(ConfigError, match=r"tool.*parameter 'broken'") as caught:
        function_schema(tool)
    assert "http" not in str(caught.value)


def test_unsupported_return_type_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="return annotation"):
        function_schema(returning(Opaque))


def test_unresolvable_annotation_is_a_config_error() -> None:
    def tool(x: int) -> None: ...

    tool.__annotations__["x"] = "NoSuchType"
    with pytest.raises(ConfigError, match="NoSuchType"):
        function_schema(tool)


# --- typing.TypedDict (pydantic wants typing_extensions' before Python 3.12) ---------


class StdPoint(typing.TypedDict):
    x: int
    y: typing.NotRequired[int]


class StdShape(typing.TypedDict, total=False):
    name: typing.Required[str]
    points: list[StdPoint]
    origin: StdPoint | None


class StdTree(typing.TypedDict):
    children: list[StdTree]


def test_typing_typed_dicts_anywhere_in_an_annotation_keep_their_required_keys() -> None:
    def draw(shape: StdShape, extra: Annotated[list[StdPoint] | None, Field(description="More.")] = None) -> StdShape:
        return shape

    result = build(draw)
    shape = result.input_schema["properties"]["shape"]
    assert shape["required"] == ["name"]
    point = shape["properties"]["points"]["items"]
    assert point["required"] == ["x"] and set(point["properties"]) == {"x", "y"}
    assert shape["properties"]["origin"]["type"] == ["object", "null"]
    extra = result.input_schema["properties"]["extra"]
    assert extra["items"] == point and extra["description"] == "More."
    assert result.output_schema is not None and result.output_schema["required"] == ["name"]
    assert result.validate_arguments({"shape": {"name": "a", "points": [{"x": "1"}]}})["shape"] == {
        "name": "a",
        "points": [{"x": 1}],
    }


def test_a_typing_typed_dict_that_contains_itself_is_a_config_error_saying_what_to_use() -> None:
    def grow(tree: StdTree) -> None: ...

    if sys.version_info >= (3, 12):
        assert build(grow).input_schema["properties"]["tree"]
        return
    with pytest.raises(ConfigError, match="typing_extensions"):
        function_schema(grow)
