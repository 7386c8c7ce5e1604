"""Streamable HTTP under attack (issue 12): hostile input and misbehaving clients on `/mcp`.

Each attack goes to a real `serve --http` process on a loopback port, as raw bytes on a socket
where httpx would tidy the input up. Each gets the HTTP status the spec names and, where it
says so, a JSON-RPC error body saying what is wrong; the next good request is still served.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import select
import socket
from collections.abc import Callable
from typing import Any

import pytest
from conftest import FIXTURES, TIMEOUT, McpProcess
from test_http import ENVELOPE, INITIALIZE, read_fifo, start_http

pytestmark = pytest.mark.anyio

TOOLS = ("--no-builtins", "--tools", str(FIXTURES / "core_tools.py"), "--tools", str(FIXTURES / "http_tools.py"))
PING = b'{"jsonrpc":"2.0","id":2,"method":"ping"}'


class Answer:
    """An HTTP response read off a raw socket."""

    def __init__(self, raw: bytes) -> None:
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        assert lines[0].startswith("HTTP/1.1 "), f"not an HTTP response: {raw[:300]!r}"
        self.status = int(lines[0].split()[1])
        self.headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
        self.body = _unchunked(body) if self.headers.get("transfer-encoding") == "chunked" else body

    def json(self) -> Any:
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<{self.status} {self.headers} {self.body[:300]!r}>"


def _unchunked(body: bytes) -> bytes:
    out = b""
    while body:
        size, _, rest = body.partition(b"\r\n")
        length = int(size, 16)
        if not length:
            break
        out, body = out + rest[:length], rest[length + 2 :]
    return out


def request(method: str, body: bytes = b"", headers: dict[str, str | None] | None = None, path: str = "/mcp") -> bytes:
    """The bytes of an HTTP/1.1 request with the headers a good client sends; a header given None is left out."""
    fields: dict[str, str | None] = {
        "host": "127.0.0.1",
        "accept": "application/json, text/event-stream",
        "content-type": "application/json",
        "content-length": str(len(body)),
        "connection": "close",
        **(headers or {}),
    }
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items() if v is not None)
    return head.encode() + b"\r\n" + body


class Server:
    """A running `serve --http 0` and raw exchanges with it."""

    def __init__(self, process: McpProcess, url: str) -> None:
        self.process = process
        self.url = url
        found = re.search(r":(\d+)/", url)
        assert found is not None
        self.port = int(found.group(1))

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT)

    def get_stream(self, session: str) -> socket.socket:
        """A connection on which the session's GET stream is asked for."""
        sock = self.connect()
        sock.sendall(request("GET", b"", {"mcp-session-id": session, "accept": "text/event-stream"}))
        return sock

    def exchange(self, data: bytes) -> Answer:
        """Send `data`, read the whole answer (the request says `connection: close`)."""
        with self.connect() as sock:
            sock.sendall(data)
            return Answer(_read_all(sock))

    def post(self, body: bytes, **headers: str | None) -> Answer:
        return self.exchange(request("POST", body, headers))

    def initialize(self, version: str = "2025-11-25") -> str:
        message = {**INITIALIZE, "params": {**INITIALIZE["params"], "protocolVersion": version}}
        answer = self.post(json.dumps(message).encode())
        assert answer.status == 200, answer
        return answer.headers["mcp-session-id"]

    def serves(self, session: str) -> None:
        """The server is up and serves the session's next good request."""
        answer = self.post(PING, **{"mcp-session-id": session})
        assert (answer.status, answer.json()) == (200, {"jsonrpc": "2.0", "id": 2, "result": {}}), answer


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture(scope="module")
def server(module_spawn: Callable[..., McpProcess]) -> Server:
    """One server for the attacks that cannot harm the others: each checks it serves on afterwards."""
    return Server(*start_http(module_spawn, tools=TOOLS))


@pytest.fixture
def session(server: Server) -> str:
    return server.initialize()


