"""http_request through the real process, against a local server; SSRF refusals need no network at all."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from conftest import TIMEOUT, McpProcess
from fixtures.builtins_support import error_text, serving, structured

from mcp_toolhost.builtins import _pinned
from mcp_toolhost.builtins._net import HostAllowList, IPAddress, address_problem, parse_ip
from mcp_toolhost.errors import ConfigError


class Handler(BaseHTTPRequestHandler):
    release = threading.Event()  # /slow answers once this is set

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _route(self) -> None:
        url = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        if url.path == "/json":
            self._send(200, json.dumps({"hello": "world", "query": query}).encode(), "application/json")
        elif url.path == "/echo":
            echo = {"method": self.command, "headers": dict(self.headers.items()), "body": body}
            self._send(200, json.dumps(echo).encode(), "application/json; charset=utf-8")
        elif url.path == "/text":
            self._send(200, "héllo text".encode(), "text/plain; charset=utf-8")
        elif url.path == "/binary":
            self._send(200, bytes(range(256)), "application/octet-stream")
        elif url.path == "/deep":
            depth = int(query["depth"])
            self._send(200, b"[" * depth + b"]" * depth, "application/json")
        elif url.path == "/control":  # the whole default http_max_bytes, 7 times that escaped twice
            self._send(200, bytes([int(query.get("byte", "1"))]) * (1 << 20), query.get("type", "text/plain"))
        elif url.path == "/big":
            self._send(200, b"x" * 100_000, "text/plain")
        elif url.path == "/redirect":
            self._send(int(query.get("status", "302")), b"", "text/plain", {"Location": query["to"]})
        elif url.path == "/loop":
            self._send(302, b"", "text/plain", {"Location": "/loop"})
        elif url.path == "/cookies":
            self.send_response(200)
            self.send_header("Set-Cookie", "a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT")
            self.send_header("Set-Cookie", "b=2")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif url.path == "/slow":
            self.release.wait(TIMEOUT)
            self._send(200, b"late", "text/plain")
        else:
            self._send(404, b"not found", "text/plain")

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _route


@pytest.fixture(scope="module")
def web() -> Iterator[str]:
    """A local HTTP server on 127.0.0.1; its base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    Handler.release.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def server(web: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[McpProcess]:
    root = tmp_path_factory.mktemp("http")
    with serving("--root", str(root), "--builtins", "http", "--allow-host", urlsplit(web).netloc) as process:
        yield process


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[McpProcess]:
    """A server with no --allow-host: only public addresses."""
    root = tmp_path_factory.mktemp("strict")
    with serving("--root", str(root), "--builtins", "http") as process:
        yield process


# --- Happy paths -----------------------------------------------------------------------


def test_json_response_is_parsed(server: McpProcess, web: str) -> None:
    result = structured(server.call("http_request", {"url": f"{web}/json", "params": {"q": "1"}}))
    assert result["status"] == 200 and result["reason"] == "OK"
    assert result["json"] == {"hello": "world", "query": {"q": "1"}}
    assert result["url"] == f"{web}/json?q=1" and result["content_type"] == "application/json"
    assert result["truncated"] is False and result["redirects"] == []
    assert "text" not in result and "base64" not in result


def test_json_nested_too_deep_to_return_as_json_comes_back_as_text(server: McpProcess, web: str) -> None:
    deep = structured(server.call("http_request", {"url": f"{web}/deep?depth=300"}))
    assert "json" not in deep and deep["text"] == "[" * 300 + "]" * 300
    shallow = structured(server.call("http_request", {"url": f"{web}/deep?depth=3"}))
    assert shallow["json"] == [[[]]]


BINARY = "byte=255&type=application/octet-stream"  # not UTF-8: returned as base64


def test_a_body_within_http_max_bytes_is_returned_whatever_its_bytes(server: McpProcess, web: str) -> None:
    text = structured(server.call("http_request", {"url": f"{web}/control"}))
    assert text["text"] == "\x01" * (1 << 20) and text["truncated"] is False
    binary = structured(server.call("http_request", {"url": f"{web}/control?{BINARY}"}))
    assert binary["size"] == 1 << 20 and binary["truncated"] is False


def test_a_body_is_cut_to_fit_max_result_bytes(web: str, tmp_path) -> None:
    env = {"MCP_TOOLHOST_MAX_RESULT_BYTES": "300000"}
    with serving("--root", str(tmp_path), "--builtins", "http", "--allow-host", urlsplit(web).netloc, env=env) as small:
        text = structured(small.call("http_request", {"url": f"{web}/control"}))
        assert text["truncated"] is True and 0 < text["size"] < 300000 / 7 and text["text"] == "\x01" * text["size"]
        binary = structured(small.call("http_request", {"url": f"{web}/control?{BINARY}"}))
        assert binary["truncated"] is True and len(base64.b64decode(binary["base64"])) == binary["size"] < 300000


def test_text_and_binary_bodies(server: McpProcess, web: str) -> None:
    text = structured(server.call("http_request", {"url": f"{web}/text"}))
    assert text["text"] == "héllo text" and text["size"] == len("héllo text".encode())
    binary = structured(server.call("http_request", {"url": f"{web}/binary"}))
    assert binary[
        "base64"
    ] == "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+" + (
        "P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6P"
        "kJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g"
        "4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w=="
    )


def test_method_headers_and_json_body(server: McpProcess, web: str) -> None:
    arguments = {"url": f"{web}/echo", "method": "POST", "headers": {"X-Test": "yes"}, "json": {"a": [1, 2]}}
    echo = structured(server.call("http_request", arguments))["json"]
    assert echo["method"] == "POST" and echo["headers"]["X-Test"] == "yes"
    assert json.loads(echo["body"]) == {"a": [1, 2]} and echo["headers"]["Content-Type"] == "application/json"
    assert echo["headers"]["User-Agent"].startswith("mcp-toolhost/")
    put = structured(server.call("http_request", {"url": f"{web}/echo", "method": "PUT", "body": "plain"}))
    assert put["json"]["body"] == "plain" and put["json"]["method"] == "PUT"
    both = server.call("http_request", {"url": f"{web}/echo", "json": {}, "body": "x"})
    assert error_text(both) == "Give either `json` or `body`, not both."


def test_body_is_cut_at_max_bytes(server: McpProcess, web: str) -> None:
    result = structured(server.call("http_request", {"url": f"{web}/big", "max_bytes": 1000}))
    assert result["truncated"] is True and result["size"] == 1000 and result["text"] == "x" * 1000
    message = error_text(server.call("http_request", {"url": f"{web}/big", "max_bytes": 10**9}))
    assert message == "max_bytes must be between 0 and 1048576 (http_max_bytes)."


def test_redirects_are_followed_and_reported(server: McpProcess, web: str) -> None:
    result = structured(server.call("http_request", {"url": f"{web}/redirect?to=/json"}))
    assert result["json"]["hello"] == "world" and result["redirects"] == [f"{web}/json"]
    # 303 turns a POST into a GET without its body; 307 keeps both.
    see_other = {"url": f"{web}/redirect?to=/echo&status=303", "method": "POST", "body": "data"}
    assert structured(server.call("http_request", see_other))["json"] | {"headers": None} == {
        "method": "GET",
        "headers": None,
        "body": "",
    }
    temporary = {"url": f"{web}/redirect?to=/echo&status=307", "method": "POST", "body": "data"}
    echo = structured(server.call("http_request", temporary))["json"]
    assert (echo["method"], echo["body"]) == ("POST", "data")


def test_redirect_limit(server: McpProcess, web: str) -> None:
    message = error_text(server.call("http_request", {"url": f"{web}/loop"}))
    assert message.startswith("Too many redirects: more than 5 (http_max_redirects)")


def test_timeout_is_reported(server: McpProcess, web: str) -> None:
    assert error_text(server.call("http_request", {"url": f"{web}/slow", "timeout": 0.3})) == (
        "The request timed out after 0.3 seconds."
    )
    message = error_text(server.call("http_request", {"url": f"{web}/json", "timeout": 600}))
    assert message == "timeout must be more than 0 and at most 60 seconds (http_timeout)."


# --- Refusals ---------------------------------------------------------------------------------

SSRF_TARGETS = [
    "http://127.0.0.1/",
    "http://127.1/",
    "http://0x7f000001/",
    "http://2130706433/",
    "http://127.0.0.2:8080/admin",
    "http://localhost/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://0.0.0.0/",
    "http://0/",
    "http://[::]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://[fd00::1]/",
    "http://100.64.0.1/",
    "http://224.0.0.1/",
    "http://[ff02::1]/",
    "http://255.255.255.255/",
    "http://[2002:7f00:1::]/",  # 6to4 wrapping 127.0.0.1
    "https://127.0.0.1:443/",
]


@pytest.mark.parametrize("url", SSRF_TARGETS)
def test_local_and_private_addresses_are_refused_in_every_spelling(strict: McpProcess, url: str) -> None:
    message = error_text(strict.call("http_request", {"url": url}))
    assert message.startswith("Refused: "), message
    assert "--allow-host" in message


def test_octal_spelling_is_not_even_a_url(strict: McpProcess) -> None:
    # httpx rejects octal IPv4 (the C resolver would read 0177.0.0.1 as 127.0.0.1): never sent.
    message = error_text(strict.call("http_request", {"url": "http://0177.0.0.1/"}))
    assert message.startswith("Invalid URL 'http://0177.0.0.1/'"), message


def test_other_schemes_are_refused(strict: McpProcess) -> None:
    for url in ("file:///etc/passwd", "ftp://example.com/", "gopher://127.0.0.1/"):
        assert error_text(strict.call("http_request", {"url": url})).startswith("Only http and https URLs"), url


def test_a_refused_url_is_named_as_given(strict: McpProcess, server: McpProcess, web: str) -> None:
    for url in ("file:///etc/passwd", "data:text/plain,hello"):
        message = error_text(strict.call("http_request", {"url": url}))
        assert message == f"Only http and https URLs are allowed, not {url!r}.", message
    no_scheme = error_text(strict.call("http_request", {"url": "example.com/page"}))
    assert no_scheme == "Only http and https URLs are allowed; 'example.com/page' has no scheme (add https://)."
    hop = error_text(server.call("http_request", {"url": f"{web}/redirect", "params": {"to": "file:///etc/passwd"}}))
    expected = f"Only http and https URLs are allowed, not 'file:///etc/passwd' (a redirect from {web}/"
    assert hop.startswith(expected), hop


def test_a_repeated_header_is_a_list_of_its_values(server: McpProcess, web: str) -> None:
    result = structured(server.call("http_request", {"url": f"{web}/cookies"}))
    assert result["headers"]["set-cookie"] == ["a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT", "b=2"], result
    assert result["headers"]["content-length"] == "0"


def test_allow_host_is_exact_about_host_and_port(server: McpProcess, web: str) -> None:
    port = int(urlsplit(web).port or 0)
    other_port = f"http://127.0.0.1:{port + 1 if port < 65535 else port - 1}/"
    assert error_text(server.call("http_request", {"url": other_port})).startswith("Refused: 127.0.0.1")
    assert error_text(server.call("http_request", {"url": f"http://[::1]:{port}/"})).startswith("Refused: ::1")


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:1/",
        "http://[::1]:{port}/json",
        "file:///etc/passwd",
    ],
)
def test_each_redirect_hop_is_checked(server: McpProcess, web: str, target: str) -> None:
    location = target.format(port=urlsplit(web).port)
    message = error_text(server.call("http_request", {"url": f"{web}/redirect", "params": {"to": location}}))
    assert message.startswith(("Refused: ", "Only http and https URLs")), message


