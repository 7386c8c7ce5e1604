"""Shared fixtures: the real `mcp-toolhost` process, spoken to over its pipes.

`spawn(*args)` starts `mcp-toolhost ARGS...` and returns an `McpProcess`; every
wait is on an event (a line arriving, the process exiting) with a timeout, never
a sleep.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import queue
import select
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TIMEOUT = 15.0


def executable() -> str:
    """The installed console script, next to the running interpreter when in a venv."""
    beside = Path(sys.executable).parent / "mcp-toolhost"
    found = str(beside) if beside.exists() else shutil.which("mcp-toolhost")
    assert found, "mcp-toolhost is not installed: pip install -e '.[test]'"
    return found


@pytest.fixture(scope="session", autouse=True)
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every server the tests start writes its state file here, not in the user's state directory.

    Set in the environment, which `spawn` and `run_cli` pass on; a test's own `--state-dir` or
    `MCP_TOOLHOST_STATE_DIR` still wins.
    """
    folder = tmp_path_factory.mktemp("state")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MCP_TOOLHOST_STATE_DIR", str(folder))
        yield folder


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class McpProcess:
    """A running `mcp-toolhost` and a line-by-line JSON-RPC conversation with it."""

    def __init__(self, args: tuple[str, ...], cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
        full_env = {**os.environ, **(env or {})}
        self.proc = subprocess.Popen(
            [executable(), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=full_env,
        )
        self.lines: queue.Queue[bytes | None] = queue.Queue()
        self.raw_stdout: list[bytes] = []
        self._stderr: list[bytes] = []
        self._stderr_changed = threading.Condition()
        self._stderr_closed = False
        self.notifications: list[dict[str, Any]] = []
        self._ids = itertools.count(1000)
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.raw_stdout.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self._stderr_changed:
                self._stderr.append(line)
                self._stderr_changed.notify_all()
        with self._stderr_changed:
            self._stderr_closed = True
            self._stderr_changed.notify_all()

    @property
    def stderr(self) -> str:
        """What the server wrote to stderr so far; all of it once the process has exited."""
        if self.proc.poll() is not None:
            with self._stderr_changed:
                self._stderr_changed.wait_for(lambda: self._stderr_closed, timeout=TIMEOUT)
        return b"".join(self._stderr).decode(errors="replace")

    def wait_for_stderr(self, text: str, timeout: float = TIMEOUT) -> str:
        """Wait until `text` appears on the server's stderr; returns all of stderr."""

        def seen() -> bool:
            return text in b"".join(self._stderr).decode(errors="replace") or self._stderr_closed

        with self._stderr_changed:
            self._stderr_changed.wait_for(seen, timeout=timeout)
        log = b"".join(self._stderr).decode(errors="replace")
        assert text in log, f"{text!r} never reached stderr:\n{log}"
        return log

    # --- writing ----------------------------------------------------------------------

    def send_raw(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message: Any) -> None:
        self.send_raw(json.dumps(message).encode() + b"\n")

    def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def close_stdin(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()

    # --- reading ----------------------------------------------------------------------

    def recv(self, timeout: float = TIMEOUT) -> Any:
        """The next message on stdout (every line must be JSON; a non-JSON line fails the test)."""
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no message within {timeout}s; stderr:\n{self.stderr}") from None
        if line is None:
            raise AssertionError(f"stdout closed; exit={self.proc.poll()} stderr:\n{self.stderr}")
        try:
            return json.loads(line)
        except ValueError:
            raise AssertionError(f"stdout carried a non-JSON line: {line[:200]!r}") from None

    def recv_response(self, request_id: Any, timeout: float = TIMEOUT) -> dict[str, Any]:
        """Read until the response to `request_id`; notifications on the way are kept."""
        while True:
            message = self.recv(timeout)
            if isinstance(message, dict) and "method" not in message and message.get("id") == request_id:
                return message
            if isinstance(message, dict) and "method" in message:
                self.notifications.append(message)
            else:
                raise AssertionError(f"unexpected message while waiting for id {request_id!r}: {message}")

    def request(
        self, method: str, params: dict[str, Any] | None = None, *, request_id: Any = None, timeout: float = TIMEOUT
    ) -> dict[str, Any]:
        """Send a request and return the whole response (result or error)."""
        request_id = next(self._ids) if request_id is None else request_id
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self.recv_response(request_id, timeout)

    def initialize(self, version: str = "2025-11-25") -> dict[str, Any]:
        response = self.request(
            "initialize",
            {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "pytest", "version": "0"}},
        )
        assert "result" in response, response
        self.notify("notifications/initialized")
        result: dict[str, Any] = response["result"]
        return result

    def call(self, name: str, arguments: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
        """tools/call; returns the whole response."""
        return self.request("tools/call", {"name": name, "arguments": arguments or {}, **params})

    def list_tools(self) -> list[dict[str, Any]]:
        tools: list[dict[str, Any]] = []
        params: dict[str, Any] = {}
        while True:
            response = self.request("tools/list", params)
            assert "result" in response, response
            tools += response["result"]["tools"]
            cursor = response["result"].get("nextCursor")
            if not cursor:
                return tools
            params = {"cursor": cursor}

    # --- ending -----------------------------------------------------------------------

    def wait(self, timeout: float = TIMEOUT) -> int:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"process still running after {timeout}s; stderr:\n{self.stderr}") from None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


def _spawner() -> Iterator[Callable[..., McpProcess]]:
    """`start(*args, cwd=None, env=None)` starts `mcp-toolhost ARGS`; each is killed when it is done with."""
    started: list[McpProcess] = []

    def start(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> McpProcess:
        process = McpProcess(args, cwd=cwd, env=env)
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            process.kill()


@pytest.fixture
def spawn() -> Iterator[Callable[..., McpProcess]]:
    """`spawn(*args, cwd=None, env=None)` starts `mcp-toolhost ARGS` and kills it after the test."""
    yield from _spawner()


@pytest.fixture(scope="module")
def module_spawn() -> Iterator[Callable[..., McpProcess]]:
    """`spawn` for a server the tests of a module share: killed after the module's last test."""
    yield from _spawner()


@pytest.fixture
def server(spawn: Callable[..., McpProcess]) -> McpProcess:
    """An initialized server with only the core test tools (tests/fixtures/core_tools.py)."""
    server = spawn("serve", "--no-builtins", "--tools", str(FIXTURES / "core_tools.py"))
    server.initialize()
    return server


def wait_until_gone(pid: int) -> None:
    """Block until process `pid` has exited (an event on its pidfd; no polling)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        readable, _, _ = select.select([fd], [], [], TIMEOUT)
        assert readable, f"process {pid} still running after {TIMEOUT}s"
    finally:
        os.close(fd)


def run_cli(
    *args: str,
    cwd: Path | None = None,
    input: bytes | None = None,
    timeout: float = 60,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run `mcp-toolhost ARGS` to completion (for commands like list-tools and call); `env` adds variables."""
    return subprocess.run(
        [executable(), *args],
        cwd=cwd,
        input=input,
        capture_output=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )
