"""examples/conformance_server.py over Streamable HTTP with the official SDK client, so the example cannot rot.

The conformance suite itself needs Node (benchmarks/conformance.sh); these check a few of its
fixtures the way its scenarios do, in both eras.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import urllib.parse
from pathlib import Path

import pytest
from conftest import TIMEOUT
from test_http import ENVELOPE, start_http, stateless

pytestmark = pytest.mark.anyio

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "conformance_server.py"


@pytest.fixture
def url(spawn) -> str:
    return start_http(spawn, tools=("--no-builtins", "--tools", str(EXAMPLE)))[1]


def _example_schema() -> dict:
    spec = importlib.util.spec_from_file_location("conformance_server", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.JSON_SCHEMA_2020_12


async def test_fixtures_through_the_sdk_client_session(url):
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client
    from mcp_types import PromptReference

    async with streamable_http_client(url) as (read, write), ClientSession(read, write) as session:
        capabilities = (await session.initialize()).capabilities
        assert capabilities.prompts is not None and capabilities.resources is not None
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
        assert tools["json_schema_2020_12_tool"].input_schema == _example_schema()  # json-schema-2020-12
        called = await session.call_tool("json_schema_2020_12_tool", {"name": "Ada", "email": "ada@example.org"})
        assert not called.is_error and "'name': 'Ada'" in called.content[0].text
        refused = await session.call_tool("json_schema_2020_12_tool", {"name": "Ada", "fax": "1"})
        assert refused.is_error and "'fax' was unexpected" in refused.content[0].text

        text = (await session.read_resource("test://static-text")).contents[0]
        assert (text.mime_type, text.text) == ("text/plain", "This is the content of the static text resource.")
        templated = (await session.read_resource("test://template/123/data")).contents[0]
        assert templated.mime_type == "application/json" and '"Data for ID: 123"' in templated.text

        prompt = await session.get_prompt("test_prompt_with_arguments", {"arg1": "a", "arg2": "b"})
        assert prompt.messages[0].content.text == "Prompt with arguments: arg1='a', arg2='b'"
        completed = await session.complete(
            PromptReference(type="ref/prompt", name="test_prompt_with_arguments"), {"name": "arg1", "value": "par"}
        )
        assert completed.completion.values == ["paris", "park", "party"]


async def test_fixtures_through_the_sdk_client_at_2026_07_28(url):
    from mcp import Client

    async with Client(url) as client:
        assert client.protocol_version == "2026-07-28"
        image = await client.get_prompt("test_prompt_with_image")
        assert [message.content.type for message in image.messages] == ["image", "text"]
        binary = (await client.read_resource("test://static-binary")).contents[0]
        assert binary.mime_type == "image/png" and binary.blob
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert tools["json_schema_2020_12_tool"].input_schema == _example_schema()


def test_a_stateless_call_needing_an_undeclared_capability_is_32021_with_status_400(url):
    """server-stateless's probe: test_missing_capability samples, and the envelope declares nothing."""
    refused = stateless(url, "tools/call", {"name": "test_missing_capability", "arguments": {}})
    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["data"]) == (-32021, {"requiredCapabilities": {"sampling": {}}})
    assert refused.json()["id"] == 7


def test_routing_headers_are_read_without_their_surrounding_whitespace(url):
    """http-header-validation: RFC 9110 5.5, field parsing excludes leading and trailing OWS.

    Over a raw socket: httpx refuses to send a header value with leading whitespace.
    """
    body = json.dumps(
        {
            "jsonrpc": "2.0",
            "id": 7,
            "method": "tools/call",
            "params": {"name": "test_simple_text", "arguments": {}, "_meta": ENVELOPE},
        }
    ).encode()
    address = urllib.parse.urlsplit(url)
    head = (
        f"POST {address.path} HTTP/1.1\r\nHost: {address.netloc}\r\nContent-Type: application/json\r\n"
        "Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2026-07-28\r\n"
        f"Mcp-Method: tools/call\r\nMcp-Name:   test_simple_text\t\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    with socket.create_connection((address.hostname, address.port), timeout=TIMEOUT) as connection:
        connection.sendall(head.encode() + body)
        answer = b"".join(iter(lambda: connection.recv(65536), b""))
    assert answer.startswith(b"HTTP/1.1 200"), answer
    assert b"This is a simple text response for testing." in answer
