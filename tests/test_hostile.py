"""Hostile or unlucky input found by trying the server with other clients and odd tools.

Each case: the server answers correctly and keeps serving.
"""

import json
import subprocess
import threading

import pytest
from conftest import FIXTURES, TIMEOUT, executable

TOOLS = str(FIXTURES / "core_tools.py")
ENVELOPE = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
}


def assert_alive(server):
    assert server.request("ping")["result"] == {}


def test_text_that_is_not_valid_unicode_is_sent_with_replacement_characters(server):
    assert server.call("undecodable")["result"]["content"][0]["text"] == "bad\ufffd name.txt"
    refused = server.call("refuse_undecodable")["result"]
    assert refused["isError"] is True and refused["content"][0]["text"] == "cannot open bad\ufffd name.txt"
    assert_alive(server)


def test_escaped_lone_surrogate_in_a_request_keeps_its_id(server):
    # What JavaScript's JSON.stringify sends for a string cut in the middle of an emoji.
    server.send_raw(
        b'{"jsonrpc":"2.0","id":"cut","method":"tools/call",'
        b'"params":{"name":"refuse","arguments":{"message":"\\ud83d\\ude00\\ud83d"}}}\n'
    )
    answer = server.recv()
    assert answer["id"] == "cut"
    assert answer["result"]["content"][0]["text"] == "\U0001f600\ufffd"


def test_a_tools_own_cancelled_error_fails_that_call_only(server):
    result = server.call("cancelled_from_within")["result"]
    assert result["isError"] is True and "cancelled from within" in result["content"][0]["text"]
    assert_alive(server)


def test_keyboard_interrupt_from_a_tool_fails_that_call_only(server):
    result = server.call("interrupted")["result"]
    assert result["isError"] is True and "KeyboardInterrupt" in result["content"][0]["text"]
    assert_alive(server)


def test_progress_values_json_cannot_hold_are_dropped(server):
    server.call("odd_progress", _meta={"progressToken": "t"})
    progress = [n["params"] for n in server.notifications if n["method"] == "notifications/progress"]
    assert progress == [{"progressToken": "t", "progress": 1}]


def test_an_id_is_free_again_as_soon_as_its_call_is_cancelled(server):
    server.send(
        {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "wait", "arguments": {"seconds": 60}}}
    )
    server.notify("notifications/cancelled", {"requestId": 5})
    again = server.request("tools/call", {"name": "add", "arguments": {"a": 1}}, request_id=5)
    assert again["result"]["content"][0]["text"] == "1"


def test_listen_inside_a_2025_03_26_batch_does_not_hold_the_batch(spawn):
    server = spawn("serve", "--no-builtins")
    server.initialize("2025-03-26")
    server.send(
        [
            {"jsonrpc": "2.0", "id": 6, "method": "ping"},
            {
                "jsonrpc": "2.0",
                "id": 7,
                "method": "subscriptions/listen",
                "params": {"notifications": {}, "_meta": ENVELOPE},
            },
        ]
    )
    # Either may come first (the acknowledgement waits for any file watch to be in place).
    received = [server.recv(), server.recv()]
    batch = [message for message in received if isinstance(message, list)]
    assert batch == [[{"jsonrpc": "2.0", "id": 6, "result": {}}]], received
    assert any(isinstance(m, dict) and m["method"] == "notifications/subscriptions/acknowledged" for m in received)


def test_open_subscriptions_are_closed_with_an_empty_result_at_shutdown(spawn):
    server = spawn("serve", "--no-builtins")
    server.send(
        {
            "jsonrpc": "2.0",
            "id": "sub",
            "method": "subscriptions/listen",
            "params": {"notifications": {}, "_meta": ENVELOPE},
        }
    )
    assert server.recv()["method"] == "notifications/subscriptions/acknowledged"
    server.close_stdin()
    closing = server.recv()
    assert closing["id"] == "sub" and closing["result"]["resultType"] == "complete"
    assert closing["result"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "sub"
    assert server.wait() == 0


def test_an_over_long_last_line_at_eof_is_answered(spawn):
    server = spawn("serve", "--no-builtins", env={"MCP_TOOLHOST_MAX_MESSAGE_BYTES": "1000"})
    server.send_raw(b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"' + b"x" * 5000)
    server.close_stdin()
    error = server.recv()
    assert error["id"] is None and error["error"]["code"] == -32600
    assert server.wait() == 0


def vm_hwm_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def test_queued_input_is_bounded_in_bytes_while_the_client_does_not_read():
    limit = 1_000_000
    proc = subprocess.Popen(
        [executable(), "serve", "--no-builtins", "--tools", TOOLS],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**__import__("os").environ, "MCP_TOOLHOST_MAX_MESSAGE_BYTES": str(limit)},
    )
    try:
        proc.stdin.write(b'{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25"}}\n')
        proc.stdin.flush()
        proc.stdout.readline()
        before = vm_hwm_mib(proc.pid)
        pad = b"y" * (limit - 100)
        lines = [
            b'{"jsonrpc":"2.0","id":"b%d","method":"tools/call","params":{"name":"big","arguments":{"size":1000000}}}\n'
            % i
            for i in range(8)  # 8 MB of answers nobody reads: the server stops handling input
        ] + [b'{"jsonrpc":"2.0","id":"p%d","method":"ping","params":{"pad":"%s"}}\n' % (i, pad) for i in range(60)]
        written = threading.Event()

        def write_all():
            for line in lines:
                proc.stdin.write(line)
            proc.stdin.flush()
            written.set()

        writer = threading.Thread(target=write_all, daemon=True)
        writer.start()
        writer.join(timeout=3)  # blocked once the server stops reading: that is the point
        grown = vm_hwm_mib(proc.pid) - before
        assert grown < 30, f"the server buffered {grown:.0f} MiB of 68 MB sent while its output was not read"
        answers = 0
        while answers < 68:  # now read: everything is answered after all
            if "id" in json.loads(proc.stdout.readline()):
                answers += 1
        assert written.wait(timeout=10)
    finally:
        proc.kill()
        proc.wait()


def test_a_cancel_naming_true_does_not_cancel_request_1(server):
    server.send(
        {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "wait", "arguments": {"seconds": 0.3}}}
    )
    server.notify("notifications/cancelled", {"requestId": True})
    assert server.recv_response(1)["result"]["content"][0]["text"] == "done"


