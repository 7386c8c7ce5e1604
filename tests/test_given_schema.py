"""Tools given their JSON Schemas: served as given, arguments and results checked by jsonschema, both eras."""

from typing import Any

import pytest
from conftest import FIXTURES, run_cli
from test_eras import envelope

from mcp_toolhost import ConfigError, Context, ToolHost

TOOLS = FIXTURES / "given_schema_tools.py"


@pytest.fixture
def server(spawn):
    return spawn("serve", "--no-builtins", "--tools", str(TOOLS))


def _given() -> dict:
    namespace: dict = {}
    exec(TOOLS.read_text(), namespace)  # the fixture's own schemas, to compare with what was listed
    return namespace


def test_the_schemas_are_listed_as_given_in_both_eras(server):
    given = _given()
    server.initialize()
    eras = [server.list_tools(), server.request("tools/list", envelope())["result"]["tools"]]
    for tools in eras:
        by_name = {t["name"]: t for t in tools}
        assert by_name["contact"]["inputSchema"] == given["CONTACT"]  # $schema, $defs, anyOf... kept
        assert by_name["total"]["outputSchema"] == given["TOTAL"]
        assert by_name["typed_total"]["outputSchema"] == given["TOTAL"]
        assert set(by_name["typed_total"]["inputSchema"]["properties"]) == {"a", "b"}  # from the signature


def test_arguments_arrive_by_name_with_the_schemas_defaults_and_the_context(server):
    server.initialize()
    result = server.call("contact", {"name": "Ada", "email": "ada@example.org"})["result"]
    assert result["content"][0]["text"] == "Hello, Ada (email, greeting, name)", result
    assert server.call("total", {"a": 2, "b": 3})["result"]["structuredContent"] == {"total": 5}
    modern = server.request("tools/call", {"name": "total", "arguments": {"a": 2}, **envelope()})["result"]
    assert modern["structuredContent"] == {"total": 2}


def test_arguments_the_schema_refuses_are_answered_as_any_invalid_arguments(server):
    bad = {"name": "Ada", "address": {"town": "Paris"}, "fax": "1"}  # no phone nor email, no city, a stray key
    server.initialize("2025-06-18")
    error = server.call("contact", bad)["error"]  # before 2025-11-25: a protocol error
    assert error["code"] == -32602
    assert {e["path"] for e in error["data"]["errors"]} == {"", "address"}, error
    assert "'fax' was unexpected" in error["message"] and "'city' is a required property" in error["message"]
    for result in (
        server.request("tools/call", {"name": "contact", "arguments": bad, **envelope()})["result"],
        _initialized_call(server, "contact", bad),
    ):
        assert result["isError"] is True
        assert result["content"][0]["text"].startswith("Invalid arguments: ")
        assert "address: 'city' is a required property" in result["content"][0]["text"]


def _initialized_call(server, name, arguments):
    server.initialize("2025-11-25")
    return server.call(name, arguments)["result"]


def test_a_result_the_output_schema_refuses_is_an_error_result(server):
    server.initialize()
    result = server.call("total", {"a": 1, "b": 13})["result"]
    assert result["isError"] is True and "structuredContent" not in result
    text = result["content"][0]["text"]
    assert text == (
        "Tool 'total' returned a result that does not match its output_schema:"
        " total: 'thirteen' is not of type 'integer'"
    )
    assert server.call("total", {"a": 1, "b": 1})["result"]["structuredContent"] == {"total": 2}  # serving on


OBJECT = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}


def takes_n(n: int) -> int:
    return n


def takes_n_and_m(n: int, m: int) -> int:
    return n + m


def takes_nothing() -> int:
    return 0


def takes_keywords(**arguments: int) -> int:
    return 0


@pytest.mark.parametrize(
    ("fn", "options", "message"),
    [
        (takes_n, {"input_schema": {"type": "array"}}, r'input_schema must be a JSON Schema with "type": "object"'),
        (
            takes_n,
            {"input_schema": {**OBJECT, "properties": {"n": {"type": "int"}}}},
            r"not a valid JSON Schema: properties\.n\.type",
        ),
        (
            takes_n,
            {"input_schema": {**OBJECT, "$schema": "https://example.org/mine"}},
            r"unknown \$schema 'https://example.org/mine'",
        ),
        (
            takes_nothing,
            {"input_schema": OBJECT},
            r"properties the function takes no parameter for \(n\); add them as parameters, or take \*\*arguments",
        ),
        (
            takes_n_and_m,
            {"input_schema": OBJECT},
            r"parameter 'm' has no default, but input_schema lets a call leave it out",
        ),
        (takes_n, {"output_schema": {"type": "string"}}, r'output_schema must be a JSON Schema with "type": "object"'),
    ],
    ids=["not-object", "invalid", "unknown-draft", "property-not-taken", "parameter-not-required", "output-not-object"],
)
def test_a_schema_that_cannot_work_is_refused_at_registration_naming_the_tool(fn, options, message):
    host = ToolHost()
    with pytest.raises(ConfigError, match=message) as refused:
        host.tool(name="mine", **options)(fn)
    assert "Tool 'mine'" in str(refused.value)
    assert "mine" not in host.registry


def test_keywords_without_a_given_schema_say_how_to_give_one():
    host = ToolHost()
    host.tool(takes_keywords)  # signatures are read when first listed or called
    with pytest.raises(
        ConfigError, match=r"\*\*arguments is not supported; .* give the tool its schema \(input_schema=\)"
    ):
        host.registry.get("takes_keywords").prepare()


def test_a_tool_with_a_broken_schema_fails_the_module_with_its_name(tmp_path):
    tools = tmp_path / "broken.py"
    tools.write_text(
        "from mcp_toolhost import tool\n\n"
        "@tool(input_schema={'type': 'object', 'properties': {'n': {'type': 'nope'}}})\n"
        "def broken(n):\n    return n\n"
    )
    done = run_cli("check", "--no-builtins", "--tools", str(tools))
    assert done.returncode == 1
    assert "Tool 'broken': input_schema is not a valid JSON Schema: properties.n.type" in done.stderr.decode()


async def test_the_testing_client_sees_the_given_schema(anyio_backend):
    host = ToolHost()

    @host.tool(input_schema=OBJECT)
    async def double(ctx: Context, n: int) -> int:
        return 2 * n

    from mcp_toolhost.testing import connect

    async with connect(host) as client:
        (listed,) = await client.list_tools()
        assert listed["inputSchema"] is not OBJECT and listed["inputSchema"] == OBJECT
        assert (await client.call_tool("double", {"n": 4}))["content"] == [{"type": "text", "text": "8"}]
        refused = await client.call_tool("double", {"n": "4"})
        assert refused["isError"] and "n: '4' is not of type 'integer'" in refused["content"][0]["text"]


async def test_a_message_quoting_a_huge_argument_is_cut(anyio_backend):
    host = ToolHost()

    @host.tool(input_schema={"type": "object", "anyOf": [{"required": ["a"]}, {"required": ["b"]}]})
    def either(**arguments: Any) -> str:
        return "never"

    from mcp_toolhost.testing import connect

    async with connect(host) as client:
        refused = await client.call_tool("either", {"c": "x" * 100_000})
    text = refused["content"][0]["text"]
    assert refused["isError"] and "is not valid under any of the given schemas" not in text
    assert len(text) < 400 and text.endswith("…"), text