def start(spawn: Callable[..., McpProcess], env: dict[str, str]) -> Server:
    """A server of its own, with settings of its own."""
    return Server(*start_http(spawn, env=env, tools=TOOLS))


def refused(answer: Answer, status: int, code: int, says: str, request_id: Any = None) -> None:
    """The answer is `status` with a JSON-RPC error `code` whose message says `says`."""
    assert answer.status == status, answer
    error = answer.json()["error"]
    assert (error["code"], answer.json()["id"]) == (code, request_id), answer
    assert says in error["message"], answer


# --- bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"[]", "batches exist only in revision 2025-03-26"),
        (b'[{"jsonrpc":"2.0","id":3,"method":"ping"}]', "batches exist only in revision 2025-03-26"),
        (b"42", "must be an object"),
        (b"null", "must be an object"),
        (b'{"jsonrpc":"2.0","id":null,"method":"ping"}', '"id" must be a string or an integer'),
        (b'{"jsonrpc":"2.0","id":1.5,"method":"ping"}', '"id" must be a string or an integer'),
    ],
)
def test_input_that_is_no_message_gets_400_in_a_session(server, session, body, says):
    # basic/transports (2025-06-18 on): input the server cannot accept gets an HTTP error
    # status, e.g. 400, its body a JSON-RPC error without id.
    answer = server.post(body, **{"mcp-session-id": session})
    refused(answer, 400, -32600, says)
    server.serves(session)


@pytest.mark.parametrize(
    ("change", "request_id", "says"),
    [
        ({"id": None}, None, '"id" must be a string or an integer'),
        ({"jsonrpc": "1.0"}, 1, '"jsonrpc" must be exactly "2.0"'),
        ({"params": [1]}, 1, '"params" must be an object'),
    ],
)
def test_an_initialize_that_is_no_request_gets_400(server, change, request_id, says):
    refused(server.post(json.dumps({**INITIALIZE, **change}).encode()), 400, -32600, says, request_id)


def test_an_invalid_request_with_an_id_gets_400_and_its_id(server, session):
    answer = server.post(b'{"jsonrpc":"1.0","id":3,"method":"ping"}', **{"mcp-session-id": session})
    refused(answer, 400, -32600, '"jsonrpc" must be exactly "2.0"', request_id=3)
    server.serves(session)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"jsonrpc":"2.0","id":3,', "Parse error"),
        (b'{"jsonrpc":"2.0","id":3,"method":"ping","params":{"x":"\xff\xfe"}}', "not valid UTF-8"),
        (b"", "empty"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"a":' * 5000 + b"1" + b"}" * 5000, "nested too deeply"),
    ],
)
def test_a_body_that_is_not_json_gets_400_and_a_parse_error(server, session, body, says):
    refused(server.post(body, **{"mcp-session-id": session}), 400, -32700, says)
    server.serves(session)


def test_a_response_nobody_waits_for_is_accepted_and_dropped(server, session):
    answer = server.post(b'{"jsonrpc":"2.0","id":99,"result":{}}', **{"mcp-session-id": session})
    assert (answer.status, answer.body) == (202, b""), answer
    server.serves(session)


def test_duplicate_keys_take_the_last_value_as_json_parsers_do(server, session):
    answer = server.post(b'{"jsonrpc":"2.0","id":3,"id":4,"method":"ping"}', **{"mcp-session-id": session})
    assert answer.json() == {"jsonrpc": "2.0", "id": 4, "result": {}}


def call(server: Server, session: str, name: str, arguments: bytes) -> Answer:
    body = b'{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"%s","arguments":%s}}' % (
        name.encode(),
        arguments,
    )
    return server.post(body, **{"mcp-session-id": session})


def test_huge_integers_reach_a_tool_exactly(server, session):
    huge = 123456789012345678901234567890
    answer = call(server, session, "echo", b'{"value":%d}' % huge)
    assert answer.status == 200, answer
    assert b"123456789012345678901234567890" in answer.body, answer
    added = call(server, session, "add", b'{"a":%d,"b":1}' % huge)
    assert json.loads(added.body)["result"]["structuredContent"] == {"result": huge + 1}


