"""Streamable HTTP (issue 12): the real server on a loopback port, spoken to by the official SDK and by httpx."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import FIXTURES, TIMEOUT, McpProcess, run_cli
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


def start_http(
    spawn: Callable[..., McpProcess], *args: str, env: dict[str, str] | None = None, tools: tuple[str, ...] = TOOLS
) -> tuple[McpProcess, str]:
    """Start `serve --http 0` (a free loopback port); the URL is the one it prints on stderr."""
    process = spawn("serve", "--http", "0", *tools, *args, env=env)
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


def read_fifo(path: Path) -> str:
    """What a tool writes to the FIFO `path`, waiting for it at most TIMEOUT (a thread: opening it blocks)."""
    read: list[str] = []
    reader = threading.Thread(target=lambda: read.append(path.read_text()), daemon=True)
    reader.start()
    reader.join(TIMEOUT)
    assert read, f"nothing was written to {path} within {TIMEOUT} s"
    return read[0]


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
    assert int(listed.headers["content-length"]) == len(listed.content)  # whole, not chunked
    assert "transfer-encoding" not in listed.headers
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


# --- security ----------------------------------------------------------------------------


def test_foreign_origin_and_rebound_host_are_refused(url):
    refused = post(url, INITIALIZE, origin="https://evil.example")
    assert refused.status_code == 403
    assert "https://evil.example" in refused.json()["error"]["message"]
    assert post(url, INITIALIZE, host="evil.example").status_code == 403
    assert post(url, INITIALIZE, origin="http://localhost:3000").status_code == 200


def test_allowed_origin_is_served(spawn):
    _, url = start_http(spawn, "--allow-origin", "https://app.example")
    assert post(url, INITIALIZE, origin="https://app.example").status_code == 200
    assert post(url, INITIALIZE, origin="https://app.example.evil").status_code == 403


def test_token_required_and_wrong_token_refused(spawn):
    _, url = start_http(spawn, env={"MCP_TOOLHOST_TOKEN": "s3cret-token"})
    missing = post(url, INITIALIZE)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="mcp-toolhost"'
    wrong = post(url, INITIALIZE, authorization="Bearer s3cret-tokeN")
    assert wrong.status_code == 401
    assert 'error="invalid_token"' in wrong.headers["www-authenticate"]
    assert post(url, INITIALIZE, authorization="Bearer s3cret-token").status_code == 200
    assert httpx.get(url.replace("/mcp", "/healthz"), timeout=TIMEOUT).status_code == 200  # for load balancers


def test_non_loopback_bind_without_token_refuses_to_start():
    run = run_cli("serve", "--http", "0.0.0.0:0", *TOOLS, timeout=TIMEOUT)
    assert run.returncode == 2
    assert "Refusing to serve on 0.0.0.0 without a token" in run.stderr.decode()
    assert "--no-auth" in run.stderr.decode()


@pytest.mark.parametrize("dashboard", [("--dashboard",), ("--dashboard", "127.0.0.1:0")])
def test_the_dashboard_with_several_workers_is_refused(dashboard):
    # Each worker would show only the calls it served; tests/test_dashboard_api.py serves it with one.
    run = run_cli("serve", "--http", "127.0.0.1:0", "--workers", "2", *dashboard, *TOOLS, timeout=TIMEOUT)
    stderr = run.stderr.decode()
    assert run.returncode == 2 and "--dashboard cannot be combined with --workers 2" in stderr, stderr


def test_oversized_body_gets_413(spawn):
    _, url = start_http(spawn, env={"MCP_TOOLHOST_MAX_MESSAGE_BYTES": "1000"})
    big = {**INITIALIZE, "params": {**INITIALIZE["params"], "padding": "x" * 2000}}
    response = post(url, big)
    assert response.status_code == 413
    assert "max_message_bytes" in response.json()["error"]["message"]
    assert post(url, INITIALIZE).status_code == 200  # and it serves on


def test_slow_client_times_out(spawn):
    _, url = start_http(spawn, env={"MCP_TOOLHOST_HTTP_READ_TIMEOUT": "0.3"})
    port = int(url.split(":")[2].split("/")[0])
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        head = "POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 50\r\n"
        sock.sendall(f"{head}accept: application/json, text/event-stream\r\n\r\n{{".encode())
        answer = sock.recv(4096)  # the body never arrives
    assert answer.startswith(b"HTTP/1.1 408")


# --- 2026-07-28 ----------------------------------------------------------------------------

ENVELOPE = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
}


def stateless(url: str, method: str, params: dict[str, Any], **headers: str) -> httpx.Response:
    """A 2026-07-28 request with its envelope and the routing headers the revision asks for."""
    message = {"jsonrpc": "2.0", "id": 7, "method": method, "params": {**params, "_meta": ENVELOPE}}
    routing = {"mcp-protocol-version": "2026-07-28", "mcp-method": method}
    named = params.get("uri" if method == "resources/read" else "name")
    if named is not None:
        routing["mcp-name"] = named
    return post(url, message, **{**routing, **headers})


def test_stateless_requests_need_no_session(url):
    added = stateless(url, "tools/call", {"name": "add", "arguments": {"a": 1, "b": 2}})
    assert added.status_code == 200
    assert "mcp-session-id" not in added.headers
    assert added.json()["result"]["structuredContent"] == {"result": 3}
    assert added.json()["result"]["resultType"] == "complete"
    listed = stateless(url, "tools/list", {})
    assert "ttlMs" in listed.json()["result"]
    notification = {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1}}
    assert post(url, notification, **{"mcp-protocol-version": "2026-07-28"}).status_code == 202


def test_stateless_headers_must_match_the_body(url):
    wrong_method = stateless(url, "tools/list", {}, **{"mcp-method": "tools/call"})
    assert wrong_method.status_code == 400
    assert wrong_method.json()["error"]["code"] == -32020
    assert wrong_method.json()["id"] == 7
    wrong_name = stateless(url, "tools/call", {"name": "add", "arguments": {}}, **{"mcp-name": "echo"})
    assert wrong_name.json()["error"]["code"] == -32020
    encoded = stateless(url, "tools/call", {"name": "add", "arguments": {}}, **{"mcp-name": "=?base64?YWRk?="})
    assert encoded.status_code == 200
    wrong_version = stateless(url, "tools/list", {}, **{"mcp-protocol-version": "2025-11-25"})
    assert wrong_version.json()["error"]["code"] == -32020


def test_stateless_errors_carry_the_revisions_status(url):
    unknown_method = stateless(url, "no/such", {})
    assert (unknown_method.status_code, unknown_method.json()["error"]["code"]) == (404, -32601)
    unknown_tool = stateless(url, "tools/call", {"name": "nope", "arguments": {}})
    assert (unknown_tool.status_code, unknown_tool.json()["error"]["code"]) == (400, -32602)
    message = {"jsonrpc": "2.0", "id": 8, "method": "tools/list", "params": {"_meta": {**ENVELOPE}}}
    message["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = "2099-01-01"
    routing = {"mcp-protocol-version": "2099-01-01", "mcp-method": "tools/list"}
    unsupported = post(url, message, **routing)
    assert (unsupported.status_code, unsupported.json()["error"]["code"]) == (400, -32022)
    message["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = "2025-11-25"
    handshake_version = post(url, message, **{**routing, "mcp-protocol-version": "2025-11-25"})
    assert handshake_version.status_code == 400
    assert handshake_version.json()["error"]["data"] == {"requested": "2025-11-25", "supported": ["2026-07-28"]}
    bare = {"jsonrpc": "2.0", "id": 9, "method": "tools/list"}  # the 2026-07-28 header, no envelope
    missing = post(url, bare, **{"mcp-protocol-version": "2026-07-28", "mcp-method": "tools/list"})
    assert (missing.status_code, missing.json()["error"]["code"]) == (400, -32602)
    handshake = post(url, INITIALIZE, **{"mcp-protocol-version": "2026-07-28", "mcp-method": "initialize"})
    assert (handshake.status_code, handshake.json()["error"]["code"]) == (404, -32601)


def test_subscriptions_listen_is_a_long_lived_sse_stream(url):
    params = {"notifications": {"toolsListChanged": True}, "_meta": ENVELOPE}
    message = {"jsonrpc": "2.0", "id": 9, "method": "subscriptions/listen", "params": params}
    headers = {**ACCEPT, "mcp-protocol-version": "2026-07-28", "mcp-method": "subscriptions/listen"}
    with httpx.stream("POST", url, json=message, headers=headers, timeout=TIMEOUT) as response:
        assert response.headers["content-type"] == "text/event-stream"
        lines = response.iter_lines()
        first = next(line for line in lines if line.startswith("data:") and line[5:].strip())
    assert json.loads(first[5:])["method"] == "notifications/subscriptions/acknowledged"


def test_closing_the_response_stream_cancels_a_stateless_call(spawn, tmp_path):
    _, url = start_http(spawn, "--tools", str(FIXTURES / "http_tools.py"))
    marker = tmp_path / "marker"
    os.mkfifo(marker)  # the tool opens it only when cancelled: reading it waits for that
    params = {
        "name": "started_then_wait",
        "arguments": {"marker": str(marker)},
        "_meta": {**ENVELOPE, "progressToken": 1},
    }
    message = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params}
    headers = {
        **ACCEPT,
        "mcp-protocol-version": "2026-07-28",
        "mcp-method": "tools/call",
        "mcp-name": "started_then_wait",
    }
    with httpx.stream("POST", url, json=message, headers=headers, timeout=TIMEOUT) as response:
        started = next(line for line in response.iter_lines() if line.startswith("data:"))
        assert json.loads(started[5:])["method"] == "notifications/progress"
    assert read_fifo(marker) == "cancelled"


# --- resumption ----------------------------------------------------------------------------


def sse_events(lines: Iterator[str]) -> Iterator[dict[str, str]]:
    """SSE events as dicts of their fields (id, retry, data...), as they arrive."""
    event: dict[str, str] = {}
    for line in lines:
        if not line:
            yield event
            event = {}
        else:
            name, _, value = line.partition(":")
            event[name] = value.removeprefix(" ")


def test_a_dropped_stream_is_resumed_with_last_event_id(spawn, tmp_path):
    _, url = start_http(spawn, "--tools", str(FIXTURES / "http_tools.py"))
    session = initialize(url)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    params = {"name": "answers_when_told", "arguments": {"fifo": str(fifo)}, "_meta": {"progressToken": "t"}}
    message = {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": params}
    headers = {**ACCEPT, "mcp-session-id": session}
    with httpx.stream("POST", url, json=message, headers=headers, timeout=TIMEOUT) as response:
        events = sse_events(response.iter_lines())
        priming = next(events)
        assert priming["data"] == ""
        assert priming["retry"] == "1000"
        progress = next(events)
        assert json.loads(progress["data"])["method"] == "notifications/progress"
    fifo.write_text("later")  # the call goes on after the client dropped its stream
    resume = {**headers, "accept": "text/event-stream", "last-event-id": progress["id"]}
    with httpx.stream("GET", url, headers=resume, timeout=TIMEOUT) as response:
        assert response.status_code == 200
        messages = [json.loads(e["data"]) for e in sse_events(response.iter_lines()) if e.get("data")]
    assert messages == [{"jsonrpc": "2.0", "id": 5, "result": messages[0]["result"]}]
    assert messages[0]["result"]["content"][0]["text"] == "told later"
    unknown = {**resume, "last-event-id": "99-1"}
    assert httpx.get(url, headers=unknown, timeout=TIMEOUT).status_code == 404


async def test_close_sse_stream_makes_the_sdk_client_resume(spawn):
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    _, url = start_http(spawn, "--tools", str(FIXTURES / "http_tools.py"), env={"MCP_TOOLHOST_SSE_RETRY_MS": "10"})
    progress = []

    async def on_progress(value, total, message):
        progress.append(value)

    async with streamable_http_client(url) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        result = await session.call_tool("closes_its_stream", {}, progress_callback=on_progress)
    assert result.content[0].text == "resumed"
    assert progress == [1, 2]


# --- scale-out -----------------------------------------------------------------------------

STATE_KEY = "a shared secret for sealing requestState, long enough"


def children(pid: int) -> list[int]:
    return [int(child) for child in open(f"/proc/{pid}/task/{pid}/children").read().split()]


def deploy_round(url: str, **params: Any) -> dict[str, Any]:
    capabilities = {"elicitation": {"form": {}}}
    meta = {**ENVELOPE, "io.modelcontextprotocol/clientCapabilities": capabilities}
    message = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "deploy", "arguments": {"env": "prod"}, "_meta": meta, **params},
    }
    routing = {"mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "deploy"}
    response = post(url, message, **routing)
    assert response.status_code == 200, response.text
    return response.json()["result"]


def test_an_input_required_retry_may_reach_another_process_sharing_the_state_key(spawn):
    _, first = start_http(spawn, "--state-key", STATE_KEY)
    _, second = start_http(spawn, "--state-key", STATE_KEY)
    asked = deploy_round(first)
    assert asked["resultType"] == "input_required"
    declined = {"question-1": {"action": "decline"}}
    answered = deploy_round(second, inputResponses=declined, requestState=asked["requestState"])
    assert answered["content"][0]["text"] == "not deployed (decline)"


async def test_two_workers_serve_one_port_and_share_the_generated_state_key(spawn):
    from mcp import Client
    from mcp_types import ElicitResult

    process, url = start_http(spawn, "--workers", "2")
    assert len(children(process.proc.pid)) == 2

    async def on_elicit(context, params):
        return ElicitResult(action="decline")

    for _ in range(4):  # each client its own connections: the kernel spreads them over the workers
        async with Client(url, elicitation_callback=on_elicit) as client:
            deployed = await client.call_tool("deploy", {"env": "prod"})
            assert deployed.content[0].text == "not deployed (decline)"
    asked = deploy_round(url)  # one round per connection: a retry may well reach the other worker
    declined = {"question-1": {"action": "decline"}}
    assert deploy_round(url, inputResponses=declined, requestState=asked["requestState"])["content"]
    process.proc.send_signal(signal.SIGTERM)
    assert process.wait() == 0


def test_sigterm_with_a_call_in_flight_cancels_it_after_the_grace_and_exits_0(spawn, tmp_path):
    process, url = start_http(spawn, "--tools", str(FIXTURES / "http_tools.py"))
    session = initialize(url)
    marker = tmp_path / "marker"
    os.mkfifo(marker)
    params = {"name": "started_then_wait", "arguments": {"marker": str(marker)}, "_meta": {"progressToken": 1}}
    message = {"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": params}
    with httpx.stream("POST", url, json=message, headers={**ACCEPT, "mcp-session-id": session}) as response:
        events = sse_events(response.iter_lines())
        next(events)  # priming
        assert json.loads(next(events)["data"])["method"] == "notifications/progress"
        process.proc.send_signal(signal.SIGTERM)
        assert read_fifo(marker) == "cancelled"  # after shutdown_grace, not at once
        assert [event for event in events if event.get("data")] == []  # the stream ends, unanswered
    assert process.wait() == 0


def test_an_idle_session_ends_and_frees_its_slot(spawn):
    env = {"MCP_TOOLHOST_SESSION_IDLE_TIMEOUT": "2", "MCP_TOOLHOST_MAX_SESSIONS": "1"}
    process, url = start_http(spawn, "--log-level", "info", env=env)
    session = initialize(url)
    assert post(url, INITIALIZE).status_code == 503  # the one slot is taken
    process.wait_for_stderr("a session ended: idle for 2 seconds")
    listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
    assert post(url, listing, **{"mcp-session-id": session}).status_code == 404
    assert post(url, INITIALIZE).status_code == 200
    assert session not in process.stderr


async def test_two_clients_may_use_the_same_id_at_once(url):
    params = {"name": "wait", "arguments": {"seconds": 0.5}, "_meta": ENVELOPE}
    message = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params}
    headers = {**ACCEPT, "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "wait"}
    async with httpx.AsyncClient(timeout=TIMEOUT) as first, httpx.AsyncClient(timeout=TIMEOUT) as second:
        answers = await asyncio.gather(*(c.post(url, json=message, headers=headers) for c in (first, second)))
    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert answer.json()["id"] == 1
        assert answer.json()["result"]["content"][0]["text"] == "done"


# --- resources and prompts -----------------------------------------------------------------


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    root.mkdir()
    (root / "notes.txt").write_text("one\n")
    return root / "notes.txt"


@pytest.fixture
def files_url(spawn: Callable[..., McpProcess], notes: Path) -> str:
    """A server of the files under `notes`' folder as resources, and of resources_prompts.py."""
    resources = ("--root", str(notes.parent), "--builtins", "files", "--tools", str(FIXTURES / "resources_prompts.py"))
    return start_http(spawn, tools=resources)[1]


