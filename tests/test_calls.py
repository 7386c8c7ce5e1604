"""Tool calls: concurrency, cancellation, timeouts, failures and limits, through the real process."""

import os
import select
import time

import pytest
from conftest import FIXTURES

TOOLS = str(FIXTURES / "core_tools.py")


def call_message(request_id, name, arguments, **params):
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "tools/call",
        "params": {"name": name, "arguments": arguments, **params},
    }


def test_a_slow_tool_never_delays_ping_or_other_calls(server):
    server.send(call_message("slow", "wait", {"seconds": 30}))
    server.send(call_message("blocked", "block", {"seconds": 30}))
    server.send({"jsonrpc": "2.0", "id": "ping", "method": "ping"})
    server.send(call_message("fast", "add", {"a": 1, "b": 1}))
    first, second = server.recv(), server.recv()
    assert {first["id"], second["id"]} == {"ping", "fast"}
    for request_id in ("slow", "blocked"):
        server.notify("notifications/cancelled", {"requestId": request_id, "reason": "test over"})


def test_calls_run_concurrently(server):
    started = time.monotonic()
    for i in range(50):
        server.send(call_message(i, "wait", {"seconds": 0.5}))
    answers = [server.recv() for _ in range(50)]
    elapsed = time.monotonic() - started
    assert sorted(a["id"] for a in answers) == list(range(50))
    assert all(a["result"]["content"][0]["text"] == "done" for a in answers)
    assert elapsed < 5, f"50 calls of 0.5 s took {elapsed:.1f} s: they were serialized"


def test_answers_go_out_as_they_finish(server):
    server.send(call_message("slow", "wait", {"seconds": 1}))
    server.send(call_message("quick", "wait", {"seconds": 0}))
    assert server.recv()["id"] == "quick"
    assert server.recv()["id"] == "slow"


def test_cancelled_call_is_stopped_and_never_answered(server, tmp_path):
    marker = tmp_path / "cancelled"
    server.send(call_message("victim", "wait", {"seconds": 60, "marker": str(marker)}))
    server.send(call_message("witness", "add", {"a": 1}))
    assert server.recv()["id"] == "witness"  # the victim is running by now
    server.notify("notifications/cancelled", {"requestId": "victim", "reason": "user pressed stop"})
    assert server.request("ping")["result"] == {}
    server.close_stdin()
    assert server.wait() == 0
    rest = [server.recv() for _ in range(server.lines.qsize() - 1)]
    assert all(message.get("id") != "victim" for message in rest), rest
    assert marker.read_text() == "cancelled"


def test_cancelling_a_blocked_sync_tool_answers_nothing_and_frees_the_server(server):
    server.send(call_message("stuck", "block", {"seconds": 30}))
    server.notify("notifications/cancelled", {"requestId": "stuck"})
    assert server.request("ping")["result"] == {}


def test_tool_timeout_is_an_error_result(spawn):
    server = spawn("serve", "--no-builtins", "--tools", TOOLS, env={"MCP_TOOLHOST_TOOL_TIMEOUT": "0.2"})
    server.initialize()
    result = server.call("wait", {"seconds": 30})["result"]
    assert result["isError"] is True
    assert "timed out after 0.2 seconds" in result["content"][0]["text"]
    assert server.call("add", {"a": 2})["result"]["content"][0]["text"] == "2"


def test_per_tool_timeout_override(spawn, tmp_path):
    config = tmp_path / "mcp-toolhost.toml"
    config.write_text("tool_timeout = 30\n[tool_timeouts]\nblock = 0.2\n")
    server = spawn("serve", "--no-builtins", "--tools", TOOLS, "--config", str(config))
    server.initialize()
    result = server.call("block", {"seconds": 5})["result"]
    assert result["isError"] is True and "timed out" in result["content"][0]["text"]


def test_exception_becomes_an_error_result_without_traceback(server):
    result = server.call("fail", {"message": "disk on fire"})["result"]
    assert result["isError"] is True
    text = result["content"][0]["text"]
    assert "ValueError: disk on fire" in text
    assert "Traceback" not in text and "core_tools.py" not in text


