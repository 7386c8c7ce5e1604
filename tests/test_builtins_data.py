"""json_query, json_validate and convert_data through the real process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import McpProcess
from fixtures.builtins_support import error_text, serving, structured

PEOPLE = {"people": [{"name": "Ada", "age": 36}, {"name": "Alan", "age": 41}, {"name": "Grace", "age": 29}]}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    (folder / "people.json").write_text(json.dumps(PEOPLE))
    (folder / "broken.json").write_text('{"a": 1,,}')
    (folder / "blob.json").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    return folder


@pytest.fixture(scope="module")
def server(root: Path) -> Iterator[McpProcess]:
    with serving("--root", str(root), "--builtins", "data") as process:
        yield process


# --- json_query ----------------------------------------------------------------------------


def test_json_query_inline_file_and_text(server: McpProcess) -> None:
    older = "people[?age > `30`].name"
    assert structured(server.call("json_query", {"expression": older, "data": PEOPLE})) == {"result": ["Ada", "Alan"]}
    assert structured(server.call("json_query", {"expression": older, "path": "people.json"})) == {
        "result": ["Ada", "Alan"]
    }
    as_text = {"expression": "max_by(people, &age).name", "data": json.dumps(PEOPLE)}
    assert structured(server.call("json_query", as_text)) == {"result": "Alan"}
    assert structured(server.call("json_query", {"expression": "missing", "data": {}})) == {"result": None}


def test_json_query_errors(server: McpProcess) -> None:
    assert "Invalid JMESPath expression" in error_text(server.call("json_query", {"expression": "a[", "data": {}}))
    neither = error_text(server.call("json_query", {"expression": "a"}))
    assert neither == "Give exactly one of `data` (inline JSON) and `path` (a JSON file)."
    both = server.call("json_query", {"expression": "a", "data": {}, "path": "people.json"})
    assert error_text(both) == neither
    assert error_text(server.call("json_query", {"expression": "a", "path": "broken.json"})).startswith(
        "broken.json is not valid JSON: Expecting property name enclosed in double quotes at line 1"
    )
    assert "Access denied" in error_text(server.call("json_query", {"expression": "a", "path": "/etc/hostname"}))


# --- json_validate -------------------------------------------------------------------------

SCHEMA = {
    "type": "object",
    "properties": {
        "people": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
                "required": ["name", "age"],
            },
        },
        "contact": {"type": "string", "format": "email"},
    },
    "required": ["people"],
}


def test_json_validate_valid(server: McpProcess) -> None:
    assert structured(server.call("json_validate", {"data": PEOPLE, "schema": SCHEMA})) == {"valid": True, "errors": []}


def test_json_validate_lists_every_error_with_its_json_path(server: McpProcess) -> None:
    data = {"people": [{"name": "Ada", "age": -1}, {"age": "old"}], "contact": "not an email"}
    result = structured(server.call("json_validate", {"data": data, "schema": SCHEMA}))
    assert result["valid"] is False
    assert [(e["path"], e["keyword"]) for e in result["errors"]] == [
        ("$.contact", "format"),
        ("$.people[0].age", "minimum"),
        ("$.people[1]", "required"),
        ("$.people[1].age", "type"),
    ]
    assert result["errors"][2]["message"] == "'name' is a required property"
    assert result["errors"][3]["schema_path"] == "properties/people/items/properties/age/type"


def test_json_validate_refuses_an_invalid_schema(server: McpProcess) -> None:
    message = error_text(server.call("json_validate", {"data": 1, "schema": {"type": "integer", "minimum": "zero"}}))
    assert message == "The schema is not valid: 'zero' is not of type 'number' (at minimum)"


# --- convert_data --------------------------------------------------------------------------

TRICKY_CSV = 'name,quote,notes\r\nAda,"She said ""hi""","line one\nline two"\r\nAlan,"a, b",\r\n'


def test_csv_to_json_keeps_quoting(server: McpProcess) -> None:
    result = structured(
        server.call("convert_data", {"data": TRICKY_CSV, "source_format": "csv", "target_format": "json"})
    )
    assert result["records"] == 2 and result["format"] == "json"
    assert json.loads(result["data"]) == [
        {"name": "Ada", "quote": 'She said "hi"', "notes": "line one\nline two"},
        {"name": "Alan", "quote": "a, b", "notes": ""},
    ]


