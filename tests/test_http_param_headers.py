"""Custom headers from tool parameters (2026-07-28 Streamable HTTP, SEP-2243): `Mcp-Param-*` checked against the body.

basic/transports/streamable-http, "Custom Headers from Tool Parameters": a tool's inputSchema marks a
parameter with `x-mcp-header`; a client mirrors its value into `Mcp-Param-{Name}`, and the server
refuses a request whose header and argument disagree (HTTP 400, -32020 HeaderMismatch).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import FIXTURES, McpProcess, run_cli
from test_http import ENVELOPE, initialize, post, start_http, stateless

pytestmark = pytest.mark.anyio

TOOLS = ("--no-builtins", "--tools", str(FIXTURES / "header_tools.py"))


@pytest.fixture
def url(spawn: Callable[..., McpProcess]) -> str:
    return start_http(spawn, tools=TOOLS)[1]


def route(url: str, arguments: dict[str, Any], **headers: str | bytes) -> httpx.Response:
    return stateless(url, "tools/call", {"name": "route", "arguments": arguments}, **headers)  # type: ignore[arg-type]


def refused(response: httpx.Response) -> str:
    """The -32020 error's message of a response that must be a 400."""
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == -32020, error
    return str(error["message"])


def test_mirrored_parameters_carry_x_mcp_header_in_tools_list(url):
    listed = stateless(url, "tools/list", {}).json()["result"]["tools"]
    properties = listed[0]["inputSchema"]["properties"]
    assert {name: prop.get("x-mcp-header") for name, prop in properties.items()} == {
        "region": "Region",  # Annotated[str, Header("Region")]
        "query": None,
        "shard": "Shard",  # optional: one type all the same, as the SDK clients want
        "dry_run": "Dry-Run",  # Field(json_schema_extra={"x-mcp-header": ...})
    }
    assert [properties[name]["type"] for name in ("region", "shard", "dry_run")] == ["string", "integer", "boolean"]


def test_matching_headers_are_accepted_plain_encoded_and_numeric(url):
    plain = route(url, {"region": "us-west1", "query": "q"}, **{"mcp-param-region": "us-west1"})
    assert plain.status_code == 200, plain.text
    assert plain.json()["result"]["content"][0]["text"] == "q in us-west1, shard None, dry run False"
    encoded = base64.b64encode("Zürich 世界".encode()).decode()
    every = route(
        url,
        {"region": "Zürich 世界", "query": "q", "shard": 7, "dry_run": True},
        **{"Mcp-Param-Region": f"=?base64?{encoded}?=", "MCP-PARAM-SHARD": "7.0", "mcp-param-dry-run": "true"},
    )
    assert every.status_code == 200, every.text
    assert every.json()["result"]["content"][0]["text"] == "q in Zürich 世界, shard 7, dry run True"
    null = route(url, {"region": "eu", "query": "q", "shard": None}, **{"mcp-param-region": "eu"})
    assert null.status_code == 200, null.text  # a null argument is sent without its header


def test_a_header_that_disagrees_with_its_argument_is_refused(url):
    message = refused(route(url, {"region": "us-west1", "query": "q"}, **{"mcp-param-region": "eu-west1"}))
    assert "Mcp-Param-Region is 'eu-west1' but the argument 'region' is 'us-west1'" in message
    assert "shard" in refused(
        route(url, {"region": "a", "query": "q", "shard": 3}, **{"mcp-param-region": "a", "mcp-param-shard": "4"})
    )
    assert "Dry-Run" in refused(
        route(
            url,
            {"region": "a", "query": "q", "dry_run": False},
            **{"mcp-param-region": "a", "mcp-param-dry-run": "False"},
        )
    )


def test_a_missing_extra_repeated_or_raw_non_ascii_header_is_refused(url):
    missing = refused(route(url, {"region": "us-west1", "query": "q"}))
    assert "Mcp-Param-Region is missing but the argument 'region' is given" in missing
    extra = refused(route(url, {"region": "a", "query": "q"}, **{"mcp-param-region": "a", "mcp-param-shard": "1"}))
    assert "Mcp-Param-Shard is given but the argument 'shard' is absent or null" in extra
    raw = refused(route(url, {"region": "Zürich", "query": "q"}, **{"mcp-param-region": "Zürich".encode()}))
    assert "non-ASCII or control characters" in raw and "=?base64?" in raw
    message = {
        "jsonrpc": "2.0",
        "id": 7,
        "method": "tools/call",
        "params": {"name": "route", "arguments": {"region": "a", "query": "q"}, "_meta": ENVELOPE},
    }
    headers = [
        *{"accept": "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28"}.items(),
        *{"mcp-method": "tools/call", "mcp-name": "route"}.items(),
        ("mcp-param-region", "a"),
        ("mcp-param-region", "b"),
    ]
    repeated = httpx.post(url, json=message, headers=headers)
    assert "Mcp-Param-Region is given more than once" in refused(repeated)