@pytest.mark.parametrize("number", [b"1e999", b"-1e999", b"1" + b"0" * 5000])
def test_numbers_beyond_range_get_a_parse_error(server, session, number):
    refused(call(server, session, "echo", b'{"value":%s}' % number), 400, -32700, "Parse error")
    server.serves(session)


def test_a_body_over_max_message_bytes_sent_chunked_gets_413_before_it_ends(spawn):
    server = start(spawn, {"MCP_TOOLHOST_MAX_MESSAGE_BYTES": "1000"})
    session = server.initialize()
    with server.connect() as sock:
        sock.sendall(request("POST", b"", {"content-length": None, "transfer-encoding": "chunked"}))
        sock.sendall(b"400\r\n" + b"x" * 1024 + b"\r\n")  # never ends: the server answers anyway
        answer = Answer(_read_all(sock))
    refused(answer, 413, -32600, "max_message_bytes")
    server.serves(session)


def test_a_content_length_shorter_than_the_body_cuts_it(server, session):
    answer = server.post(PING, **{"mcp-session-id": session, "content-length": "10"})
    refused(answer, 400, -32700, "Parse error")
    server.serves(session)


def test_a_content_length_longer_than_the_body_times_out(spawn):
    server = start(spawn, {"MCP_TOOLHOST_HTTP_READ_TIMEOUT": "0.5"})
    session = server.initialize()
    answer = server.post(PING, **{"mcp-session-id": session, "content-length": "100"})
    refused(answer, 408, -32600, "did not arrive within 0.5 seconds")
    server.serves(session)


@pytest.mark.parametrize(
    ("header", "value", "status", "says"),
    [
        *(("content-type", value, 415, "send the message as application/json") for value in (None, "text/plain")),
        *(
            ("content-type", value, 415, "as application/json")
            for value in ("application/jsonx", "application/json-seq")
        ),
        # basic/transports: the client MUST list both application/json and text/event-stream.
        *(("accept", value, 406, "must accept both") for value in (None, "application/json", "text/event-stream")),
        # RFC 9110, 8.4.1: a content coding the server does not know is 415.
        *(("content-encoding", value, 415, "send the body uncompressed") for value in ("gzip", "br, gzip")),
    ],
)
def test_a_post_with_the_wrong_media_types_is_refused(server, session, header, value, status, says):
    answer = server.post(PING, **{"mcp-session-id": session, header: value})
    refused(answer, status, -32600, says)
    server.serves(session)


def test_json_with_parameters_or_in_capitals_is_json(server, session):
    for content_type in ("application/json; charset=utf-8", "Application/JSON"):
        answer = server.post(PING, **{"mcp-session-id": session, "content-type": content_type})
        assert answer.status == 200, answer


@pytest.mark.parametrize("accept", [None, "application/json"])
def test_a_notification_or_response_is_accepted_whatever_its_client_accepts(server, session, accept):
    # Some clients send them with `Accept: application/json` only (f/mcptools#69): they get 202
    # and no body, so what the client accepts does not matter.
    for body in (b'{"jsonrpc":"2.0","method":"notifications/initialized"}', b'{"jsonrpc":"2.0","id":9,"result":{}}'):
        answer = server.post(body, **{"mcp-session-id": session, "accept": accept})
        assert (answer.status, answer.body) == (202, b""), answer


def test_accept_given_in_two_header_lines_is_one_list(server, session):
    # RFC 9110, 5.3: a list-valued field given twice is the comma-joined list.
    data = request("POST", PING, {"mcp-session-id": session, "accept": "application/json"})
    answer = server.exchange(data.replace(b"\r\n\r\n", b"\r\naccept: text/event-stream\r\n\r\n", 1))
    assert answer.status == 200, answer


