"""What tool authors write, served by the real process: typing.TypedDict, sibling imports, schema failures."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from conftest import run_cli

TYPED_DICTS = '''
from __future__ import annotations  # Required/NotRequired as strings: typing misreads them on 3.11

import typing
from typing import NotRequired, Required

from mcp_toolhost import tool


class Place(typing.TypedDict):
    """Where it is."""

    city: str
    country: NotRequired[str]


class Query(typing.TypedDict, total=False):
    place: Required[Place]
    days: int


class Forecast(typing.TypedDict):
    place: Place
    high: float
    note: NotRequired[str]


@tool
def forecast(query: Query) -> Forecast:
    """Tomorrow's high."""
    return {"place": query["place"], "high": 21.5 + query.get("days", 1)}
'''

BROKEN = '''
from mcp_toolhost import tool


class Opaque:
    pass


@tool
def fine(x: int) -> int:
    return x


@tool
def broken(thing: Opaque) -> str:
    return "never"
'''


def _write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return str(path)


def test_typing_typed_dicts_are_served_with_their_required_keys(tmp_path, spawn):
    server = spawn("serve", "--no-builtins", "--tools", _write(tmp_path, "weather.py", TYPED_DICTS))
    server.initialize()
    (listed,) = server.list_tools()
    place = {
        "additionalProperties": False,
        "description": "Where it is.",
        "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
        "required": ["city"],
        "type": "object",
    }
    query = listed["inputSchema"]["properties"]["query"]
    assert query["properties"] == {"place": place, "days": {"type": "integer"}}
    assert query["required"] == ["place"]
    output = listed["outputSchema"]
    assert output["required"] == ["place", "high"] and set(output["properties"]) == {"place", "high", "note"}
    response = server.call("forecast", {"query": {"place": {"city": "Oslo"}}})
    assert response["result"]["structuredContent"] == {"place": {"city": "Oslo"}, "high": 22.5}
    missing = server.call("forecast", {"query": {"days": 2}})["result"]
    assert missing["isError"] and "query.place" in missing["content"][0]["text"]
    assert "not listed" not in server.stderr


def test_list_tools_reports_a_tool_that_cannot_be_served_and_exits_non_zero(tmp_path):
    tools = _write(tmp_path, "broken.py", BROKEN)
    done = run_cli("list-tools", "--json", "--no-builtins", "--tools", tools)
    assert done.returncode == 1
    assert [t["name"] for t in json.loads(done.stdout)["tools"]] == ["fine"]
    errors = done.stderr.decode().strip().splitlines()
    assert len(errors) == 1, errors
    assert errors[0].startswith("Error: tool 'broken' (") and "parameter 'thing'" in errors[0]


def test_call_reports_a_tool_that_cannot_be_served(tmp_path):
    tools = _write(tmp_path, "broken.py", BROKEN)
    done = run_cli("call", "broken", "-a", "thing=1", "--no-builtins", "--tools", tools)
    assert done.returncode == 1 and done.stdout == b""
    stderr = done.stderr.decode()
    assert "Traceback" not in stderr and "cannot be served" in stderr and "parameter 'thing'" in stderr


def test_check_reports_a_tool_that_cannot_be_served(tmp_path):
    tools = _write(tmp_path, "broken.py", BROKEN)
    done = run_cli("check", "--no-builtins", "--tools", tools)
    assert done.returncode == 1
    assert "PROBLEM  tool 'broken'" in done.stdout.decode()


def test_serve_logs_a_tool_that_cannot_be_served_and_serves_the_rest(tmp_path, spawn):
    server = spawn("serve", "--no-builtins", "--tools", _write(tmp_path, "broken.py", BROKEN))
    server.initialize()
    assert [t["name"] for t in server.list_tools()] == ["fine"]
    log = server.wait_for_stderr("tool broken is not listed")
    line = next(line for line in log.splitlines() if "not listed" in line)
    assert "error" in line and "parameter 'thing'" in line and "Traceback" not in log
    assert server.call("fine", {"x": 3})["result"]["structuredContent"] == {"result": 3}


# --- Modules beside a tools file or plugin ---------------------------------------------

USES_HELPER = '''
from helperlib import helper

from mcp_toolhost import tool


@tool
def {name}() -> str:
    return helper()
'''


def _helper(folder: Path, word: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "helperlib.py").write_text(f"def helper():\n    return {word!r}\n")


def test_a_tools_file_imports_the_modules_beside_it_each_folder_its_own(tmp_path, spawn):
    # Two folders, each with its own helperlib.py: python a/tools.py would use a/helperlib.py.
    _helper(tmp_path / "a", "from a")
    _helper(tmp_path / "b", "from b")
    first = _write(tmp_path / "a", "tools_a.py", USES_HELPER.format(name="which_a"))
    second = _write(tmp_path / "b", "tools_b.py", USES_HELPER.format(name="which_b"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    server = spawn("serve", "--no-builtins", "--tools", first, "--tools", second, cwd=elsewhere)
    server.initialize()
    assert server.call("which_a")["result"]["content"][0]["text"] == "from a"
    assert server.call("which_b")["result"]["content"][0]["text"] == "from b"


def test_a_helper_module_in_a_plugin_folder_is_not_a_plugin(tmp_path):
    plugins = tmp_path / "plugins"
    _helper(plugins, "helped")
    _write(plugins, "weather.py", USES_HELPER.format(name="weather"))
    done = run_cli("check", "--no-builtins", "--no-entry-points", "--plugins", str(plugins), cwd=tmp_path)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    report = done.stdout.decode()
    assert "helperlib" not in report and "1 plugin loaded" in report
    called = run_cli("call", "weather", "--no-builtins", "--no-entry-points", "--plugins", str(plugins))
    assert called.stdout == b"helped\n", called.stderr


WRONG_RETURNS = '''
from typing import TypedDict

from mcp_toolhost import tool


class Total(TypedDict):
    count: int


@tool
def count(text: str) -> int:
    """Counts, or says something else when asked to."""
    return text if text == "oops" else len(text)


@tool
def total(text: str) -> Total:
    """A total whose count may not be a number."""
    return {"count": text}
'''


def test_a_result_that_does_not_match_its_return_annotation_is_an_error_result(tmp_path, spawn):
    # server/tools: structured results MUST conform to the output schema; pydantic only warned.
    server = spawn("serve", "--no-builtins", "--tools", _write(tmp_path, "wrong.py", WRONG_RETURNS))
    server.initialize()
    assert server.call("count", {"text": "four"})["result"]["structuredContent"] == {"result": 4}
    wrong = server.call("count", {"text": "oops"})["result"]
    assert wrong["isError"] is True and "structuredContent" not in wrong
    assert wrong["content"][0]["text"] == (
        "Tool 'count' returned a value that does not match its return annotation:"
        " Expected `int` [input_value='oops', input_type=str]"
    )
    nested = server.call("total", {"text": "many"})["result"]
    assert nested["isError"] is True and "field_name='count'" in nested["content"][0]["text"]
    assert server.call("count", {"text": "again"})["result"]["structuredContent"] == {"result": 5}
    assert "PydanticSerializationUnexpectedValue" not in server.stderr