def test_handshake_era_calls_are_not_checked(url):
    session = initialize(url)
    call = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {"name": "route", "arguments": {"region": "a", "query": "q"}},
    }
    answered = post(url, call, **{"mcp-session-id": session, "mcp-protocol-version": "2025-11-25"})
    assert answered.status_code == 200, answered.text
    assert "q in a" in answered.text


async def test_the_sdk_client_mirrors_the_declared_parameters(url):
    from mcp import Client

    async with Client(url) as client:
        assert client.protocol_version == "2026-07-28"
        result = await client.call_tool("route", {"region": "Zürich", "query": "q", "shard": 3, "dry_run": True})
    assert result.content[0].text == "q in Zürich, shard 3, dry run True"  # refused without the right headers


@pytest.mark.parametrize(
    ("declaration", "said"),
    [
        (
            'a: Annotated[str, Header("Zone")], b: Annotated[str, Header("zone")]',
            "'zone' is already the header of parameter 'a'",
        ),
        ('a: Annotated[str, Header("Two words")]', "'Two words' is not a valid header name"),
        ('a: Annotated[float, Header("Ratio")]', "needs one type among string, integer and boolean, not 'number'"),
        ('a: Annotated[list[str], Header("Tags")]', "not 'array'"),
        ('a: list[Annotated[str, Header("Tag")]]', "not on a property reached through 'properties' alone"),
    ],
)
def test_bad_declarations_refuse_the_tool_naming_it_and_the_parameter(tmp_path: Path, declaration: str, said: str):
    source = tmp_path / "bad.py"
    source.write_text(
        "from typing import Annotated\nfrom mcp_toolhost import Header, tool\n\n"
        f"@tool\ndef spread({declaration}) -> str:\n    return ''\n"
    )
    listed = run_cli("list-tools", "--no-builtins", "--tools", str(source))
    assert listed.returncode == 1
    error = listed.stderr.decode()
    assert "tool 'spread'" in error and "parameter 'a'" in error and said in error, error


def test_a_secret_looking_mirrored_parameter_is_served_with_a_warning(tmp_path: Path):
    source = tmp_path / "login.py"
    source.write_text(
        "from typing import Annotated\nfrom mcp_toolhost import Header, tool\n\n"
        "@tool\ndef login(api_token: Annotated[str, Header('Token')]) -> str:\n    return ''\n"
    )
    listed = run_cli("list-tools", "--no-builtins", "--tools", str(source))
    assert listed.returncode == 0 and listed.stdout.decode().split() == ["login"]
    assert (
        "'api_token' is mirrored into the header Mcp-Param-Token although its name suggests a secret"
        in listed.stderr.decode()
    )


def test_a_manifest_parameter_may_be_mirrored_with_header(spawn: Callable[..., McpProcess], tmp_path: Path):
    manifest = tmp_path / "echo.toml"
    manifest.write_text(
        '[[tool]]\nname = "say"\ndescription = "Echo a word."\ncommand = ["echo", "{word}"]\n'
        '[tool.parameters.word]\ntype = "string"\nheader = "Word"\n'
    )
    url = start_http(spawn, tools=("--no-builtins", "--manifest", str(manifest)))[1]
    listed = stateless(url, "tools/list", {}).json()["result"]["tools"]
    assert listed[0]["inputSchema"]["properties"]["word"] == {"type": "string", "x-mcp-header": "Word"}
    said = stateless(url, "tools/call", {"name": "say", "arguments": {"word": "hi"}}, **{"mcp-param-word": "hi"})
    assert said.status_code == 200 and said.json()["result"]["content"][0]["text"] == "hi", said.text
    other = stateless(url, "tools/call", {"name": "say", "arguments": {"word": "hi"}}, **{"mcp-param-word": "ho"})
    assert "Mcp-Param-Word is 'ho'" in refused(other)
    manifest.write_text(manifest.read_text().replace('type = "string"', 'type = "array"\nitems = { type = "string" }'))
    checked = run_cli("check", "--no-entry-points", "--manifest", str(manifest))
    assert (
        "parameter 'word': x-mcp-header 'Word' needs one type among string, integer and boolean"
        in checked.stdout.decode()
    )