def initialized(url: str) -> str:
    session = initialize(url)
    done = post(url, {"jsonrpc": "2.0", "method": "notifications/initialized"}, **{"mcp-session-id": session})
    assert done.status_code == 202
    return session


def in_session(url: str, session: str, method: str, params: dict[str, Any]) -> dict[str, Any]:
    response = post(url, {"jsonrpc": "2.0", "id": 4, "method": method, "params": params}, **{"mcp-session-id": session})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    assert "result" in answer, answer
    return answer


def test_resources_and_prompts_are_served_in_both_eras(files_url):
    session = initialized(files_url)
    read = {"uri": "config://app"}
    review = {"name": "review", "arguments": {"code": "x = 1"}}
    answers = [
        in_session(files_url, session, "resources/read", read),
        in_session(files_url, session, "prompts/get", review),
    ]
    for method, params in (("resources/read", read), ("prompts/get", review)):
        response = stateless(files_url, method, params)
        assert response.status_code == 200, response.text
        assert response.json()["result"]["resultType"] == "complete"
        answers.append(response.json())
    for config in (answers[0], answers[2]):
        assert json.loads(config["result"]["contents"][0]["text"])["debug"] is True
    for prompt in (answers[1], answers[3]):
        assert prompt["result"]["messages"][0]["content"]["text"] == "Please review this python code:\nx = 1"


