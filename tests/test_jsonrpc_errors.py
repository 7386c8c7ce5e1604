"""JSON-RPC 2.0 exactly: every malformed input gets the right error, and the server keeps serving."""

import json

import pytest
from conftest import FIXTURES
from test_eras import envelope

TOOLS = str(FIXTURES / "core_tools.py")


def assert_error(message, code, request_id):
    assert message.get("jsonrpc") == "2.0", message
    assert message.get("id", "missing") == request_id, message
    assert message["error"]["code"] == code, message
    assert isinstance(message["error"]["message"], str) and message["error"]["message"]


def assert_alive(server):
    response = server.request("ping")
    assert response["result"] == {}


def test_malformed_json_gets_parse_error_with_null_id(server):
    server.send_raw(b'{"jsonrpc": "2.0", "id": 1, "method": "ping"\n')
    assert_error(server.recv(), -32700, None)
    assert_alive(server)


@pytest.mark.parametrize(
    "line",
    [b"\xff\xfe\x00garbage", b'{"jsonrpc":"2.0","id":1,"method":"\xc3\x28"}', b"\x00\x01\x02\x03", b"NaN", b"[1,"],
    ids=["binary", "invalid-utf8", "control-bytes", "nan", "truncated"],
)
def test_binary_and_invalid_utf8_lines_get_parse_error(server, line):
    server.send_raw(line + b"\n")
    assert_error(server.recv(), -32700, None)
    assert_alive(server)


def test_batch_outside_2025_03_26_is_invalid_request(server):
    server.send([{"jsonrpc": "2.0", "id": 1, "method": "ping"}])
    assert_error(server.recv(), -32600, None)
    assert_alive(server)


@pytest.mark.parametrize(
    ("message", "expected_id"),
    [
        ({"jsonrpc": "2.0", "id": 7}, 7),
        ({"jsonrpc": "1.0", "id": 8, "method": "ping"}, 8),
        ({"id": 9, "method": "ping"}, 9),
        ({"jsonrpc": "2.0", "id": 10, "method": 42}, 10),
        ({"jsonrpc": "2.0", "id": 1.5, "method": "ping"}, None),
        ({"jsonrpc": "2.0", "id": True, "method": "ping"}, None),
        ({"jsonrpc": "2.0", "id": None, "method": "ping"}, None),
        ({"jsonrpc": "2.0", "id": {"a": 1}, "method": "ping"}, None),
        ({"jsonrpc": "2.0", "id": 11, "method": "ping", "params": [1, 2]}, 11),
        ("just a string", None),
        (42, None),
    ],
    ids=[
        "no-method",
        "wrong-version",
        "no-jsonrpc",
        "method-not-string",
        "float-id",
        "bool-id",
        "null-id",
        "object-id",
        "params-array",
        "string",
        "number",
    ],
)
def test_invalid_requests_get_invalid_request(server, message, expected_id):
    server.send(message)
    assert_error(server.recv(), -32600, expected_id)
    assert_alive(server)


def test_unknown_method_is_method_not_found(server):
    assert_error(server.request("tools/frobnicate", request_id=5), -32601, 5)


@pytest.mark.parametrize(
    ("method", "capability"),
    [
        ("prompts/list", "prompts"),
        ("prompts/get", "prompts"),
        ("resources/read", "resources"),
        ("completion/complete", "completions"),
    ],
)
def test_methods_of_an_undeclared_capability_are_method_not_found_in_both_eras(server, method, capability):
    """core_tools.py serves tools only: initialize and server/discover declare no prompts, resources, completions."""
    assert capability not in server.request("server/discover", envelope())["result"]["capabilities"]
    for params in ({"name": "x", "uri": "test://x"}, {"name": "x", "uri": "test://x", **envelope()}):
        error = server.request(method, params)["error"]
        assert error["code"] == -32601, error
        assert (
            error["message"]
            == f"Method not found: {method}; this server declares no {capability} capability (it serves none)"
        )
    assert_alive(server)


def test_string_ids_are_echoed_exactly(server):
    response = server.request("ping", request_id="abc-ü-1")
    assert response == {"jsonrpc": "2.0", "id": "abc-ü-1", "result": {}}


def test_unknown_notification_draws_nothing(server):
    server.notify("notifications/whatever", {"x": 1})
    server.notify("notifications/cancelled", {"requestId": "never-sent"})
    # The next message on stdout is the ping's answer: nothing was said in between.
    server.send({"jsonrpc": "2.0", "id": "after", "method": "ping"})
    assert server.recv() == {"jsonrpc": "2.0", "id": "after", "result": {}}


def test_response_from_client_is_routed_not_crashed(server):
    server.send({"jsonrpc": "2.0", "id": 99, "result": {}})
    server.send({"jsonrpc": "2.0", "id": 98, "error": {"code": 1, "message": "x"}})
    server.send({"jsonrpc": "2.0", "id": "after", "method": "ping"})
    assert server.recv() == {"jsonrpc": "2.0", "id": "after", "result": {}}


@pytest.mark.parametrize(
    "params",
    [{}, {"name": 5}, {"name": "add", "arguments": [1, 2]}, {"name": "add", "arguments": "a=1"}],
    ids=["no-name", "name-not-string", "arguments-array", "arguments-string"],
)
def test_malformed_tool_call_params_are_invalid_params(server, params):
    assert_error(server.request("tools/call", params, request_id=3), -32602, 3)


def test_unknown_tool_is_a_protocol_error_not_a_result(server):
    response = server.call("no_such_tool", {})
    assert response["error"]["code"] == -32602
    assert "no_such_tool" in response["error"]["message"]


def test_duplicate_id_of_a_request_in_flight_is_refused(server):
    server.send(
        {"jsonrpc": "2.0", "id": "dup", "method": "tools/call", "params": {"name": "wait", "arguments": {"seconds": 5}}}
    )
    server.send({"jsonrpc": "2.0", "id": "dup", "method": "ping"})
    assert_error(server.recv(), -32600, "dup")
    server.notify("notifications/cancelled", {"requestId": "dup"})
    assert_alive(server)


def test_crlf_line_endings_and_blank_lines_are_tolerated(server):
    server.send_raw(b'\r\n\n{"jsonrpc":"2.0","id":"crlf","method":"ping"}\r\n')
    assert server.recv() == {"jsonrpc": "2.0", "id": "crlf", "result": {}}


def test_last_message_without_newline_is_answered_at_eof(spawn):
    server = spawn("serve", "--no-builtins")
    server.send_raw(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}).encode())
    server.close_stdin()
    assert server.recv() == {"jsonrpc": "2.0", "id": 1, "result": {}}
    assert server.wait() == 0