def test_structured_results_with_text_that_is_not_valid_unicode(server):
    result = server.call("undecodable_listing")["result"]
    assert not result.get("isError"), result
    assert result["structuredContent"] == {"names": ["ok.txt", "bad\ufffd.txt"]}
    assert "bad\ufffd.txt" in result["content"][0]["text"]


def nested(kind, depth, inner="1"):
    """JSON text nested `depth` levels deep: `[[...]]` or `{"a":{"a":...}}`."""
    if kind == "array":
        return "[" * depth + inner + "]" * depth
    return '{"a":' * depth + inner + "}" * depth


@pytest.mark.parametrize("kind", ["array", "object"])
def test_json_nested_too_deeply_is_a_parse_error_even_before_initialize(spawn, kind):
    server = spawn("serve", "--no-builtins")
    for depth in (1_100, 100_000):
        server.send_raw(nested(kind, depth).encode() + b"\n")
        error = server.recv()
        assert error["id"] is None and error["error"]["code"] == -32700, error
        assert "nested too deeply" in error["error"]["message"]
    server.initialize()
    assert_alive(server)


def echo_request(request_id, value, meta=""):
    return (
        f'{{"jsonrpc":"2.0","id":{request_id},"method":"tools/call",'
        f'"params":{{"name":"echo","arguments":{{"value":{value}}}{meta}}}}}\n'
    ).encode()


def result_text(line):
    """The text of a result, read without parsing the line (Python's json stops near 1,000 levels)."""
    head = b'"content":[{"type":"text","text":'
    assert head in line, line[:300]
    return json.loads(line[line.index(head) + len(head) : line.index(b"}]", line.index(head))])


@pytest.mark.parametrize("kind", ["array", "object"])
def test_params_nested_1000_deep_are_served_in_both_eras(server, kind):
    value = nested(kind, 1_000)  # orjson reads 1,024 levels, writes 255; Python recurses 1,000
    server.send_raw(echo_request(1, value))
    assert result_text(server.lines.get(timeout=TIMEOUT)) == value
    # 2026-07-28: the envelope in _meta, its client name and a progress token as deep as the value
    envelope = json.dumps(ENVELOPE)[1:-1]
    meta = f'{{{envelope},"io.modelcontextprotocol/clientInfo":{{"name":{value}}},"progressToken":{value}}}'
    server.send_raw(echo_request(2, value, f',"_meta":{meta}'))
    stateless = server.lines.get(timeout=TIMEOUT)
    assert result_text(stateless) == value and b'"resultType":"complete"' in stateless
    assert_alive(server)


def test_deep_values_with_lone_surrogates_take_the_slow_path_both_ways(server):
    server.send_raw(echo_request(1, nested("array", 900, '"\\ud83d"')))
    assert result_text(server.lines.get(timeout=TIMEOUT)) == nested("array", 900, '"\ufffd"')
    assert_alive(server)


def test_a_client_name_nested_deeply_is_logged_without_failing_initialize(spawn):
    server = spawn("--log-level", "info", "serve", "--no-builtins")
    params = f'{{"protocolVersion":"2025-11-25","capabilities":{{}},"clientInfo":{{"name":{nested("object", 1_000)}}}}}'
    server.send_raw(f'{{"jsonrpc":"2.0","id":1,"method":"initialize","params":{params}}}\n'.encode())
    assert server.recv()["result"]["protocolVersion"] == "2025-11-25"
    server.wait_for_stderr("nested too deeply to show")
    assert_alive(server)


def test_lone_surrogate_ids_are_echoed_exactly_and_never_collide(server):
    for request_id in ("\\ud800", "\\ud801"):  # two ids, both in flight at once
        server.send_raw(
            b'{"jsonrpc":"2.0","id":"%s","method":"tools/call","params":{"name":"wait","arguments":{"seconds":0.2}}}\n'
            % request_id.encode()
        )
    server.send_raw(b'{"jsonrpc":"2.0","id":"\\udc00","method":"ping"}\n')
    server.send_raw(b'{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"\\ud801"}}\n')
    lines = [server.lines.get(timeout=TIMEOUT) for _ in range(2)]
    assert lines == [
        b'{"jsonrpc":"2.0","id":"\\udc00","result":{}}\n',
        b'{"jsonrpc":"2.0","id":"\\ud800","result":{"content":[{"type":"text","text":"done"}]}}\n',
    ]
    assert_alive(server)  # and "\ud801" was cancelled: never answered


def test_a_lone_surrogate_progress_token_comes_back_exactly(server):
    server.send_raw(
        b'{"jsonrpc":"2.0","id":1,"method":"tools/call",'
        b'"params":{"name":"progress","arguments":{"steps":1},"_meta":{"progressToken":"\\ud802"}}}\n'
    )
    progress = server.lines.get(timeout=TIMEOUT)
    assert b'"progressToken":"\\ud802"' in progress, progress
    assert server.recv_response(1)["result"]["content"][0]["text"] == "finished"
