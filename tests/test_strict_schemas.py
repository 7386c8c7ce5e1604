"""Schemas as strict clients read them: OpenAI's strict mode (openai-agents), typed values, every revision.

openai-agents' `convert_schemas_to_strict` passes each MCP tool's inputSchema through
`ensure_strict_json_schema`: every property becomes required, so an optional
parameter must say it accepts null (meaning "use the default") or a strict model has
to invent a value for it.
"""

from __future__ import annotations

import copy
import json
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from agents.exceptions import UserError
from agents.strict_schema import ensure_strict_json_schema
from conftest import run_cli

JSON_VALUE = ["string", "number", "boolean", "object", "array", "null"]
# Maps (`dict[str, str]`) have no strict form: strict mode wants every object closed, so
# openai-agents serves these tools non-strict. Anything else must convert.
MAPS = {"http_request": {"headers", "params"}, "json_validate": {"schema"}, "run_command": {"env"}}

USER_TOOLS = '''
import enum
from typing import Any, Literal

from pydantic import BaseModel

from mcp_toolhost import tool


class Unit(enum.Enum):
    C = "celsius"
    F = "fahrenheit"


class Place(BaseModel):
    city: str
    country: str | None = None


@tool
def weather(
    city: str,
    days: int = 1,
    unit: Unit | None = None,
    sky: Literal["clear", "rain"] | None = None,
    near: Place | None = None,
    tags: list[str] | None = None,
    extra: Any = None,
) -> str:
    """Weather, with every kind of optional parameter."""
    return f"{city} {days} {unit} {sky} {near} {tags} {extra}"


@tool
def plain(text: str, times: int | None = None, loud: bool = False) -> str:
    """A signature for the pydantic-free fast path."""
    return text * (times or 1) + ("!" if loud else "")
'''


@pytest.fixture(scope="module")
def tools(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    folder: Path = tmp_path_factory.mktemp("strict")
    (folder / "user_tools.py").write_text(textwrap.dedent(USER_TOOLS))
    user_tools = str(folder / "user_tools.py")
    done = run_cli("list-tools", "--json", "--allow-command", "ls", "--tools", user_tools, cwd=folder)
    assert done.returncode == 0, done.stderr
    return {tool["name"]: tool for tool in json.loads(done.stdout)["tools"]}


def _strict(schema: dict[str, Any]) -> dict[str, Any]:
    return ensure_strict_json_schema(copy.deepcopy(schema))


def test_every_input_schema_converts_to_strict_mode_and_optional_parameters_stay_nullable(tools):
    assert {"weather", "plain", "read_file", "http_request"} <= tools.keys()
    for name, tool in tools.items():
        schema = tool["inputSchema"]
        if name in MAPS:
            with pytest.raises(UserError, match="additionalProperties"):
                _strict(schema)
            schema = {**schema, "properties": {k: v for k, v in schema["properties"].items() if k not in MAPS[name]}}
        strict = _strict(schema)
        optional = set(schema["properties"]) - set(schema.get("required", ()))
        assert strict["required"] == list(schema["properties"]), name
        for parameter in optional:
            prop = strict["properties"][parameter]
            nullable = "null" in prop.get("type", ()) or {"type": "null"} in prop.get("anyOf", ())
            assert nullable, f"{name}.{parameter} lost null in strict mode: {prop}"
        assert "anyOf" not in json.dumps(tool["inputSchema"]), name


def test_optional_parameters_of_every_kind_are_type_arrays(tools):
    properties = tools["weather"]["inputSchema"]["properties"]
    assert properties["days"] == {"type": ["integer", "null"], "default": 1}
    assert properties["unit"] == {"enum": ["celsius", "fahrenheit", None], "type": ["string", "null"], "default": None}
    assert properties["sky"] == {"enum": ["clear", "rain", None], "type": ["string", "null"], "default": None}
    assert properties["near"]["type"] == ["object", "null"]
    assert properties["near"]["properties"]["country"] == {"type": ["string", "null"], "default": None}
    assert properties["tags"] == {"items": {"type": "string"}, "type": ["array", "null"], "default": None}
    assert properties["extra"] == {"type": JSON_VALUE, "default": None}
    plain = tools["plain"]["inputSchema"]["properties"]
    assert plain == {
        "text": {"type": "string"},
        "times": {"type": ["integer", "null"], "default": None},
        "loud": {"type": ["boolean", "null"], "default": False},
    }


def test_null_for_a_defaulted_parameter_means_the_default(spawn, tmp_path):
    (tmp_path / "user_tools.py").write_text(textwrap.dedent(USER_TOOLS))
    server = spawn("serve", "--no-builtins", "--tools", str(tmp_path / "user_tools.py"))
    server.initialize()
    # What a strict model sends: every parameter, null for those it leaves to their defaults.
    sent = {"city": "Oslo", "days": None, "unit": None, "sky": None, "near": None, "tags": None, "extra": None}
    assert server.call("weather", sent)["result"]["content"][0]["text"] == "Oslo 1 None None None None None"
    result = server.call("plain", {"text": "ab", "times": None, "loud": None})["result"]
    assert result["content"][0]["text"] == "ab"
    refused = server.call("plain", {"text": None})["result"]  # a required parameter has no default to stand for
    assert refused["isError"] and "text" in refused["content"][0]["text"]


def test_no_untyped_schema_is_left_in_any_tool(tools):
    untyped = []

    def visit(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if node == {} or node is True:
                untyped.append(where)
            for key, value in node.items():
                if key in ("properties", "$defs"):
                    for name, child in value.items():
                        visit(child, f"{where}.{name}")
                elif key in ("items", "additionalProperties") and value is not False:
                    if value is True or value == {}:
                        untyped.append(f"{where}[{key}]")
                    visit(value, f"{where}[{key}]")
                elif key == "anyOf":
                    for child in value:
                        visit(child, where)

    for name, tool in tools.items():
        visit(tool["inputSchema"], f"{name} input")
        visit(tool.get("outputSchema"), f"{name} output")
    assert untyped == []
    assert tools["http_request"]["outputSchema"]["properties"]["json"] == {"type": JSON_VALUE}
    assert tools["json_query"]["outputSchema"]["properties"]["result"] == {"type": JSON_VALUE}
    assert tools["json_validate"]["inputSchema"]["properties"]["data"]["type"] == JSON_VALUE
    assert tools["json_validate"]["inputSchema"]["properties"]["schema"]["additionalProperties"] == {"type": JSON_VALUE}


@pytest.mark.parametrize("version", ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"])
def test_every_revision_gets_valid_schemas(spawn, tmp_path, version):
    (tmp_path / "user_tools.py").write_text(textwrap.dedent(USER_TOOLS))
    server = spawn("serve", "--tools", str(tmp_path / "user_tools.py"), cwd=tmp_path)
    server.initialize(version)
    for tool in server.list_tools():
        for key in ("inputSchema", "outputSchema"):
            if key in tool:
                # Type arrays are JSON Schema since draft 4: older clients validate with draft 7.
                jsonschema.Draft202012Validator.check_schema(tool[key])
                jsonschema.Draft7Validator.check_schema(tool[key])