def test_a_subscribed_file_change_reaches_the_sessions_get_stream(files_url, notes):
    session = initialized(files_url)
    assert in_session(files_url, session, "resources/subscribe", {"uri": notes.as_uri()})["result"] == {}
    notes.write_text("two\n")  # answered once watched: a change right after is seen
    headers = {"accept": "text/event-stream", "mcp-session-id": session}
    with httpx.stream("GET", files_url, headers=headers, timeout=TIMEOUT) as response:
        assert response.status_code == 200
        events = (json.loads(e["data"]) for e in sse_events(response.iter_lines()) if e.get("data"))
        updated = next(m for m in events if m.get("method") == "notifications/resources/updated")
    assert updated["params"] == {"uri": notes.as_uri()}


def test_a_subscribed_file_change_reaches_the_listen_stream(files_url, notes):
    params = {"notifications": {"resourceSubscriptions": [notes.as_uri()]}, "_meta": ENVELOPE}
    message = {"jsonrpc": "2.0", "id": 9, "method": "subscriptions/listen", "params": params}
    headers = {**ACCEPT, "mcp-protocol-version": "2026-07-28", "mcp-method": "subscriptions/listen"}
    with httpx.stream("POST", files_url, json=message, headers=headers, timeout=TIMEOUT) as response:
        assert response.headers["content-type"] == "text/event-stream"
        events = (json.loads(e["data"]) for e in sse_events(response.iter_lines()) if e.get("data"))
        acknowledged = next(events)
        assert acknowledged["params"]["notifications"] == {"resourceSubscriptions": [notes.as_uri()]}
        notes.write_text("two\n")  # acknowledged once watched
        updated = next(events)
    assert updated["method"] == "notifications/resources/updated"
    assert updated["params"] == {"uri": notes.as_uri(), "_meta": {"io.modelcontextprotocol/subscriptionId": 9}}
