"""The management API (`serve --dashboard`): the real server on stdio with the API beside it,
spoken to with httpx while an MCP client talks to the same process over its pipes."""

from __future__ import annotations

import json
import re
import signal
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from conftest import FIXTURES, McpProcess

CORE = str(FIXTURES / "core_tools.py")


@dataclass
class Dashboard:
    server: McpProcess
    base: str
    token: str
    client: httpx.Client

    def post(self, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        return self.client.post(path, headers={**self.bearer, **(headers or {})}, **kwargs)

    def get(self, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, headers={**self.bearer, **(headers or {})}, **kwargs)

    @property
    def bearer(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}


def start_dashboard(spawn, *args: str) -> Dashboard:
    server = spawn("serve", "--no-builtins", "--tools", CORE, "--dashboard", "127.0.0.1:0", *args)
    return connect(server)


def connect(server: McpProcess) -> Dashboard:
    log = server.wait_for_stderr("dashboard on ")
    found = re.search(r"dashboard on (http://[^/]+)/\?token=(\S+)", log)
    assert found, log
    return Dashboard(server, found[1], found[2], httpx.Client(base_url=found[1], timeout=10))


@pytest.fixture
def dashboard(spawn) -> Iterator[Dashboard]:
    started = start_dashboard(spawn)
    started.server.initialize()
    yield started
    started.client.close()


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


def test_logging_in_to_a_second_server_keeps_the_first_logged_in(spawn, dashboard):
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


def test_a_body_larger_than_max_message_bytes_is_413(spawn):
    started = connect(
        spawn(
            "serve", "--no-builtins", "--tools", CORE, "--dashboard", "127.0.0.1:0",
            env={"MCP_TOOLHOST_MAX_MESSAGE_BYTES": "1000"},
        )
    )
    response = started.post("/api/tools/echo/call", json={"value": "x" * 2000})
    assert response.status_code == 413 and "max_message_bytes" in response.json()["error"], response.text


def test_a_foreign_origin_and_a_rebinding_host_are_refused(dashboard):
    origin = dashboard.get("/api/tools", headers={"origin": "http://evil.example"})
    assert origin.status_code == 403 and "origin" in origin.json()["error"], origin.text
    host = dashboard.get("/api/tools", headers={"host": "evil.example"})
    assert host.status_code == 403 and "host" in host.json()["error"], host.text
    own = dashboard.get("/api/tools", headers={"origin": dashboard.base})
    assert own.status_code == 200, own.text


def test_disabling_a_tool_tells_the_connected_client_and_hides_it(dashboard):
    assert dashboard.post("/api/tools/add/disable").json() == {"name": "add", "enabled": False}
    message = dashboard.server.recv()
    assert message == {"jsonrpc": "2.0", "method": "notifications/tools/list_changed", "params": {}}, message
    assert "add" not in {tool["name"] for tool in dashboard.server.list_tools()}
    refused = dashboard.server.call("add", {"a": 1})
    assert "disabled from the dashboard" in refused["error"]["message"], refused
    assert dashboard.get("/api/tools/add/status").json()["enabled"] is False
    call = dashboard.post("/api/tools/add/call", json={"a": 1})
    assert call.status_code == 403, call.text

    assert dashboard.post("/api/tools/add/enable").json()["enabled"] is True
    assert dashboard.server.recv()["method"] == "notifications/tools/list_changed"
    assert "add" in {tool["name"] for tool in dashboard.server.list_tools()}


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
    dashboard.server.call("echo", {"value": {"password": "hunter2", "city": "Paris"}})
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
        dashboard.server.call("add", {"a": 1, "b": 1})
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
        dashboard.server.call("fail", {"message": "token=s3cr3tvalue"})
        for line in lines:
            if line == "event: log":
                data = json.loads(next(lines).removeprefix("data: "))
                break
    assert data["level"] == "error" and "fail" in data["message"], data
    assert data["exception"].startswith("ValueError: token=") and "s3cr3tvalue" not in data["exception"], data


def test_status_and_metrics_come_from_the_metrics_snapshot(dashboard):
    before = dashboard.get("/api/tools/add/status").json()
    assert before["calls"] == 0 and before["latency"]["p50_ms"] is None and before["last_call"] is None, before
    dashboard.server.call("add", {"a": 1})
    dashboard.server.call("fail", {"message": "no"})
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


def test_stdout_carries_only_protocol_messages_while_the_dashboard_serves(dashboard):
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


def test_plugins_shows_each_plugin_and_reload_serves_its_new_version(spawn, tmp_path):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "greet.py").write_text(GREET)
    (folder / "broken.py").write_text("this is not python")
    dashboard = connect(spawn("serve", "--no-builtins", "--plugins", str(folder), "--dashboard", "127.0.0.1:0"))
    dashboard.server.initialize()
    plugins = {plugin["name"]: plugin for plugin in dashboard.get("/api/plugins").json()["plugins"]}
    assert plugins["greet"]["state"] == "loaded" and plugins["greet"]["tools"] == ["greet"], plugins
    assert plugins["broken"]["state"] == "skipped" and "import failed" in plugins["broken"]["reason"], plugins

    (folder / "greet.py").write_text(GREET + "\n@tool\ndef wave() -> str:\n    return 'o/'\n")
    reloaded = dashboard.post("/api/plugins/reload")
    assert reloaded.status_code == 200, reloaded.text
    assert {"greet", "wave"} <= set(next(p for p in reloaded.json()["plugins"] if p["name"] == "greet")["tools"])
    assert dashboard.server.recv()["method"] == "notifications/tools/list_changed"
    assert "wave" in {tool["name"] for tool in dashboard.server.list_tools()}


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


def test_the_server_exits_at_eof_while_an_event_stream_is_open(dashboard):
    with dashboard.client.stream("GET", "/api/events", headers=dashboard.bearer) as events:
        assert next(events.iter_lines()) == ": open"
        dashboard.server.close_stdin()
        assert dashboard.server.wait() == 0, dashboard.server.stderr
    assert "Traceback" not in dashboard.server.stderr, dashboard.server.stderr


def test_sigterm_still_ends_the_server_cleanly(dashboard):
    dashboard.get("/api/tools")
    dashboard.server.proc.send_signal(signal.SIGTERM)
    assert dashboard.server.wait() == 0, dashboard.server.stderr


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
