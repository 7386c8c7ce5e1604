"""The management API (`serve --dashboard`): the real server with the API beside it, spoken to
with httpx while an MCP client talks to the same process: over its pipes (stdio, the API on a
port of its own), or over Streamable HTTP (`--http`, the API on the same port as `/mcp`)."""

from __future__ import annotations

import contextlib
import itertools
import json
import queue
import re
import signal
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from conftest import FIXTURES, TIMEOUT, McpProcess, run_cli
from test_http import ACCEPT, ENVELOPE, INITIALIZE, sse_events

CORE = str(FIXTURES / "core_tools.py")
MODES = ("stdio", "http")
"""Where the MCP client and the API are: stdio and a port of the API's own, or one --http port for both."""


class HttpSession:
    """An MCP client of `serve --http` (a 2025-11-25 session): the part of McpProcess's API the tests use.

    What belongs to no request (list changes) arrives on the session's GET stream, read by a
    thread into a queue from the start, so that `recv` waits on an event as McpProcess's does.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._client = httpx.Client(timeout=TIMEOUT)
        client = {"name": "pytest", "version": "0"}
        initialize = {**INITIALIZE, "params": {**INITIALIZE["params"], "clientInfo": client}}
        answer = self._client.post(url, json=initialize, headers=ACCEPT)
        assert answer.status_code == 200, answer.text
        self._headers = {**ACCEPT, "mcp-session-id": answer.headers["mcp-session-id"]}
        self._post({"jsonrpc": "2.0", "method": "notifications/initialized"})
        self._ids = itertools.count(1000)
        self._messages: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read_get_stream, daemon=True).start()

    def _read_get_stream(self) -> None:
        headers = {**self._headers, "accept": "text/event-stream"}
        with contextlib.suppress(httpx.HTTPError), httpx.stream("GET", self.url, headers=headers, timeout=None) as got:
            for event in sse_events(got.iter_lines()):  # until the server ends the session or exits
                if event.get("data"):
                    self._messages.put(json.loads(event["data"]))

    def _post(self, message: dict[str, Any]) -> httpx.Response:
        return self._client.post(self.url, json=message, headers=self._headers)

    def recv(self, timeout: float = TIMEOUT) -> dict[str, Any]:
        """The next message on the session's GET stream."""
        try:
            return self._messages.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no message on the GET stream within {timeout}s") from None

    def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        request_id = next(self._ids)
        response = self._post({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        assert response.status_code == 200, response.text
        if response.headers["content-type"] == "application/json":
            answer: dict[str, Any] = response.json()
            return answer
        messages = [json.loads(event["data"]) for event in sse_events(response.iter_lines()) if event.get("data")]
        return next(message for message in messages if message.get("id") == request_id)

    def call(self, name: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.request("tools/call", {"name": name, "arguments": arguments or {}})

    def list_tools(self) -> list[dict[str, Any]]:
        response = self.request("tools/list", {})
        assert "result" in response, response
        tools: list[dict[str, Any]] = response["result"]["tools"]
        return tools


@dataclass
class Dashboard:
    server: McpProcess
    base: str
    token: str
    client: httpx.Client
    mcp: McpProcess | HttpSession | None = None
    """An MCP client connected to the server (stdio: the process's pipes; http: a session on /mcp)."""

    def post(self, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        return self.client.post(path, headers={**self.bearer, **(headers or {})}, **kwargs)

    def get(self, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, headers={**self.bearer, **(headers or {})}, **kwargs)

    @property
    def bearer(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}


def start_dashboard(spawn, *args: str, env: dict[str, str] | None = None) -> Dashboard:
    server = spawn("serve", "--no-builtins", "--tools", CORE, "--dashboard", "127.0.0.1:0", *args, env=env)
    return connect(server)


def start_http_dashboard(spawn, *args: str, env: dict[str, str] | None = None) -> Dashboard:
    """`serve --http 0 --dashboard`: the API on the --http port, and an MCP session on its /mcp."""
    server = spawn("serve", "--http", "0", "--no-builtins", "--tools", CORE, "--dashboard", *args, env=env)
    found = re.search(r"serving Streamable HTTP on (\S+)", server.wait_for_stderr("serving Streamable HTTP on "))
    assert found
    dashboard = connect(server)
    assert found[1] == f"{dashboard.base}/mcp", (found[1], dashboard.base)  # one port
    return dashboard


def started(spawn, mode: str, *args: str, env: dict[str, str] | None = None) -> Dashboard:
    """The dashboard in `mode` (MODES) with an initialized MCP client."""
    if mode == "http":
        dashboard = start_http_dashboard(spawn, *args, env=env)
        dashboard.mcp = HttpSession(f"{dashboard.base}/mcp")
    else:
        dashboard = start_dashboard(spawn, *args, env=env)
        dashboard.server.initialize()
        dashboard.mcp = dashboard.server
    return dashboard


def connect(server: McpProcess) -> Dashboard:
    log = server.wait_for_stderr("dashboard on ")
    found = re.search(r"dashboard on (http://[^/]+)/\?token=(\S+)", log)
    assert found, log
    return Dashboard(server, found[1], found[2], httpx.Client(base_url=found[1], timeout=10))


@pytest.fixture(params=MODES)
def dashboard(spawn, request: pytest.FixtureRequest) -> Iterator[Dashboard]:
    """The dashboard and an MCP client, over stdio and over --http."""
    dashboard = started(spawn, request.param)
    yield dashboard
    dashboard.client.close()


@pytest.fixture
def stdio_dashboard(spawn) -> Iterator[Dashboard]:
    dashboard = started(spawn, "stdio")
    yield dashboard
    dashboard.client.close()


def test_tools_lists_every_tool_with_its_schemas_source_and_state(dashboard):
    response = dashboard.get("/api/tools")
    assert response.status_code == 200, response.text
    tools = {tool["name"]: tool for tool in response.json()}
    assert tools["add"]["title"] == "Add numbers"
    assert tools["add"]["inputSchema"]["properties"]["a"]["type"] == "integer"
    assert tools["add"]["annotations"]["readOnlyHint"] is True
    assert tools["add"]["source"] == CORE
    assert tools["add"]["enabled"] is True


def test_no_token_and_a_wrong_token_are_401_with_what_to_do(dashboard):
    bare = dashboard.client.get("/api/tools")
    assert bare.status_code == 401 and "token" in bare.json()["error"], bare.text
    wrong = dashboard.client.get("/api/tools", headers={"authorization": "Bearer nope"})
    assert wrong.status_code == 401, wrong.text
    page = dashboard.client.get("/")
    assert page.status_code == 401, page.text


def test_the_token_url_sets_an_httponly_strict_cookie_that_opens_the_page(dashboard):
    response = dashboard.client.get(f"/?token={dashboard.token}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie, cookie
    page = dashboard.client.get("/")  # the client kept the cookie
    assert page.status_code == 200 and 'data-name="add"' in page.text
    assert dashboard.client.get("/api/system/health").json()["status"] == "ok"


def test_a_post_with_the_cookie_alone_is_refused_and_with_the_csrf_header_accepted(dashboard):
    dashboard.client.get(f"/?token={dashboard.token}")
    alone = dashboard.client.post("/api/tools/add/disable")
    assert alone.status_code == 403 and "x-csrf-token" in alone.json()["error"], alone.text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', dashboard.client.get("/").text)
    assert csrf
    wrong = dashboard.client.post("/api/tools/add/disable", headers={"x-csrf-token": "0" * 64})
    assert wrong.status_code == 403, wrong.text
    accepted = dashboard.client.post("/api/tools/add/disable", headers={"x-csrf-token": csrf[1]})
    assert accepted.status_code == 200, accepted.text


def test_logging_in_to_a_second_server_keeps_the_first_logged_in(spawn, stdio_dashboard):
    dashboard = stdio_dashboard
    second = start_dashboard(spawn)
    dashboard.client.get(f"/?token={dashboard.token}")
    second_login = dashboard.client.get(f"{second.base}/?token={second.token}")  # one browser, one cookie jar
    assert second_login.status_code == 303, second_login.text
    assert dashboard.client.get("/api/tools").status_code == 200
    assert dashboard.client.get(f"{second.base}/api/tools").status_code == 200


def test_a_wrong_token_in_the_url_sets_no_cookie(dashboard):
    response = dashboard.client.get("/?token=guessed", follow_redirects=False)
    assert response.status_code == 401 and "set-cookie" not in response.headers, response.headers
    assert dashboard.client.get("/api/tools").status_code == 401


@pytest.mark.parametrize("mode", MODES)
def test_a_body_larger_than_max_message_bytes_is_413(spawn, mode):
    dashboard = started(spawn, mode, env={"MCP_TOOLHOST_MAX_MESSAGE_BYTES": "1000"})
    response = dashboard.post("/api/tools/echo/call", json={"value": "x" * 2000})
    assert response.status_code == 413 and "max_message_bytes" in response.json()["error"], response.text


def test_a_foreign_origin_and_a_rebinding_host_are_refused(dashboard):
    origin = dashboard.get("/api/tools", headers={"origin": "http://evil.example"})
    assert origin.status_code == 403 and "origin" in origin.json()["error"], origin.text
    host = dashboard.get("/api/tools", headers={"host": "evil.example"})
    assert host.status_code == 403 and "host" in host.json()["error"], host.text
    malformed = dashboard.get("/api/tools", headers={"host": "[::1"})
    assert malformed.status_code == 403, malformed.text
    malformed_origin = dashboard.get("/api/tools", headers={"origin": "http://[::1"})
    assert malformed_origin.status_code == 403, malformed_origin.text
    own = dashboard.get("/api/tools", headers={"origin": dashboard.base})
    assert own.status_code == 200, own.text


def test_disabling_a_tool_tells_the_connected_client_and_hides_it(dashboard):
    assert dashboard.post("/api/tools/add/disable").json() == {"name": "add", "enabled": False}
    message = dashboard.mcp.recv()
    assert message == {"jsonrpc": "2.0", "method": "notifications/tools/list_changed", "params": {}}, message
    assert "add" not in {tool["name"] for tool in dashboard.mcp.list_tools()}
    refused = dashboard.mcp.call("add", {"a": 1})
    assert "disabled from the dashboard" in refused["error"]["message"], refused
    assert dashboard.get("/api/tools/add/status").json()["enabled"] is False
    call = dashboard.post("/api/tools/add/call", json={"a": 1})
    assert call.status_code == 403, call.text

    assert dashboard.post("/api/tools/add/enable").json()["enabled"] is True
    assert dashboard.mcp.recv()["method"] == "notifications/tools/list_changed"
    assert "add" in {tool["name"] for tool in dashboard.mcp.list_tools()}


def test_a_2026_client_hears_of_the_change_on_its_listen_stream(spawn):
    started = start_dashboard(spawn)
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "pytest", "version": "0"},
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    started.server.send(
        {
            "jsonrpc": "2.0",
            "id": "listen",
            "method": "subscriptions/listen",
            "params": {"notifications": {"toolsListChanged": True}, "_meta": meta},
        }
    )
    assert started.server.recv()["method"] == "notifications/subscriptions/acknowledged"
    assert started.post("/api/tools/echo/disable").status_code == 200
    message = started.server.recv()
    assert message["method"] == "notifications/tools/list_changed", message
    assert message["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "listen"


def test_a_2026_client_over_http_hears_of_the_change_on_its_listen_stream(spawn):
    dashboard = start_http_dashboard(spawn)
    params = {"notifications": {"toolsListChanged": True}, "_meta": ENVELOPE}
    message = {"jsonrpc": "2.0", "id": "listen", "method": "subscriptions/listen", "params": params}
    headers = {**ACCEPT, "mcp-protocol-version": "2026-07-28", "mcp-method": "subscriptions/listen"}
    with httpx.stream("POST", f"{dashboard.base}/mcp", json=message, headers=headers, timeout=TIMEOUT) as response:
        messages = (json.loads(event["data"]) for event in sse_events(response.iter_lines()) if event.get("data"))
        assert next(messages)["method"] == "notifications/subscriptions/acknowledged"
        assert dashboard.post("/api/tools/echo/disable").status_code == 200
        changed = next(messages)
    assert changed["method"] == "notifications/tools/list_changed", changed
    assert changed["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "listen"


def test_on_the_http_port_mcp_keeps_its_token_and_the_dashboard_its_own(spawn):
    dashboard = start_http_dashboard(spawn, "--token", "the-mcp-token")
    mcp = f"{dashboard.base}/mcp"
    assert dashboard.get("/api/tools").status_code == 200
    assert dashboard.client.get("/api/tools", headers={"authorization": "Bearer the-mcp-token"}).status_code == 401
    assert httpx.post(mcp, json=INITIALIZE, headers={**ACCEPT, **dashboard.bearer}).status_code == 401
    mcp_bearer = {**ACCEPT, "authorization": "Bearer the-mcp-token"}
    assert httpx.post(mcp, json=INITIALIZE, headers=mcp_bearer).status_code == 200
    assert httpx.get(f"{dashboard.base}/healthz").json()["status"] == "ok"  # as without the dashboard
    foreign = httpx.post(mcp, json=INITIALIZE, headers={**mcp_bearer, "origin": "http://evil.example"})
    assert foreign.status_code == 403 and "allow_origins" in foreign.text, foreign.text  # MCP's own check


def test_an_explicit_address_with_http_is_a_listener_of_its_own(spawn):
    server = spawn("serve", "--http", "0", "--no-builtins", "--tools", CORE, "--dashboard", "127.0.0.1:0")
    found = re.search(r"serving Streamable HTTP on (http://[^/]+)/mcp", server.wait_for_stderr("Streamable HTTP on"))
    assert found
    dashboard = connect(server)
    assert dashboard.base != found[1]
    assert httpx.get(f"{found[1]}/api/tools", headers=dashboard.bearer).status_code == 404  # not on the MCP port
    assert HttpSession(f"{found[1]}/mcp").call("add", {"a": 1})["result"]["structuredContent"] == {"result": 1}
    assert [call["tool"] for call in dashboard.get("/api/calls").json()] == ["add"]


def test_a_non_loopback_http_port_needs_a_set_dashboard_token(spawn):
    server = spawn("serve", "--http", "0.0.0.0:0", "--token", "the-mcp-token", "--no-builtins", "--dashboard")
    assert server.wait() == 2
    assert "--dashboard-token" in server.stderr, server.stderr


def test_an_http_path_taken_by_the_dashboard_is_a_usage_error():
    run = run_cli("serve", "--http", "0", "--http-path", "/", "--no-builtins", "--dashboard", timeout=TIMEOUT)
    assert run.returncode == 2 and "--http-path" in run.stderr.decode(), run.stderr


def test_a_call_runs_as_an_mcp_call_and_answers_success_data_error_metadata(dashboard):
    response = dashboard.post("/api/tools/add/call", json={"a": 2, "b": 3})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True and body["data"] == {"result": 5} and body["error"] is None, body
    assert body["metadata"]["duration_ms"] >= 0 and body["metadata"]["result"]["structuredContent"] == {"result": 5}
    failed = dashboard.post("/api/tools/fail/call", json={"message": "boom"}).json()
    assert failed["success"] is False and "boom" in failed["error"], failed


def test_unknown_tool_404_and_bad_arguments_422_with_the_validation_errors(dashboard):
    unknown = dashboard.post("/api/tools/nope/call", json={})
    assert unknown.status_code == 404 and "Unknown tool: nope" in unknown.json()["error"], unknown.text
    bad = dashboard.post("/api/tools/add/call", json={"a": "x"})
    assert bad.status_code == 422, bad.text
    assert bad.json()["errors"][0]["path"] == "a", bad.json()
    not_object = dashboard.post("/api/tools/add/call", json=[1])
    assert not_object.status_code == 422, not_object.text
    assert dashboard.get("/api/nothing").status_code == 404
    assert dashboard.post("/api/tools/nope/disable").status_code == 404
    assert dashboard.get("/api/tools/nope/status").status_code == 404


def test_calls_lists_recent_calls_newest_first_with_secrets_masked(dashboard):
    dashboard.mcp.call("echo", {"value": {"password": "hunter2", "city": "Paris"}})
    dashboard.post("/api/tools/add/call", json={"a": 1})
    calls = dashboard.get("/api/calls?limit=2").json()
    assert [call["tool"] for call in calls] == ["add", "echo"], calls
    assert calls[0]["client"] == "mcp-toolhost dashboard" and calls[1]["client"] == "pytest"
    assert calls[1]["arguments"]["value"]["city"] == "Paris"
    assert "hunter2" not in str(calls), calls
    assert calls[1]["outcome"] == "ok" and calls[1]["duration_ms"] >= 0
    assert dashboard.get("/api/calls?limit=x").status_code == 422


def test_events_stream_a_client_call_as_it_starts_and_ends(dashboard):
    with dashboard.client.stream("GET", "/api/events", headers=dashboard.bearer) as events:
        assert events.headers["content-type"] == "text/event-stream"
        lines = events.iter_lines()
        assert next(lines) == ": open"
        dashboard.mcp.call("add", {"a": 1, "b": 1})
        seen = []
        for line in lines:
            seen.append(line)
            if line == "event: call_finished":
                break
    assert "event: call_started" in seen, seen


def test_events_carry_log_records_with_credentials_masked(dashboard):
    with dashboard.client.stream("GET", "/api/events", headers=dashboard.bearer) as events:
        lines = events.iter_lines()
        assert next(lines) == ": open"
        dashboard.mcp.call("fail", {"message": "token=s3cr3tvalue"})
        for line in lines:
            if line == "event: log":
                data = json.loads(next(lines).removeprefix("data: "))
                break
    assert data["level"] == "error" and "fail" in data["message"], data
    assert data["exception"].startswith("ValueError: token=") and "s3cr3tvalue" not in data["exception"], data


def test_status_and_metrics_come_from_the_metrics_snapshot(dashboard):
    before = dashboard.get("/api/tools/add/status").json()
    assert before["calls"] == 0 and before["latency"]["p50_ms"] is None and before["last_call"] is None, before
    dashboard.mcp.call("add", {"a": 1})
    dashboard.mcp.call("fail", {"message": "no"})
    status = dashboard.get("/api/tools/add/status").json()
    assert status["enabled"] is True and status["source"] == CORE, status
    assert status["calls"] == 1 and status["ok"] == 1 and status["timeouts"] == 0, status
    assert status["latency"]["p50_ms"] > 0 and status["latency"]["p99_ms"] > 0 and status["last_call"] > 0, status
    metrics = dashboard.get("/api/system/metrics").json()
    assert metrics["tools"]["fail"]["errors"] == 1 and metrics["requests"]["tools/call"] == 2, metrics
    assert metrics["rss_bytes"] > 0 and metrics["uptime_seconds"] > 0
    health = dashboard.get("/api/system/health").json()
    assert health["status"] == "ok" and health["uptime_s"] > 0 and health["version"], health


def test_openapi_documents_the_routes(dashboard):
    schema = dashboard.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/tools", "/api/tools/{name}/call", "/api/events"} <= set(schema["paths"])


def test_a_non_loopback_bind_needs_a_set_token(spawn):
    server = spawn("serve", "--no-builtins", "--dashboard", "0.0.0.0:0")
    assert server.wait() == 2
    assert "--dashboard-token" in server.stderr


def test_a_fixed_token_from_the_environment(spawn):
    server = spawn(
        "serve",
        "--no-builtins",
        "--tools",
        CORE,
        "--dashboard",
        "127.0.0.1:0",
        env={"MCP_TOOLHOST_DASHBOARD_TOKEN": "fixed-token-for-the-test"},
    )
    assert "token=fixed-token-for-the-test" in server.wait_for_stderr("dashboard on ")


def test_stdout_carries_only_protocol_messages_while_the_dashboard_serves(stdio_dashboard):
    dashboard = stdio_dashboard
    dashboard.post("/api/tools/add/call", json={"a": 1})
    dashboard.get("/api/tools")
    dashboard.server.close_stdin()
    assert dashboard.server.wait() == 0
    assert all(line.startswith(b"{") for line in dashboard.server.raw_stdout), dashboard.server.raw_stdout


GREET = """
from mcp_toolhost import tool

@tool
def greet(name: str) -> str:
    return f"hello {name}"
"""


@pytest.mark.parametrize("mode", MODES)
def test_plugins_shows_each_plugin_and_reload_serves_its_new_version(spawn, tmp_path, mode):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "greet.py").write_text(GREET)
    (folder / "broken.py").write_text("this is not python")
    dashboard = started(spawn, mode, "--plugins", str(folder))
    plugins = {plugin["name"]: plugin for plugin in dashboard.get("/api/plugins").json()["plugins"]}
    assert plugins["greet"]["state"] == "loaded" and plugins["greet"]["tools"] == ["greet"], plugins
    assert plugins["broken"]["state"] == "skipped" and "import failed" in plugins["broken"]["reason"], plugins

    (folder / "greet.py").write_text(GREET + "\n@tool\ndef wave() -> str:\n    return 'o/'\n")
    reloaded = dashboard.post("/api/plugins/reload")
    assert reloaded.status_code == 200, reloaded.text
    assert {"greet", "wave"} <= set(next(p for p in reloaded.json()["plugins"] if p["name"] == "greet")["tools"])
    assert dashboard.mcp.recv()["method"] == "notifications/tools/list_changed"
    assert "wave" in {tool["name"] for tool in dashboard.mcp.list_tools()}


def test_a_disabled_tool_stays_disabled_when_a_reload_brings_a_new_version(spawn, tmp_path):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "greet.py").write_text(GREET)
    dashboard = connect(spawn("serve", "--no-builtins", "--plugins", str(folder), "--dashboard", "127.0.0.1:0"))
    dashboard.server.initialize()
    assert dashboard.post("/api/tools/greet/disable").status_code == 200
    assert dashboard.server.recv()["method"] == "notifications/tools/list_changed"

    (folder / "greet.py").write_text(GREET.replace("hello", "bonjour"))
    assert dashboard.post("/api/plugins/reload").status_code == 200
    assert "greet" not in {tool["name"] for tool in dashboard.server.list_tools()}
    assert [tool["enabled"] for tool in dashboard.get("/api/tools").json()] == [False]
    assert dashboard.post("/api/tools/greet/enable").status_code == 200
    response = dashboard.post("/api/tools/greet/call", json={"name": "Ann"}).json()
    assert response["data"] == "bonjour Ann", response


def test_plugins_without_plugins_is_an_empty_list(dashboard):
    assert dashboard.get("/api/plugins").json() == {"ok": True, "plugins": [], "problems": []}


def test_the_server_exits_at_eof_while_an_event_stream_is_open(stdio_dashboard):
    dashboard = stdio_dashboard
    with dashboard.client.stream("GET", "/api/events", headers=dashboard.bearer) as events:
        assert next(events.iter_lines()) == ": open"
        dashboard.server.close_stdin()
        assert dashboard.server.wait() == 0, dashboard.server.stderr
    assert "Traceback" not in dashboard.server.stderr, dashboard.server.stderr


@pytest.mark.parametrize("mode", MODES)
def test_sigterm_ends_the_server_at_once_with_an_event_stream_open_and_a_call_in_flight(spawn, mode, tmp_path):
    # No grace for calls: then only what is left open keeps uvicorn waiting, until it gives up
    # after its timeout (a second), says so and cuts the connections (httpx raises).
    dashboard = started(spawn, mode, env={"MCP_TOOLHOST_SHUTDOWN_GRACE": "0"})
    marker = tmp_path / "marker"
    answers: list[httpx.Response] = []
    call = {"seconds": 60, "marker": str(marker)}
    caller = threading.Thread(target=lambda: answers.append(dashboard.post("/api/tools/wait/call", json=call)))
    with dashboard.client.stream("GET", "/api/events", headers=dashboard.bearer) as events:
        lines = events.iter_lines()
        assert next(lines) == ": open"
        caller.start()
        next(line for line in lines if line == "event: call_started")
        dashboard.server.proc.send_signal(signal.SIGTERM)
        assert dashboard.server.wait() == 0, dashboard.server.stderr
        list(lines)  # the stream ended, not cut
    caller.join(TIMEOUT)
    assert answers and answers[0].status_code == 503, answers
    assert "shutting down" in answers[0].json()["error"], answers[0].text
    assert marker.read_text() == "cancelled"
    log = dashboard.server.stderr
    assert "graceful shutdown exceeded" not in log and "Traceback" not in log, log


def test_a_port_in_use_is_refused_at_start_with_what_to_do(spawn):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = spawn("serve", "--no-builtins", "--dashboard", f"127.0.0.1:{taken.getsockname()[1]}")
        assert server.wait() == 2
    assert "Cannot serve the dashboard" in server.stderr and "pick another port" in server.stderr, server.stderr


def test_a_malformed_address_is_a_usage_error(spawn):
    server = spawn("serve", "--no-builtins", "--dashboard", "localhost:http")
    assert server.wait() == 2
    assert "--dashboard" in server.stderr and "[HOST:]PORT" in server.stderr, server.stderr
