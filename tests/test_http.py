"""Streamable HTTP (issue 12): the real server on a loopback port, spoken to by the official SDK and by httpx."""

from __future__ import annotations

import json
import re
import signal
import subprocess
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from conftest import FIXTURES, TIMEOUT, McpProcess
from test_ts_sdk_client import (
    CLIENT,
    node,  # noqa: F401  (the fixture, shared)
)

pytestmark = pytest.mark.anyio

TOOLS = ("--no-builtins", "--tools", str(FIXTURES / "core_tools.py"), "--tools", str(FIXTURES / "ask_tools.py"))
ACCEPT = {"accept": "application/json, text/event-stream"}
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


def start_http(spawn: Callable[..., McpProcess], *args: str) -> tuple[McpProcess, str]:
    """Start `serve --http 0` (a free loopback port); the URL is the one it prints on stderr."""
    process = spawn("serve", "--http", "0", *TOOLS, *args)
    log = process.wait_for_stderr("serving Streamable HTTP on ")
    found = re.search(r"serving Streamable HTTP on (\S+)", log)
    assert found is not None
    return process, found.group(1)


@pytest.fixture
def http_server(spawn: Callable[..., McpProcess]) -> tuple[McpProcess, str]:
    return start_http(spawn)


@pytest.fixture
def url(http_server: tuple[McpProcess, str]) -> str:
    return http_server[1]


def post(url: str, message: Any, **headers: str) -> httpx.Response:
    return httpx.post(url, json=message, headers={**ACCEPT, **headers}, timeout=TIMEOUT)


def initialize(url: str) -> str:
    response = post(url, INITIALIZE)
    assert response.status_code == 200, response.text
    return response.headers["mcp-session-id"]


def sse_messages(text: str) -> list[dict[str, Any]]:
    return [json.loads(line[5:]) for line in text.splitlines() if line.startswith("data:") and line[5:].strip()]


# --- the official SDK ------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:The logging capability is deprecated")
async def test_sdk_client_session_over_http(url):
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client
    from mcp_types import ElicitResult

    progress, logs = [], []

    async def on_progress(value, total, message):
        progress.append(value)

    async def on_log(params):
        logs.append(params.level)

    async def on_elicit(context, params):
        return ElicitResult(action="decline")

    async with (
        streamable_http_client(url) as (read, write),
        ClientSession(read, write, logging_callback=on_log, elicitation_callback=on_elicit) as session,
    ):
        assert (await session.initialize()).protocol_version == "2025-11-25"
        tools = {tool.name for tool in (await session.list_tools()).tools}
        assert {"add", "progress", "deploy"} <= tools
        added = await session.call_tool("add", {"a": 2, "b": 40})
        assert added.structured_content == {"result": 42}
        await session.set_logging_level("warning")
        result = await session.call_tool("progress", {"steps": 3}, progress_callback=on_progress)
        assert result.content[0].text == "finished"
        await session.call_tool("chatty", {})
        deployed = await session.call_tool("deploy", {"env": "prod"})
        assert deployed.content[0].text == "not deployed (decline)"
    assert progress == [1, 2, 3]
    assert logs == ["warning", "error"]


async def test_sdk_client_at_2026_07_28_over_http(url):
    from mcp import Client
    from mcp_types import ElicitResult

    async def on_elicit(context, params):
        return ElicitResult(action="cancel")

    async with Client(url, elicitation_callback=on_elicit) as client:
        assert client.protocol_version == "2026-07-28"
        added = await client.call_tool("add", {"a": 1, "b": 2})
        assert added.structured_content == {"result": 3}
        deployed = await client.call_tool("deploy", {"env": "prod"})
        assert deployed.content[0].text == "not deployed (cancel)"


# --- sessions ----------------------------------------------------------------------------


def test_sessions_missing_unknown_and_deleted(url):
    listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
    missing = post(url, listing)
    assert missing.status_code == 400
    assert "mcp-session-id" in missing.json()["error"]["message"]
    unknown = post(url, listing, **{"mcp-session-id": "no-such-session"})
    assert unknown.status_code == 404
    session = initialize(url)
    initialized = post(url, {"jsonrpc": "2.0", "method": "notifications/initialized"}, **{"mcp-session-id": session})
    assert initialized.status_code == 202
    listed = post(url, listing, **{"mcp-session-id": session})
    assert listed.status_code == 200
    assert listed.headers["content-type"] == "application/json"
    assert "add" in {tool["name"] for tool in listed.json()["result"]["tools"]}
    deleted = httpx.delete(url, headers={"mcp-session-id": session}, timeout=TIMEOUT)
    assert deleted.status_code == 200
    assert post(url, listing, **{"mcp-session-id": session}).status_code == 404


def test_progress_makes_the_answer_an_sse_stream(url):
    session = initialize(url)
    call = {
        "jsonrpc": "2.0",
        "id": 3,
        "method": "tools/call",
        "params": {"name": "progress", "arguments": {"steps": 2}, "_meta": {"progressToken": "p"}},
    }
    response = post(url, call, **{"mcp-session-id": session})
    assert response.headers["content-type"] == "text/event-stream"
    messages = sse_messages(response.text)
    assert [m.get("method") for m in messages] == ["notifications/progress", "notifications/progress", None]
    assert messages[-1]["result"]["content"][0]["text"] == "finished"


def test_bad_requests_are_refused_with_a_reason(url):
    assert post(url, INITIALIZE, accept="application/json").status_code == 406
    wrong_type = httpx.post(url, content=b"{}", headers={**ACCEPT, "content-type": "text/plain"}, timeout=TIMEOUT)
    assert wrong_type.status_code == 415
    garbage = httpx.post(url, content=b"{", headers={**ACCEPT, "content-type": "application/json"}, timeout=TIMEOUT)
    assert garbage.status_code == 400
    assert garbage.json()["error"]["code"] == -32700
    version = post(url, INITIALIZE, **{"mcp-protocol-version": "1999-01-01"})
    assert version.status_code == 400
    assert "1999-01-01" in version.json()["error"]["message"]
    assert httpx.put(url, timeout=TIMEOUT).status_code == 405
    health = httpx.get(url.replace("/mcp", "/healthz"), timeout=TIMEOUT)
    assert health.status_code == 200
    assert health.json()["status"] == "ok"


def test_sigterm_ends_the_server_cleanly(http_server):
    process, url = http_server
    session = initialize(url)
    assert post(url, {"jsonrpc": "2.0", "id": 2, "method": "ping"}, **{"mcp-session-id": session}).status_code == 200
    process.proc.send_signal(signal.SIGTERM)
    assert process.wait() == 0


def test_typescript_sdk_client_over_http(url, node):  # noqa: F811  (the fixture imported above)

    run = subprocess.run([node, str(CLIENT / "http.mjs"), url], capture_output=True, timeout=TIMEOUT * 2, check=False)
    assert run.returncode == 0, run.stderr.decode()
    report = json.loads(run.stdout)
    expected = {"tools": True, "added": {"result": 42}, "finished": "finished", "progress": 3, "session": True}
    assert report == {**expected, "errors": []}