def test_tool_error_message_is_passed_as_is(server):
    result = server.call("refuse", {"message": "Try a smaller file."})["result"]
    assert result == {"content": [{"type": "text", "text": "Try a smaller file."}], "isError": True}


def test_sys_exit_in_a_tool_does_not_stop_the_server(server):
    result = server.call("leave")["result"]
    assert result["isError"] is True and "SystemExit" in result["content"][0]["text"]
    assert server.request("ping")["result"] == {}


def test_a_validator_raising_system_exit_fails_only_its_call(spawn, tmp_path):
    """User code runs while a call's arguments are checked (a validator of the user's type): what it
    raises, even a BaseException, fails that call only."""
    tools = tmp_path / "exiting.py"
    tools.write_text(
        "from typing import Annotated\n"
        "from pydantic import AfterValidator\n"
        "from mcp_toolhost import prompt, tool\n\n"
        "def leave(value: str) -> str:\n"
        "    raise SystemExit(3)\n\n"
        "@tool\n"
        "def checked(name: Annotated[str, AfterValidator(leave)]) -> str:\n"
        "    return name\n\n"
        "@prompt\n"
        "def checked_prompt(name: Annotated[str, AfterValidator(leave)]) -> str:\n"
        "    return name\n"
    )
    server = spawn("serve", "--no-builtins", "--tools", str(tools))
    server.initialize()
    result = server.call("checked", {"name": "x"})["result"]
    assert result == {
        "content": [{"type": "text", "text": "Tool 'checked' failed while checking its arguments: SystemExit: 3"}],
        "isError": True,
    }
    error = server.request("prompts/get", {"name": "checked_prompt", "arguments": {"name": "x"}})["error"]
    assert error == {
        "code": -32603,
        "message": "Prompt 'checked_prompt' failed while checking its arguments: SystemExit: 3",
    }
    assert server.request("ping")["result"] == {}


def test_result_over_the_size_cap_is_a_clear_error(spawn):
    server = spawn("serve", "--no-builtins", "--tools", TOOLS, env={"MCP_TOOLHOST_MAX_RESULT_BYTES": "10000"})
    server.initialize()
    assert server.call("big", {"size": 100})["result"]["content"][0]["text"] == "x" * 100
    result = server.call("big", {"size": 20000})["result"]
    assert result["isError"] is True
    assert "10000 byte limit" in result["content"][0]["text"]


def test_image_content(server):
    block = server.call("pixel")["result"]["content"][0]
    assert block == {"type": "image", "data": "iVBORw0KGgo=", "mimeType": "image/png"}


def test_concurrency_bound_queues_calls_beyond_it(spawn):
    server = spawn("serve", "--no-builtins", "--tools", TOOLS, env={"MCP_TOOLHOST_MAX_CONCURRENT_CALLS": "1"})
    server.initialize()
    server.send(call_message("first", "wait", {"seconds": 60}))
    server.send(call_message("second", "wait", {"seconds": 0}))
    server.send({"jsonrpc": "2.0", "id": "ping", "method": "ping"})
    assert server.recv()["id"] == "ping"  # the second call waits for the first's slot
    server.notify("notifications/cancelled", {"requestId": "first"})
    assert server.recv()["id"] == "second"


# --- oversized input -----------------------------------------------------------------


