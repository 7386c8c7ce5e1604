"""Browser clients of Streamable HTTP: CORS preflights and headers, from httpx and from a real Chromium.

The server runs as a real process (`serve --http 0`); the page of the browser test comes from a
second loopback port, so that its requests are cross-origin as a web client's are.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest
from conftest import TIMEOUT, McpProcess
from test_dashboard_browser import browser  # noqa: F401  (the fixture, shared)
from test_http import INITIALIZE, post, start_http

INSPECTOR = "http://localhost:6274"
"""The MCP Inspector's origin: loopback, so allowed without configuration."""
TOKEN = "s3cret-token"
ASKED = "content-type, authorization, mcp-protocol-version, mcp-session-id, last-event-id, mcp-param-region"


def preflight(url: str, origin: str, method: str = "POST", headers: str = ASKED) -> httpx.Response:
    asked = {"origin": origin, "access-control-request-method": method, "access-control-request-headers": headers}
    return httpx.options(url, headers=asked, timeout=TIMEOUT)


@pytest.fixture(scope="module")
def guarded(module_spawn: Callable[..., McpProcess]) -> str:
    """A server needing the token, allowing one web app's origin besides loopback ones; one for the module."""
    return start_http(module_spawn, "--allow-origin", "https://app.example", env={"MCP_TOOLHOST_TOKEN": TOKEN})[1]


@pytest.mark.parametrize("origin", [INSPECTOR, "https://app.example"])
def test_a_preflight_from_an_allowed_origin_is_answered_without_the_token(guarded, origin):
    answer = preflight(guarded, origin)
    assert answer.status_code == 204, answer.text
    assert answer.content == b""
    assert answer.headers["access-control-allow-origin"] == origin
    assert answer.headers["vary"] == "origin"
    assert answer.headers["access-control-allow-methods"] == "GET, POST, DELETE"
    assert answer.headers["access-control-allow-headers"] == ASKED
    assert int(answer.headers["access-control-max-age"]) > 0
    assert "access-control-allow-credentials" not in answer.headers


def test_a_preflight_leaves_out_headers_a_page_may_not_send(guarded):
    answer = preflight(guarded, INSPECTOR, "DELETE", "Mcp-Session-Id, X-Forwarded-For, Cookie")
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-headers"] == "mcp-session-id"
    bare = preflight(guarded, INSPECTOR, "GET", "")
    assert "access-control-allow-headers" not in bare.headers


@pytest.mark.parametrize("origin", ["https://evil.example", "https://app.example.evil", "null", "http://[::1"])
def test_a_preflight_from_a_refused_origin_gets_403(guarded, origin):
    answer = preflight(guarded, origin)
    assert answer.status_code == 403
    assert "allow_origins" in answer.json()["error"]["message"]
    assert not [name for name in answer.headers if name.startswith("access-control-")]


def test_answers_to_an_allowed_origin_name_it_and_expose_what_a_client_reads(guarded):
    refused = post(guarded, INITIALIZE, origin=INSPECTOR)
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == INSPECTOR
    exposed = {name.strip() for name in refused.headers["access-control-expose-headers"].split(",")}
    assert {"mcp-session-id", "mcp-protocol-version", "www-authenticate"} <= exposed
    answer = post(guarded, INITIALIZE, origin="https://app.example", authorization=f"Bearer {TOKEN}")
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "https://app.example"
    assert answer.headers["vary"] == "origin"
    assert "mcp-session-id" in answer.headers["access-control-expose-headers"]
    health = httpx.get(guarded.replace("/mcp", "/healthz"), headers={"origin": INSPECTOR}, timeout=TIMEOUT)
    assert health.headers["access-control-allow-origin"] == INSPECTOR


def test_requests_without_origin_or_from_a_refused_one_carry_no_cors_headers(guarded):
    plain = post(guarded, INITIALIZE, authorization=f"Bearer {TOKEN}")
    assert plain.status_code == 200
    assert not [name for name in plain.headers if name.startswith("access-control-")]
    for origin in ("https://evil.example", "http://[::1"):  # a malformed origin is refused, not a 500
        foreign = post(guarded, INITIALIZE, origin=origin, authorization=f"Bearer {TOKEN}")
        assert foreign.status_code == 403
        assert not [name for name in foreign.headers if name.startswith("access-control-")]


