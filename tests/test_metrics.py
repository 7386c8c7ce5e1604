"""Metrics, `stats` and request logs: figures equal the calls made, through the real process."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, TIMEOUT, executable, run_cli

from mcp_toolhost import ToolHost
from mcp_toolhost._metrics.window import LatencyWindow
from mcp_toolhost.metrics import Metrics
from mcp_toolhost.testing import connect

TOOLS = str(FIXTURES / "core_tools.py")
FAST_STATE = {"MCP_TOOLHOST_STATE_INTERVAL": "0.05"}


def call_message(request_id, name, arguments):
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "tools/call",
        "params": {"name": name, "arguments": arguments},
    }


def read_snapshot(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_bytes())
    except (FileNotFoundError, ValueError):
        return None


def wait_for_snapshot(path: Path, accept=lambda snapshot: True) -> dict[str, Any]:
    """The first snapshot in the state file `path` that `accept` takes; waits on file events, not sleeps."""
    from watchfiles import watch

    deadline = time.monotonic() + TIMEOUT
    snapshot = read_snapshot(path)
    if snapshot is not None and accept(snapshot):
        return snapshot
    for _ in watch(path.parent, debounce=50, step=5, rust_timeout=500, yield_on_timeout=True):
        snapshot = read_snapshot(path)
        if snapshot is not None and accept(snapshot):
            return snapshot
        assert time.monotonic() < deadline, f"no state file in {path} as expected; last seen: {snapshot}"
    raise AssertionError("unreachable")


def tool(snapshot: dict[str, Any], name: str) -> dict[str, Any]:
    return snapshot["tools"].get(name, {})


# --- Figures through the real process --------------------------------------------------


def test_metrics_count_every_call_by_outcome(spawn, tmp_path):
    server = spawn(
        "serve", "--no-builtins", "--tools", TOOLS, "--state-dir", str(tmp_path),
        env={**FAST_STATE, "MCP_TOOLHOST_TOOL_TIMEOUTS": '{"block": 0.2}'},
    )  # fmt: skip
    server.initialize("2025-06-18")  # where invalid arguments are a JSON-RPC error (-32602)
    path = tmp_path / f"{server.proc.pid}.json"
    assert server.call("add", {"a": 1, "b": 2})["result"].get("isError") is None
    assert server.call("add", {"a": 40})["result"].get("isError") is None
    assert server.call("add", {"a": "x"})["error"]["code"] == -32602
    assert server.call("refuse", {"message": "no"})["result"]["isError"] is True
    assert "timed out" in server.call("block", {"seconds": 5})["result"]["content"][0]["text"]
    server.send(call_message("long", "wait", {"seconds": 30}))
    running = wait_for_snapshot(path, lambda s: tool(s, "wait").get("in_flight") == 1)
    assert running["open_calls"] == 1
    server.notify("notifications/cancelled", {"requestId": "long"})
    snapshot = wait_for_snapshot(path, lambda s: tool(s, "wait").get("cancellations") == 1)

    assert Metrics.model_validate(snapshot).pid == server.proc.pid
    figures = {
        name: {k: v for k, v in t.items() if k not in ("latency", "result_bytes")}
        for name, t in snapshot["tools"].items()
    }
    nothing = {
        "calls": 1,
        "ok": 0,
        "errors": 0,
        "protocol_errors": 0,
        "timeouts": 0,
        "cancellations": 0,
        "in_flight": 0,
    }
    assert figures == {
        "add": {**nothing, "calls": 3, "ok": 2, "protocol_errors": 1},
        "refuse": {**nothing, "errors": 1},
        "block": {**nothing, "timeouts": 1},
        "wait": {**nothing, "cancellations": 1},
    }, figures
    assert snapshot["open_calls"] == 0
    assert snapshot["requests"] == {"initialize": 1, "tools/call": 6}
    # In: initialize, notifications/initialized, 6 calls and the cancellation; out: 5 answers and initialize's.
    assert (snapshot["messages_in"], snapshot["messages_out"]) == (9, 6)
    assert tool(snapshot, "add")["latency"]["samples"] == 3
    assert tool(snapshot, "block")["latency"]["max_ms"] >= 200
    assert tool(snapshot, "wait")["result_bytes"] == 0 < tool(snapshot, "add")["result_bytes"]
    assert snapshot["rss_bytes"] > 10 * 2**20 and snapshot["uptime_seconds"] > 0


def test_unknown_methods_are_counted_together(spawn, tmp_path):
    server = spawn("serve", "--no-builtins", "--tools", TOOLS, "--state-dir", str(tmp_path), env=FAST_STATE)
    server.initialize()
    for index in range(3):
        assert server.request(f"made/up{index}")["error"]["code"] == -32601
    assert server.request("ping")["result"] == {}
    snapshot = wait_for_snapshot(tmp_path / f"{server.proc.pid}.json", lambda s: "ping" in s["requests"])
    assert snapshot["requests"] == {"(other)": 3, "initialize": 1, "ping": 1}


def test_toolhost_metrics_is_the_typed_snapshot():
    host = ToolHost(builtins=())

    @host.tool()
    def double(n: int) -> int:
        return 2 * n

    import anyio

    async def calls() -> None:
        async with connect(host) as client:
            for n in range(5):
                await client.call_tool("double", {"n": n})

    anyio.run(calls)
    metrics = host.metrics()
    assert isinstance(metrics, Metrics)
    assert (metrics.tools["double"].calls, metrics.tools["double"].ok, metrics.tools["double"].latency.samples) == (
        5,
        5,
        5,
    )
    assert metrics.requests["tools/call"] == 5 and metrics.open_calls == 0


# --- The latency window ----------------------------------------------------------------


def test_percentiles_are_nearest_rank_on_known_durations():
    window = LatencyWindow(size=100, span=600)
    for ms in range(100, 0, -1):  # 1..100 ms, in any order
        window.add(ms / 1000, ended=1000.0)
    summary = window.summary(now=1000.0)
    assert summary == pytest.approx({"samples": 100, "p50_ms": 50, "p95_ms": 95, "p99_ms": 99, "max_ms": 100})


def test_the_window_keeps_only_the_last_calls_and_the_last_span():
    window = LatencyWindow(size=10, span=600)
    for ms in range(1, 26):  # 25 calls into 10 slots: 16..25 remain
        window.add(ms / 1000, ended=float(ms))
    assert window.summary(now=25.0) == pytest.approx(
        {"samples": 10, "p50_ms": 20, "p95_ms": 25, "p99_ms": 25, "max_ms": 25}
    )
    # 600 s later, the calls that ended before second 22 have left the window.
    assert window.summary(now=621.5) == pytest.approx(
        {"samples": 4, "p50_ms": 23, "p95_ms": 25, "p99_ms": 25, "max_ms": 25}
    )
    empty = LatencyWindow(size=4, span=1).summary(now=0.0)
    assert empty == {"samples": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}


# --- State files and `stats` -------------------------------------------------------------


def test_stats_reads_a_live_server_and_its_file_goes_at_exit(spawn, tmp_path):
    server = spawn("serve", "--no-builtins", "--tools", TOOLS, "--state-dir", str(tmp_path), env=FAST_STATE)
    server.initialize()
    server.call("add", {"a": 1, "b": 2})
    pid = server.proc.pid
    path = tmp_path / f"{pid}.json"
    wait_for_snapshot(path, lambda s: tool(s, "add").get("calls") == 1)

    shown = run_cli("stats", "--state-dir", str(tmp_path), "--pid", str(pid), "--json")
    assert shown.returncode == 0, shown.stderr
    metrics = Metrics.model_validate_json(shown.stdout)
    assert (metrics.pid, metrics.tools["add"].calls, metrics.tools["add"].ok) == (pid, 1, 1)
    listed = run_cli("stats", "--state-dir", str(tmp_path), "--json")
    assert [server["pid"] for server in json.loads(listed.stdout)] == [pid]
    table = run_cli("stats", "--state-dir", str(tmp_path)).stdout.decode()
    assert f"pid {pid}: up " in table and "requests: initialize 1, tools/call 1" in table
    header, row = [line.split() for line in table.splitlines()[2:4]]
    assert header[:8] == ["tool", "calls", "ok", "errors", "protocol", "timeouts", "cancelled", "running"], table
    assert row[:8] == ["add", "1", "1", "0", "0", "0", "0", "0"], table

    server.close_stdin()
    assert server.wait() == 0
    assert not path.exists()
    gone = run_cli("stats", "--state-dir", str(tmp_path))
    assert gone.returncode == 1 and b"No mcp-toolhost server is running" in gone.stderr


def test_stats_watch_redraws_until_ctrl_c(spawn, tmp_path):
    server = spawn("serve", "--no-builtins", "--tools", TOOLS, "--state-dir", str(tmp_path), env=FAST_STATE)
    server.initialize()
    wait_for_snapshot_path(tmp_path, server.proc.pid)
    watch = subprocess.Popen(
        [executable(), "stats", "--watch", "--state-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **FAST_STATE, "TERM": "dumb"},
    )
    try:
        seen = b""
        while seen.count(b"requests: ") < 2:  # two redraws
            line = watch.stdout.readline()
            assert line, f"stats --watch ended: {watch.stderr.read()}"
            seen += line
        watch.send_signal(signal.SIGINT)
        assert watch.wait(TIMEOUT) == 0
        assert f"pid {server.proc.pid}".encode() in seen
    finally:
        watch.kill()
        watch.wait()


def test_sigterm_removes_the_state_file(spawn, tmp_path):
    server = spawn("serve", "--no-builtins", "--tools", TOOLS, "--state-dir", str(tmp_path), env=FAST_STATE)
    server.initialize()
    path = wait_for_snapshot_path(tmp_path, server.proc.pid)
    server.proc.send_signal(signal.SIGTERM)
    assert server.wait() == 0
    assert not path.exists()


def wait_for_snapshot_path(folder: Path, pid: int) -> Path:
    path = folder / f"{pid}.json"
    wait_for_snapshot(path)
    return path


def test_stats_ignores_and_removes_the_files_of_dead_servers(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f"{dead.pid}.json"
    stale.write_text(json.dumps({"pid": dead.pid}))
    (tmp_path / "notes.json").write_text("{}")  # not a state file: left alone
    cut_short = tmp_path / f".{dead.pid}.json.{dead.pid}.0a1b2c3d.mcp-tmp"  # killed in the middle of a write
    cut_short.write_text('{"pid"')
    result = run_cli("stats", "--state-dir", str(tmp_path), "--pid", str(dead.pid))
    assert result.returncode == 1 and f"with pid {dead.pid} is running".encode() in result.stderr
    assert not stale.exists() and not cut_short.exists() and (tmp_path / "notes.json").exists()


def test_an_unwritable_state_dir_is_reported_and_serving_goes_on(spawn, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    server = spawn("serve", "--no-builtins", "--tools", TOOLS, "--state-dir", str(blocker / "state"))
    server.initialize()
    server.wait_for_stderr("cannot write the state file")
    assert server.call("add", {"a": 1})["result"].get("isError") is None


@pytest.mark.parametrize("variable", ["METRICS_WINDOW_CALLS", "METRICS_WINDOW_SECONDS", "STATE_INTERVAL"])
def test_a_window_or_interval_of_zero_is_refused_with_its_source(variable):
    result = subprocess.run(
        [executable(), "serve", "--no-builtins"],
        env={**os.environ, f"MCP_TOOLHOST_{variable}": "0"},
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert f"MCP_TOOLHOST_{variable}".encode() in result.stderr


# --- Request logs ---------------------------------------------------------------------------


def test_request_log_console_line_per_request(spawn, tmp_path):
    server = spawn("serve", "--no-builtins", "--tools", TOOLS, "--log-level", "info", "--state-dir", str(tmp_path))
    server.initialize()
    server.send(call_message(7, "refuse", {"message": "no"}))
    server.recv_response(7)
    log = server.wait_for_stderr("tool=refuse")
    line = next(line for line in log.splitlines() if "tool=refuse" in line)
    assert "request" in line and "method=tools/call" in line and "id=7" in line and "outcome=error" in line
    assert "duration_ms=" in line
    assert any("method=initialize" in line and "outcome=ok" in line for line in log.splitlines())
    assert all(json.loads(line) for line in server.raw_stdout)  # stdout: protocol messages only


def test_request_log_json_fields(spawn, tmp_path):
    server = spawn(
        "serve", "--no-builtins", "--tools", TOOLS, "--log-level", "info", "--log-format", "json",
        "--state-dir", str(tmp_path),
    )  # fmt: skip
    server.initialize()
    server.call("add", {"a": 1})
    server.request("no/such", request_id="x")
    log = server.wait_for_stderr('"no/such"')
    events = [json.loads(line) for line in log.splitlines() if '"event": "request"' in line]
    call = next(event for event in events if event["method"] == "tools/call")
    assert call["tool"] == "add" and call["outcome"] == "ok" and call["duration_ms"] >= 0
    unknown = next(event for event in events if event["method"] == "no/such")
    assert unknown["id"] == "x" and unknown["outcome"] == "protocol_error" and "tool" not in unknown


def test_request_log_of_a_resource_read_and_no_tool_metrics_for_it(spawn, tmp_path):
    resources = str(FIXTURES / "resources_prompts.py")
    server = spawn(
        "serve", "--no-builtins", "--tools", resources, "--log-level", "info", "--log-format", "json",
        "--state-dir", str(tmp_path), env=FAST_STATE,
    )  # fmt: skip
    server.initialize()
    assert "contents" in server.request("resources/read", {"uri": "config://app"}, request_id="r")["result"]
    log = server.wait_for_stderr('"resources/read"')
    read = next(json.loads(line) for line in log.splitlines() if '"resources/read"' in line)
    assert (read["id"], read["outcome"], "tool" in read) == ("r", "ok", False)
    snapshot = wait_for_snapshot(tmp_path / f"{server.proc.pid}.json", lambda s: "resources/read" in s["requests"])
    assert snapshot["tools"] == {} and snapshot["open_calls"] == 0


def test_no_request_log_below_info(server):
    server.call("add", {"a": 1})
    server.close_stdin()
    server.wait()
    assert "request" not in server.stderr