def test_json_to_csv_and_back(server: McpProcess) -> None:
    records = [{"name": "Ada", "tags": ["math"], "quote": 'say "hi", then go'}, {"name": "Alan", "age": 41, "ok": True}]
    csv_text = structured(
        server.call("convert_data", {"data": json.dumps(records), "source_format": "json", "target_format": "csv"})
    )["data"]
    assert csv_text == ('name,tags,quote,age,ok\nAda,"[""math""]","say ""hi"", then go",,\nAlan,,,41,true\n')
    back = structured(server.call("convert_data", {"data": csv_text, "source_format": "csv", "target_format": "json"}))
    assert json.loads(back["data"])[0] == {
        "name": "Ada",
        "tags": '["math"]',
        "quote": 'say "hi", then go',
        "age": "",
        "ok": "",
    }


def test_jsonl_and_toml(server: McpProcess) -> None:
    lines = '{"a": 1}\n\n{"a": 2}\n'
    as_json = structured(
        server.call("convert_data", {"data": lines, "source_format": "jsonl", "target_format": "json"})
    )
    assert json.loads(as_json["data"]) == [{"a": 1}, {"a": 2}] and as_json["records"] == 2
    as_lines = structured(
        server.call("convert_data", {"data": as_json["data"], "source_format": "json", "target_format": "jsonl"})
    )
    assert as_lines["data"] == '{"a": 1}\n{"a": 2}\n'
    toml = 'title = "x"\nwhen = 2026-11-25T10:00:00Z\n[owner]\nname = "Ada"\n'
    converted = structured(
        server.call("convert_data", {"data": toml, "source_format": "toml", "target_format": "json"})
    )
    assert json.loads(converted["data"]) == {
        "title": "x",
        "when": "2026-11-25T10:00:00+00:00",
        "owner": {"name": "Ada"},
    }


@pytest.mark.parametrize(
    ("data", "source", "target", "message"),
    [
        ("a,b\n1,2,3\n", "csv", "json", "CSV line 2 has 3 fields, but the header has 2."),
        ('a,b\n"unclosed,2\n', "csv", "json", "Malformed CSV at line 2: unexpected end of data."),
        ("a,a\n1,2\n", "csv", "json", "CSV header line 1 repeats column names: a."),
        (
            '{"a": 1}\nnot json\n',
            "jsonl",
            "json",
            "JSON Lines line 2 is not valid JSON: Expecting value at line 1, column 1.",
        ),
        ("[1, 2", "json", "csv", "The JSON input is not valid JSON: Expecting ',' delimiter at line 1, column 6."),
        (
            "[1, 2]",
            "json",
            "csv",
            "CSV needs a list of records (objects) or of rows (arrays), not a mix or plain values.",
        ),
        ("a = ", "toml", "json", "The TOML input is not valid: Invalid value (at end of document)"),
    ],
)
def test_malformed_input_gets_a_clear_error(
    server: McpProcess, data: str, source: str, target: str, message: str
) -> None:
    response = server.call("convert_data", {"data": data, "source_format": source, "target_format": target})
    assert error_text(response) == message


def test_toml_is_read_only(server: McpProcess) -> None:
    response = server.call("convert_data", {"data": "{}", "source_format": "json", "target_format": "toml"})
    assert "target_format" in error_text(response)


# --- Errors a model can act on -------------------------------------------------------------


def test_json_query_on_a_binary_file_says_it_is_not_text(server: McpProcess) -> None:
    message = error_text(server.call("json_query", {"expression": "a", "path": "blob.json"}))
    assert message == "blob.json is not a JSON file: it is not UTF-8 text (at byte 0).", message


def test_json_validate_with_a_remote_ref_says_nothing_is_fetched(server: McpProcess) -> None:
    schema = {"$ref": "https://example.com/schema.json"}
    message = error_text(server.call("json_validate", {"data": 1, "schema": schema}))
    assert message.startswith("The schema's $ref 'https://example.com/schema.json' cannot be resolved"), message
    assert "Error" not in message and "nothing is fetched" in message


def test_deep_nesting_gets_a_message_not_a_recursion_error(server: McpProcess) -> None:
    schema: dict = {"type": "object"}
    for _ in range(300):
        schema = {"type": "object", "properties": {"x": schema}}
    deep_schema = error_text(server.call("json_validate", {"data": {}, "schema": schema}))
    assert deep_schema.startswith("The schema is nested too deeply to process"), deep_schema
    toml_key = ".".join(["k"] * 5000) + " = 1\n"
    arguments = {"data": toml_key, "source_format": "toml", "target_format": "json"}
    deep_toml = error_text(server.call("convert_data", arguments))
    assert deep_toml.startswith("The input is nested too deeply to process"), deep_toml
    deep_json = error_text(server.call("json_query", {"expression": "a", "data": "[" * 100_000 + "]" * 100_000}))
    assert deep_json.startswith("data is nested too deeply to process"), deep_json