def vm_hwm_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_over_long_line_is_answered_skipped_and_memory_stays_bounded(spawn):
    server = spawn("serve", "--no-builtins", env={"MCP_TOOLHOST_MAX_MESSAGE_BYTES": "100000"})
    server.initialize()
    before = vm_hwm_kib(server.proc.pid)
    chunk = b"x" * (1 << 20)
    server.send_raw(b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"')
    for _ in range(64):  # 64 MiB in one line
        server.send_raw(chunk)
    server.send_raw(b'"}}\n')
    error = server.recv()
    assert error["id"] is None and error["error"]["code"] == -32600
    assert "100000 byte limit" in error["error"]["message"]
    assert server.request("ping")["result"] == {}
    grown_mib = (vm_hwm_kib(server.proc.pid) - before) / 1024
    assert grown_mib < 16, f"peak memory grew by {grown_mib:.0f} MiB while skipping a 64 MiB line"


def test_a_2_mib_line_within_the_default_limit_is_served_whole(server):
    text = "y" * (2 << 20)
    response = server.request("tools/call", {"name": "refuse", "arguments": {"message": text}})
    assert response["result"]["content"][0]["text"] == text  # all of it, there and back
    assert server.call("add", {"a": 1, "b": 2})["result"]["content"][0]["text"] == "3"


# --- shutdown ----------------------------------------------------------------------------


def test_eof_lets_in_flight_calls_finish_then_exits_zero(server):
    server.send(call_message("late", "wait", {"seconds": 0.3}))
    server.close_stdin()
    assert server.recv()["id"] == "late"
    assert server.wait() == 0


def test_eof_cancels_calls_that_outlive_the_grace_period(spawn):
    server = spawn("serve", "--no-builtins", "--tools", TOOLS, env={"MCP_TOOLHOST_SHUTDOWN_GRACE": "0.2"})
    server.initialize()
    server.send(call_message("forever", "wait", {"seconds": 600}))
    server.send(call_message("stuck", "block", {"seconds": 600}))
    server.close_stdin()
    started = time.monotonic()
    assert server.wait(timeout=5) == 0
    assert time.monotonic() - started < 2, "clients kill a server that takes over 2 s to exit"


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_signals_shut_down_cleanly(server, signal_name):
    import signal

    server.send(call_message("busy", "wait", {"seconds": 600}))
    assert server.request("ping")["result"] == {}
    server.proc.send_signal(getattr(signal, signal_name))
    assert server.wait(timeout=5) == 0


def test_server_exits_when_its_parent_dies(tmp_path):
    """The client dies without closing our stdin: the server must not live on as an orphan."""
    import subprocess
    import sys

    from conftest import executable

    fifo = tmp_path / "stdin"
    os.mkfifo(fifo)
    holder = os.open(fifo, os.O_RDWR)  # keeps the pipe open: no EOF will come
    # The parent starts the server, waits for its answer to a ping (so it is serving),
    # reports the server's pid, and then is killed.
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys\n"
            f"child = subprocess.Popen([{executable()!r}, 'serve', '--no-builtins'], stdin=open({str(fifo)!r}),"
            " stdout=subprocess.PIPE)\n"
            "child.stdout.readline()\n"
            "print(child.pid, flush=True)\n"
            "sys.stdin.readline()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        os.write(holder, b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n')
        child_pid = int(parent.stdout.readline())
        pidfd = os.pidfd_open(child_pid)
        parent.kill()
        parent.wait()
        ready, _, _ = select.select([pidfd], [], [], 10)
        assert ready, "the server outlived its parent by 10 s"
    finally:
        os.close(holder)
        parent.kill()


def test_a_flood_of_pipelined_calls_is_all_answered_within_the_pending_bound(spawn):
    # With one slot, at most 4 calls are pending: the server stops reading past that and
    # resumes as calls finish, so memory stays bounded and nothing is lost.
    server = spawn("serve", "--no-builtins", "--tools", TOOLS, env={"MCP_TOOLHOST_MAX_CONCURRENT_CALLS": "1"})
    server.initialize()
    for i in range(40):
        server.send(call_message(i, "wait", {"seconds": 0.001}))
    server.send({"jsonrpc": "2.0", "id": "ping", "method": "ping"})
    answered = {server.recv()["id"] for _ in range(41)}
    assert answered == {*range(40), "ping"}


def test_thousands_of_bad_arguments_get_a_bounded_error(server):
    arguments = {f"junk{i}": i for i in range(5000)}
    text = server.call("add", {"a": 1, **arguments})["result"]["content"][0]["text"]
    assert "and 4980 more problems" in text and len(text) < 2000