def test_an_options_without_preflight_headers_is_left_to_the_endpoint(guarded):
    answer = httpx.options(guarded, headers={"origin": INSPECTOR}, timeout=TIMEOUT)
    assert answer.status_code != 204
    assert "access-control-allow-methods" not in answer.headers


# --- a real browser ----------------------------------------------------------------------

PAGE = b"""<!doctype html><title>a browser MCP client</title><script>
async function rpc(url, headers, message) {
  const response = await fetch(url, {method: "POST", body: JSON.stringify(message), headers: {
    "content-type": "application/json", "accept": "application/json, text/event-stream", ...headers}});
  const text = await response.text();
  const data = text.split("\\n").filter(line => line.startsWith("data:") && line.length > 6).pop();
  return {status: response.status, headers: response.headers,
          body: text && JSON.parse(response.headers.get("content-type").includes("json") ? text : data.slice(5))};
}

async function handshake(url, token) {
  const denied = await rpc(url, {}, {jsonrpc: "2.0", id: 0, method: "ping"});
  const auth = {authorization: "Bearer " + token, "mcp-protocol-version": "2025-11-25"};
  const init = await rpc(url, auth, {jsonrpc: "2.0", id: 1, method: "initialize", params: {
    protocolVersion: "2025-11-25", capabilities: {}, clientInfo: {name: "page", version: "1"}}});
  const session = init.headers.get("mcp-session-id");
  const inSession = {...auth, "mcp-session-id": session};
  const initialized = await rpc(url, inSession, {jsonrpc: "2.0", method: "notifications/initialized"});
  const listed = await rpc(url, inSession, {jsonrpc: "2.0", id: 2, method: "tools/list"});
  const added = await rpc(url, inSession, {jsonrpc: "2.0", id: 3, method: "tools/call",
                                           params: {name: "add", arguments: {a: 2, b: 40}}});
  const ended = await fetch(url, {method: "DELETE", headers: inSession});
  return {challenge: denied.headers.get("www-authenticate"), session: Boolean(session),
          version: init.body.result.protocolVersion, initialized: initialized.status,
          tools: listed.body.result.tools.map(tool => tool.name).sort(),
          added: added.body.result.structuredContent, ended: ended.status};
}

async function stateless(url, token) {
  const _meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                 "io.modelcontextprotocol/clientCapabilities": {}};
  const headers = {authorization: "Bearer " + token, "mcp-protocol-version": "2026-07-28",
                   "mcp-method": "tools/call", "mcp-name": "add"};
  const added = await rpc(url, headers, {jsonrpc: "2.0", id: 1, method: "tools/call",
                                         params: {name: "add", arguments: {a: 1, b: 2}, _meta}});
  return {status: added.status, session: added.headers.get("mcp-session-id"),
          added: added.body.result.structuredContent};
}
</script>"""


@pytest.fixture
def page_origin() -> Iterator[str]:
    """The page above, served from a second loopback port: another origin than the server's."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, format: str, *args: object) -> None:
            pass  # not on the test's stderr

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{server.server_address[1]}"
        server.shutdown()


def test_a_page_on_another_origin_talks_to_the_server_in_both_eras(guarded, browser, page_origin):  # noqa: F811
    url = guarded
    context = browser.new_context()
    page = context.new_page()
    page.goto(page_origin)
    handshake = page.evaluate("([url, token]) => handshake(url, token)", [url, TOKEN])
    assert handshake == {
        "challenge": 'Bearer realm="mcp-toolhost"',
        "session": True,
        "version": "2025-11-25",
        "initialized": 202,
        "tools": sorted(handshake["tools"]),
        "added": {"result": 42},
        "ended": 200,
    }
    assert {"add", "echo"} <= set(handshake["tools"])
    assert page.evaluate("([url, token]) => stateless(url, token)", [url, TOKEN]) == {
        "status": 200,
        "session": None,
        "added": {"result": 3},
    }
    context.close()