def test_read_only_sends_safe_methods_only(web: str, tmp_path) -> None:
    with serving(
        "--root", str(tmp_path), "--builtins", "http", "--read-only", "--allow-host", urlsplit(web).netloc
    ) as ro:
        [tool] = ro.list_tools()
        assert tool["annotations"]["readOnlyHint"] is True
        assert structured(ro.call("http_request", {"url": f"{web}/json"}))["status"] == 200
        message = error_text(ro.call("http_request", {"url": f"{web}/echo", "method": "POST", "body": "x"}))
        assert message == "The server is read-only: http_request may only send GET, HEAD, OPTIONS, not POST."


# --- The address rules and the pinned connection, in-process -------------------------------------


def ip(text: str) -> IPAddress:
    address = parse_ip(text)
    assert address is not None, text
    return address


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("93.184.215.14", None),
        ("2606:4700:4700::1111", None),
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("::ffff:127.0.0.1", "a loopback address (it embeds 127.0.0.1)"),
        ("::ffff:8.8.8.8", None),
        ("64:ff9b::a00:1", "a private address (it embeds 10.0.0.1)"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "a private address (it embeds 192.0.2.45)"),  # Teredo
        ("0.0.0.0", "an unspecified address"),
        ("169.254.169.254", "a link-local address"),
        ("fe80::1%eth0", "a link-local address"),
        ("224.0.0.251", "a multicast address"),
        ("192.168.0.1", "a private address"),
        ("100.64.1.1", "not a public address"),
        ("240.0.0.1", "a reserved address"),
    ],
)
def test_address_problem(address: str, problem: str | None) -> None:
    assert address_problem(ip(address)) == problem