# --- headers and methods ------------------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "PATCH", "HEAD", "OPTIONS", "TRACE"])
def test_other_methods_get_405_with_allow(server, session, method):
    answer = server.exchange(request(method, b"", {"mcp-session-id": session}))
    assert answer.status == 405, answer
    assert answer.headers["allow"] == "GET, POST, DELETE"
    if method != "HEAD":  # a HEAD answer has no body
        refused(answer, 405, -32600, f"Method {method} not allowed")
    server.serves(session)


@pytest.mark.parametrize("accept", ["text/event-stream", "application/json"])
def test_a_get_without_a_session_gets_405(server, accept):
    # basic/transports: a GET not served as a stream is 405, which SDK clients probing before
    # initialize take as "no stream here" (python-sdk#3129); a 400 made them give up.
    answer = server.exchange(request("GET", b"", {"accept": accept}))
    refused(answer, 405, -32600, "POST initialize, then GET with its Mcp-Session-Id")
    assert answer.headers["allow"] == "GET, POST, DELETE"


@pytest.mark.parametrize("path", ["/", "/nope", "/mcp/", "/MCP", "/mcp/../etc/passwd"])
def test_an_unknown_path_gets_404_naming_the_endpoint(server, session, path):
    refused(server.exchange(request("POST", PING, {"mcp-session-id": session}, path=path)), 404, -32600, "/mcp")
    server.serves(session)


@pytest.mark.parametrize(
    "header", ["mcp-session-id", "mcp-protocol-version", "last-event-id", "content-type", "authorization"]
)
def test_a_header_that_must_be_single_given_twice_gets_400(server, session, header):
    # Two copies would be read differently by a proxy (the first) and by us (the last): a load
    # balancer routing by Mcp-Session-Id would send the request to another session's worker.
    data = request("POST", PING, {"mcp-session-id": session})
    answer = server.exchange(data.replace(b"\r\n\r\n", f"\r\n{header}: x\r\n{header}: y\r\n\r\n".encode(), 1))
    refused(answer, 400, -32600, f"the {header} header is given more than once")
    server.serves(session)


@pytest.mark.parametrize("host", [None, "", " "])
def test_a_request_without_a_host_gets_400(server, session, host):
    refused(server.exchange(request("POST", PING, {"mcp-session-id": session, "host": host})), 400, -32600, "no Host")
    server.serves(session)


@pytest.mark.parametrize("session_id", ["séssion", "", " ", "a" * 10_000])
def test_a_session_id_that_is_not_ours_gets_404(server, session_id):
    answer = server.exchange(request("POST", PING, {"mcp-session-id": session_id}).replace("é".encode(), b"\xe9"))
    refused(answer, 404, -32600, "Session not found")


@pytest.mark.parametrize("version", ["garbage", "2025-13-45", "2025-11-25, 2025-06-18", "ß"])
def test_a_protocol_version_header_we_do_not_speak_gets_400(server, session, version):
    answer = server.exchange(
        request("POST", PING, {"mcp-session-id": session, "mcp-protocol-version": version}).replace(
            "ß".encode(), b"\xdf"
        )
    )
    assert answer.status == 400, answer
    assert answer.json()["error"]["code"] == -32600
    server.serves(session)


def test_huge_headers_get_431_and_the_server_serves_on(server, session):
    for fields in ({"x-big": "a" * 200_000}, {f"x-h{i}": "v" * 20 for i in range(5000)}):
        answer = server.exchange(request("POST", PING, {"mcp-session-id": session, **fields}))
        assert answer.status == 431, answer
        assert "max_header_bytes" in answer.json()["error"]["message"]
    server.serves(session)


# --- connections ----------------------------------------------------------------------------


@pytest.mark.parametrize("sent", [b"", b"POST /mc", b"POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\n"])
def test_a_client_stalling_in_its_headers_gets_408_and_others_are_served(spawn, sent):
    server = start(spawn, {"MCP_TOOLHOST_HTTP_READ_TIMEOUT": "0.5"})
    session = server.initialize()
    with server.connect() as stalled:
        stalled.sendall(sent)
        server.serves(session)  # meanwhile
        answer = Answer(_read_all(stalled))  # the server ends it
    refused(answer, 408, -32600, "headers did not arrive within 0.5 seconds")
    server.serves(session)


