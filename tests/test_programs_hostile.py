"""Child programs that fight back, through the real process: endless output, escaped descendants.

A program that writes forever must be answered on its timeout, and the server must
still exit afterwards; a descendant that leaves the program's session (`setsid`) must
not outlive the call, nor the server.
"""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

from conftest import TIMEOUT, McpProcess, wait_until_gone
from fixtures.builtins_support import error_text, structured

# Like `yes`, but through a 1 MiB pipe (F_SETPIPE_SZ), so that whatever is left in the
# pipe when it is killed is more than asyncio's reader buffers before pausing.
FLOOD = """
import fcntl, os
fcntl.fcntl(1, 1031, 1 << 20)
chunk = b"y\\n" * 32768
while True:
    os.write(1, chunk)
"""

# Forks a child that leaves the session and sleeps, holding stdout open; tells its pid
# (in a file when argv[1] names one, else on stdout); then sleeps argv[2] seconds.
ESCAPE = """
import os, sys, time
pid = os.fork()
if pid == 0:
    os.setsid()
    time.sleep(1000)
    os._exit(0)
if len(sys.argv) > 1 and sys.argv[1]:
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(pid))
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
else:
    print(pid, flush=True)
time.sleep(float(sys.argv[2]) if len(sys.argv) > 2 else 0)
"""


def start(spawn, root: Path, *args: str) -> McpProcess:
    allow = ("--allow-command", "sh", "--allow-command", "echo", "--allow-command", sys.executable)
    server = spawn("serve", "--root", str(root), "--builtins", "system", *allow, *args)
    server.initialize()
    return server


def call_in_background(server: McpProcess, request_id: str, arguments: dict[str, object]) -> None:
    params = {"name": "run_command", "arguments": arguments}
    server.send({"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params})


def wait_for_file(path: Path) -> str:
    deadline = time.monotonic() + TIMEOUT
    while not path.exists():  # the event: the program has started
        assert time.monotonic() < deadline, f"{path} never appeared"
    return path.read_text()


def test_a_program_writing_forever_is_answered_on_its_timeout_and_the_server_exits_at_eof(spawn, tmp_path) -> None:
    server = start(spawn, tmp_path)
    started = time.monotonic()
    result = structured(server.call("run_command", {"command": [sys.executable, "-c", FLOOD], "timeout": 1}))
    assert result["timed_out"] is True and result["stdout_truncated"] is True, result
    assert time.monotonic() - started < 5, result["duration_seconds"]
    assert structured(server.call("run_command", {"command": ["echo", "next"]}))["stdout"] == "next\n"
    server.close_stdin()
    assert server.wait(timeout=5) == 0


def test_the_server_exits_on_sigterm_after_a_program_writing_forever(spawn, tmp_path) -> None:
    server = start(spawn, tmp_path)
    result = structured(server.call("run_command", {"command": [sys.executable, "-c", FLOOD], "timeout": 0.5}))
    assert result["timed_out"] is True, result
    server.proc.send_signal(signal.SIGTERM)
    assert server.wait(timeout=5) == 0


def test_cancelling_a_program_writing_forever_frees_the_server(spawn, tmp_path) -> None:
    server = start(spawn, tmp_path)
    flag = tmp_path / "started"
    script = f'touch {flag}; exec "$0" -c "$1"'
    call_in_background(server, "endless", {"command": ["sh", "-c", script, sys.executable, FLOOD]})
    wait_for_file(flag)
    server.notify("notifications/cancelled", {"requestId": "endless"})
    assert structured(server.call("run_command", {"command": ["echo", "free"]}))["stdout"] == "free\n"
    server.proc.send_signal(signal.SIGTERM)
    assert server.wait(timeout=5) == 0


def test_a_manifest_program_writing_forever_with_a_large_cap_is_stopped_on_time(spawn, tmp_path) -> None:
    manifest = tmp_path / "endless.toml"
    (tmp_path / "flood.py").write_text(FLOOD)
    command = f'["{sys.executable}", "{tmp_path / "flood.py"}"]'
    manifest.write_text(
        f'[[tool]]\nname = "endless"\ndescription = "Prints y forever."\ncommand = {command}\n'
        "timeout = 1\noutput = { max_bytes = 1073741824 }\n"
    )
    server = spawn("serve", "--no-builtins", "--no-entry-points", "--manifest", str(manifest))
    server.initialize()
    started = time.monotonic()
    message = error_text(server.call("endless"))
    assert message.startswith(f"{sys.executable!r} did not finish within 1 second"), message[:200]
    assert time.monotonic() - started < 5
    server.close_stdin()
    assert server.wait(timeout=5) == 0


def test_a_descendant_that_left_the_session_ends_with_the_call(spawn, tmp_path) -> None:
    server = start(spawn, tmp_path)
    # The program exits at once; its escaped child holds stdout open and sleeps.
    result = structured(server.call("run_command", {"command": [sys.executable, "-c", ESCAPE]}))
    assert result["exit_code"] == 0 and result["timed_out"] is False, result
    wait_until_gone(int(result["stdout"]))
    # The program outlives its timeout: it and its escaped child are killed.
    command = [sys.executable, "-c", ESCAPE, "", "1000"]
    result = structured(server.call("run_command", {"command": command, "timeout": 0.5}))
    assert result["timed_out"] is True, result
    wait_until_gone(int(result["stdout"]))


def test_a_descendant_that_left_the_session_does_not_outlive_the_server(spawn, tmp_path) -> None:
    server = start(spawn, tmp_path)
    pid_file = tmp_path / "escaped.pid"
    call_in_background(server, "running", {"command": [sys.executable, "-c", ESCAPE, str(pid_file), "1000"]})
    pid = int(wait_for_file(pid_file))
    server.close_stdin()
    assert server.wait() == 0
    wait_until_gone(pid)


def test_ending_one_call_leaves_the_programs_of_others_running(spawn, tmp_path) -> None:
    server = start(spawn, tmp_path)
    flag = tmp_path / "started"
    call_in_background(server, "other", {"command": ["sh", "-c", f"touch {flag}; sleep 1; echo finished"]})
    wait_for_file(flag)
    result = structured(server.call("run_command", {"command": [sys.executable, "-c", ESCAPE]}))
    wait_until_gone(int(result["stdout"]))
    other = server.recv_response("other")["result"]["structuredContent"]
    assert (other["exit_code"], other["stdout"]) == (0, "finished\n"), other