def test_allow_list_parsing() -> None:
    allow = HostAllowList.parse(("127.0.0.1:8000", "[::1]:9000", "Intranet.Example.", "10.1.2.3"))
    assert allow.allows_ip(ip("127.0.0.1"), 8000) and not allow.allows_ip(ip("127.0.0.1"), 8001)
    assert allow.allows_ip(ip("::ffff:127.0.0.1"), 8000)
    assert allow.allows_ip(ip("::1"), 9000) and allow.allows_ip(ip("10.1.2.3"), 1)
    assert allow.allows_name("intranet.example", 443) and not allow.allows_name("example", 443)
    for bad in ("host:0", "host:http", "[::1", "[::1]x", ":80"):
        with pytest.raises(ConfigError):
            HostAllowList.parse((bad,))


class RecordingBackend(_pinned.httpcore.AsyncNetworkBackend):
    def __init__(self) -> None:
        self.connected: list[str] = []

    async def connect_tcp(self, host: str, port: int, **kwargs: Any) -> Any:
        self.connected.append(host)
        raise _pinned.httpcore.ConnectError("recorded, not connected")


@pytest.mark.anyio
async def test_the_connection_goes_to_the_checked_address_resolved_once(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([["93.184.215.14"], ["127.0.0.1"]])  # a rebinding resolver: public first, then local
    lookups: list[str] = []

    async def getaddrinfo(host: str, port: int, **kwargs: Any) -> list[Any]:
        lookups.append(host)
        return [(2, 1, 6, "", (address, port)) for address in next(answers)]

    monkeypatch.setattr(_pinned.anyio, "getaddrinfo", getaddrinfo)
    backend = RecordingBackend()
    transport = _pinned.GuardedTransport(HostAllowList(), backend=backend)
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get("http://rebind.example/")
    assert lookups == ["rebind.example"] and backend.connected == ["93.184.215.14"]


@pytest.mark.anyio
async def test_one_bad_address_among_the_answers_refuses_the_host(monkeypatch: pytest.MonkeyPatch) -> None:
    async def getaddrinfo(host: str, port: int, **kwargs: Any) -> list[Any]:
        return [(2, 1, 6, "", ("93.184.215.14", port)), (2, 1, 6, "", ("10.0.0.7", port))]

    monkeypatch.setattr(_pinned.anyio, "getaddrinfo", getaddrinfo)
    backend = RecordingBackend()
    async with httpx.AsyncClient(transport=_pinned.GuardedTransport(HostAllowList(), backend=backend)) as client:
        with pytest.raises(_pinned.AddressNotAllowed, match=r"mixed\.example \(resolves to 10\.0\.0\.7\) is a private"):
            await client.get("http://mixed.example/")
    assert backend.connected == []


def test_credentials_are_not_sent_to_another_origin() -> None:
    from mcp_toolhost.builtins.http import _next_hop

    client = httpx.AsyncClient()
    request = client.build_request("GET", "https://a.example/x", headers={"Authorization": "Bearer t", "X-Keep": "1"})
    same = _next_hop(client, request, httpx.Response(302, headers={"Location": "/y"}, request=request))
    assert same.headers["Authorization"] == "Bearer t" and str(same.url) == "https://a.example/y"
    other = _next_hop(client, request, httpx.Response(302, headers={"Location": "https://b.example/"}, request=request))
    assert "Authorization" not in other.headers and other.headers["X-Keep"] == "1"
    assert other.headers["Host"] == "b.example"


def test_the_config_file_allows_hosts_and_commands_as_the_flags_do(spawn, web: str, tmp_path) -> None:
    port = int(urlsplit(web).port or 0)
    config = tmp_path / "mcp-toolhost.toml"
    config.write_text(f'allow_hosts = ["{urlsplit(web).netloc}"]\nallow_commands = ["echo"]\nroots = ["{tmp_path}"]\n')
    server = spawn("serve", "--config", str(config), "--builtins", "http,system")
    server.initialize()
    assert {"http_request", "run_command"} <= {tool["name"] for tool in server.list_tools()}
    assert structured(server.call("http_request", {"url": f"{web}/json"}))["json"]["hello"] == "world"
    other_port = f"http://127.0.0.1:{port + 1 if port < 65535 else port - 1}/"
    assert error_text(server.call("http_request", {"url": other_port})).startswith("Refused: 127.0.0.1")
    assert structured(server.call("run_command", {"command": ["echo", "from", "config"]}))["stdout"] == "from config\n"
    assert "not an allowed command" in error_text(server.call("run_command", {"command": ["cat"]}))

    # Without the config file: neither the host nor run_command.
    bare = spawn("serve", "--root", str(tmp_path), "--builtins", "http,system")
    bare.initialize()
    assert "run_command" not in {tool["name"] for tool in bare.list_tools()}
    assert error_text(bare.call("http_request", {"url": f"{web}/json"})).startswith("Refused: 127.0.0.1")