def test_a_kept_alive_connection_stalling_in_its_next_request_gets_408(spawn):
    server = start(spawn, {"MCP_TOOLHOST_HTTP_READ_TIMEOUT": "0.5"})
    session = server.initialize()
    with server.connect() as sock:
        first = request("POST", PING, {"mcp-session-id": session, "connection": "keep-alive"})
        sock.sendall(first + b"POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\n")  # and the rest never comes
        answers = _read_all(sock)
    assert answers.startswith(b"HTTP/1.1 200 "), answers
    refused(Answer(answers[answers.index(b"HTTP/1.1 408") :]), 408, -32600, "headers did not arrive")
    server.serves(session)


def test_a_client_trickling_its_headers_is_cut_off_at_the_deadline(spawn):
    server = start(spawn, {"MCP_TOOLHOST_HTTP_READ_TIMEOUT": "0.5"})
    with server.connect() as slow:
        for byte in request("POST", PING):
            try:
                slow.sendall(bytes([byte]))
            except OSError:  # closed by the server, as it should be
                break
            readable, _, _ = select.select([slow], [], [], 0.05)  # a byte per 50 ms, or the answer
            if readable:
                break
        answer = Answer(_read_all(slow))
    refused(answer, 408, -32600, "headers did not arrive")


# --- Last-Event-ID ----------------------------------------------------------------------------


def resume(server: Server, session: str, last_event_id: str) -> Answer:
    fields = {"mcp-session-id": session, "accept": "text/event-stream", "last-event-id": last_event_id}
    return server.exchange(request("GET", b"", fields))


@pytest.mark.parametrize("last_event_id", ["garbage", "1", "-1-2", "1-2-3", "٣-1", "9" * 5000 + "-1", "1-" + "9" * 30])
def test_a_last_event_id_that_is_not_ours_gets_400(server, session, last_event_id):
    answer = resume(server, session, last_event_id)
    refused(answer, 400, -32600, "Last-Event-ID")
    server.serves(session)


def test_a_last_event_id_past_what_was_sent_gets_404(server, session):
    # Stream 0 is the session's GET stream: nothing was sent on it, so event 5 never existed.
    refused(resume(server, session, "0-5"), 404, -32600, "never sent")
    server.serves(session)


def test_an_answer_sent_whole_as_json_is_not_kept(server):
    # It had no event id to resume from; kept, the last 16 answers of every session (16 MB each
    # at most) stayed in memory. Stream 1 is the session's first POST's.
    session = server.initialize()
    server.serves(session)
    refused(resume(server, session, "1-0"), 404, -32600, "stream 1 of this session is over and forgotten")


def test_a_last_event_id_of_another_session_finds_nothing_in_this_one(server, session):
    other = server.initialize()
    answer = server.post(PING, **{"mcp-session-id": other})  # stream 1 of the other session
    assert answer.status == 200
    refused(resume(server, session, "1-1"), 404, -32600, "stream 1 of this session")
    server.serves(session)


# --- 2026-07-28 -----------------------------------------------------------------------------


def stateless(server: Server, message: dict[str, Any], **headers: str) -> Answer:
    params = message.get("params")
    routing = {"mcp-protocol-version": "2026-07-28", "mcp-method": str(message.get("method"))}
    if isinstance(params, dict) and "name" in params:
        routing["mcp-name"] = params["name"]
    return server.post(json.dumps(message).encode(), **{**routing, **headers})


ADD = {"name": "add", "arguments": {"a": 1, "b": 2}}


@pytest.mark.parametrize(
    ("message", "says"),
    [
        ({"jsonrpc": "2.0", "id": None, "method": "tools/list", "params": {"_meta": ENVELOPE}}, '"id" must be'),
        ({"jsonrpc": "2.0", "id": 1.5, "method": "tools/list", "params": {"_meta": ENVELOPE}}, '"id" must be'),
        ({"jsonrpc": "2.0", "id": [1], "method": "tools/list", "params": {"_meta": ENVELOPE}}, '"id" must be'),
        ({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": [ENVELOPE]}, '"params" must be an object'),
        ({"jsonrpc": "2.0", "id": 1, "method": 5, "params": {"_meta": ENVELOPE}}, '"method" must be a string'),
        ({"id": 1, "method": "tools/list", "params": {"_meta": ENVELOPE}}, '"jsonrpc" must be exactly "2.0"'),
    ],
)
def test_a_stateless_post_that_is_no_request_gets_400(server, session, message, says):
    refused(stateless(server, message), 400, -32600, says, request_id=message["id"] if message["id"] == 1 else None)
    server.serves(session)


@pytest.mark.parametrize(
    ("meta", "header", "code", "says"),
    [
        (None, "2026-07-28", -32602, "envelope"),
        ({"io.modelcontextprotocol/protocolVersion": "2026-07-28"}, "2026-07-28", -32602, "clientCapabilities"),
        (ENVELOPE, "2025-11-25", -32020, "mcp-protocol-version"),
        ({**ENVELOPE, "io.modelcontextprotocol/protocolVersion": "2030-01-01"}, "2030-01-01", -32022, "2030-01-01"),
    ],
)
def test_a_stateless_envelope_missing_or_disagreeing_is_refused(server, session, meta, header, code, says):
    params = {**ADD, "_meta": meta} if meta is not None else ADD
    answer = stateless(
        server,
        {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": params},
        **{"mcp-protocol-version": header},
    )
    refused(answer, 400, code, says, request_id=7)
    server.serves(session)


@pytest.mark.parametrize("state", ["garbage", 5, {"a": 1}, "v1." + "A" * 400_000])
def test_a_request_state_that_is_not_ours_is_refused(server, session, state):
    params = {**ADD, "_meta": ENVELOPE, "requestState": state}
    answer = stateless(server, {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": params})
    refused(answer, 400, -32602, "requestState", request_id=7)
    server.serves(session)


def test_a_stateless_request_with_a_session_id_is_served_without_it(server, session):
    listing = {"jsonrpc": "2.0", "id": 7, "method": "tools/list", "params": {"_meta": ENVELOPE}}
    for session_id in (session, "ended-or-never-existed"):
        answer = stateless(server, listing, **{"mcp-session-id": session_id})
        assert answer.status == 200, answer
        assert "add" in {tool["name"] for tool in answer.json()["result"]["tools"]}
    server.serves(session)


def test_input_responses_for_no_question_are_ignored(server, session):
    for responses in ({"question-9": {"action": "accept", "content": {}}}, {}):
        params = {**ADD, "_meta": ENVELOPE, "inputResponses": responses}
        answer = stateless(server, {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": params})
        assert answer.json()["result"]["structuredContent"] == {"result": 3}, answer


def test_a_client_gone_mid_stream_loses_nothing_but_what_the_bounded_store_drops(spawn, tmp_path):
    server = start(spawn, {"MCP_TOOLHOST_SSE_REPLAY_EVENTS": "5"})
    session = server.initialize()
    go, reported = tmp_path / "go", tmp_path / "reported"
    os.mkfifo(go)
    os.mkfifo(reported)
    arguments = {"go": str(go), "reported": str(reported), "steps": 50}
    params = {"name": "reports_when_told", "arguments": arguments, "_meta": {"progressToken": "t"}}
    body = json.dumps({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": params}).encode()
    with server.connect() as sock:
        sock.sendall(request("POST", body, {"mcp-session-id": session}))
        first = b""
        while b"notifications/progress" not in first:
            first += sock.recv(65536)
    last_event_id = re.findall(rb"id: (\d+-\d+)\n(?:event: message\n)?data: {", first)[-1].decode()
    go.write_text("go")  # the client is gone: the call goes on, 50 events for nobody
    assert read_fifo(reported) == "reported"
    answer = resume(server, session, last_event_id)
    assert answer.status == 200, answer
    messages = [json.loads(line[6:]) for line in answer.body.decode().splitlines() if line.startswith("data: {")]
    # The store kept the last 5 events; the answer may have come after the GET took them.
    assert len(messages[:-1]) <= 5, f"the store keeps 5 events, {len(messages) - 1} were replayed"
    assert messages[-1] == {"jsonrpc": "2.0", "id": 5, "result": {"content": [{"type": "text", "text": "reported"}]}}
    assert [m["params"]["progress"] for m in messages[:-1]] == list(range(52 - len(messages), 51))
    server.serves(session)


def test_a_second_get_stream_takes_the_stream_over(server, session):
    # The first connection may be dead without the server knowing (a laptop that slept): the
    # client's new GET must not be refused for as long as the old one lingers. basic/transports:
    # each message goes on one stream only, so the first response ends.
    with server.get_stream(session) as first:
        assert first.recv(65536).startswith(b"HTTP/1.1 200 "), "the first GET stream did not open"
        with server.get_stream(session) as second:
            assert second.recv(65536).startswith(b"HTTP/1.1 200 "), "the second GET stream was refused"
            assert _read_all(first).endswith(b"0\r\n\r\n"), "the first response did not end"
            server.serves(session)


def test_max_sessions_gets_503_until_one_is_deleted(spawn):
    server = start(spawn, {"MCP_TOOLHOST_MAX_SESSIONS": "2"})
    sessions = [server.initialize(), server.initialize()]
    full = server.post(json.dumps(INITIALIZE).encode())
    refused(full, 503, -32600, "max_sessions")
    assert full.headers["retry-after"] == "1"
    deleted = server.exchange(request("DELETE", b"", {"mcp-session-id": sessions[0]}))
    assert deleted.status == 200, deleted
    server.serves(server.initialize())
    server.serves(sessions[1])


async def test_one_bad_request_among_many_concurrent_ones_harms_none(server, session):
    import httpx

    headers = {"accept": "application/json, text/event-stream", "mcp-session-id": session}
    good = {"jsonrpc": "2.0", "id": 0, "method": "tools/call", "params": {"name": "add", "arguments": {"a": 1}}}
    async with httpx.AsyncClient(timeout=TIMEOUT, headers=headers) as client:

        def send(number: int) -> Any:
            if number == 13:
                return client.post(server.url, content=b'{"jsonrpc":', headers={"content-type": "application/json"})
            return client.post(
                server.url, json={**good, "id": number, "params": {**good["params"], "arguments": {"a": number}}}
            )

        answers = await asyncio.gather(*(send(number) for number in range(40)))
    for number, answer in enumerate(answers):
        if number == 13:
            assert answer.status_code == 400 and answer.json()["error"]["code"] == -32700
        else:
            assert answer.json() == {"jsonrpc": "2.0", "id": number, "result": answer.json()["result"]}
            assert answer.json()["result"]["structuredContent"] == {"result": number}


def test_a_websocket_upgrade_is_answered_as_plain_http(server, session):
    upgrade = {"connection": "upgrade", "upgrade": "websocket", "sec-websocket-version": "13"}
    fields = {**upgrade, "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "mcp-session-id": session}
    answer = server.exchange(request("GET", b"", {**fields, "accept": "application/json"}))
    refused(answer, 406, -32600, "a GET must accept text/event-stream")
    server.serves(session)


def test_a_quiet_sse_stream_carries_keepalive_comments(spawn):
    # Only writing finds a client gone without a word (its stream then ends and frees the
    # session); proxies cut connections that carry nothing.
    server = start(spawn, {"MCP_TOOLHOST_SSE_KEEPALIVE": "0.2"})
    session = server.initialize()
    with server.get_stream(session) as stream:
        seen = b""
        while seen.count(b": keepalive\n\n") < 2:
            chunk = stream.recv(65536)
            assert chunk, f"the stream ended: {seen!r}"
            seen += chunk
    server.serves(session)
