"""The shared child-program runner on its own: caps, stdin, limits, and killing the whole group."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from conftest import TIMEOUT, wait_until_gone

from mcp_toolhost._subprocess import Completed, Limits, run_program

pytestmark = pytest.mark.anyio
needs_pidfd = pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="needs pidfd_open (Linux 5.3+)")


async def run(argv: list[str], **options: Any) -> Completed:
    settings: dict[str, Any] = {"cwd": None, "env": dict(os.environ), "stdin": None, "timeout": TIMEOUT}
    return await run_program(argv, **{**settings, "max_output": 1000, **options})


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


async def test_each_stream_is_kept_up_to_its_cap_and_flagged_and_the_exit_code_kept() -> None:
    code = "import sys; sys.stdout.write('o' * 5000); sys.stderr.write('e' * 300); sys.exit(4)"
    done = await run(python(code), max_stderr=100)
    assert (done.stdout, done.stdout_truncated) == (b"o" * 1000, True), done
    assert (done.stderr, done.stderr_truncated) == (b"e" * 100, True), done
    assert (done.exit_code, done.timed_out) == (4, False), done
    exact = await run(python("import sys; sys.stdout.write('o' * 1000); sys.stderr.write('e' * 1000)"))
    assert (exact.stdout_truncated, exact.stderr_truncated) == (False, False), exact  # stderr: max_output too
    assert len(exact.stdout) == len(exact.stderr) == 1000 and exact.duration >= 0


async def test_stdin_is_fed_and_none_means_an_empty_stdin() -> None:
    assert (await run(["cat"], stdin=b"fed\nthrough\n")).stdout == b"fed\nthrough\n"
    assert (await run(["cat"])).stdout == b""  # /dev/null: no wait for input that never comes
    unread = await run(["true"], stdin=b"x" * (1 << 20))  # more than a pipe holds, and nobody reads it
    assert (unread.exit_code, unread.stdout) == (0, b""), unread


async def test_a_program_that_cannot_start_raises() -> None:
    with pytest.raises(FileNotFoundError):
        await run(["/nonexistent/program"])


@needs_pidfd
async def test_the_timeout_kills_the_whole_group() -> None:
    done = await run(["sh", "-c", "sleep 60 & echo $$ $!; wait"], timeout=0.3)
    assert (done.timed_out, done.exit_code) == (True, None), done
    for pid in map(int, done.stdout.split()):  # the shell and its background sleep
        wait_until_gone(pid)


@needs_pidfd
async def test_what_a_program_leaves_running_is_killed_when_it_exits() -> None:
    done = await run(["sh", "-c", "sleep 60 >/dev/null 2>&1 & echo $!"])
    assert (done.timed_out, done.exit_code) == (False, 0), done
    wait_until_gone(int(done.stdout))


@needs_pidfd
async def test_cancelling_a_run_kills_the_whole_group(tmp_path: Path) -> None:
    fifo = tmp_path / "pids"
    os.mkfifo(fifo)
    with anyio.fail_after(TIMEOUT):
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(run, ["sh", "-c", 'sleep 60 & echo $$ $! > "$0"; wait', str(fifo)])
            # The event: the program is running and has told its pids.
            pids = await anyio.to_thread.run_sync(fifo.read_text, abandon_on_cancel=True)
            tasks.cancel_scope.cancel()
    for pid in map(int, pids.split()):
        wait_until_gone(pid)


@needs_pidfd
async def test_a_cancellation_while_the_program_is_spawned_still_kills_it(monkeypatch: pytest.MonkeyPatch) -> None:
    loop = asyncio.get_running_loop()
    spawn = loop.subprocess_exec
    spawned: list[int] = []

    async def cancelled_during_spawn(*args: Any, **kwargs: Any) -> Any:
        scope.cancel()  # arrives while the spawn is awaited
        transport, protocol = await spawn(*args, **kwargs)
        spawned.append(transport.get_pid())
        return transport, protocol

    monkeypatch.setattr(loop, "subprocess_exec", cancelled_during_spawn)
    with anyio.CancelScope() as scope:
        await run(["sleep", "60"])
    assert scope.cancelled_caught and len(spawned) == 1, spawned
    wait_until_gone(spawned[0])


async def test_limits_are_set_in_the_child_and_only_when_given() -> None:
    code = (
        "import json, resource; print(json.dumps({name: resource.getrlimit(getattr(resource, name))"
        " for name in ('RLIMIT_CPU', 'RLIMIT_AS', 'RLIMIT_NOFILE', 'RLIMIT_CORE')}))"
    )
    limits = Limits(cpu_seconds=7, memory_bytes=768 * 1024 * 1024, open_files=16)
    seen = json.loads((await run(python(code), limits=limits)).stdout)
    assert {name: soft for name, (soft, _) in seen.items()} == {
        "RLIMIT_CPU": 7,
        "RLIMIT_AS": 768 * 1024 * 1024,
        "RLIMIT_NOFILE": 16,
        "RLIMIT_CORE": 0,
    }, seen
    assert seen["RLIMIT_CORE"] == [0, 0] and seen["RLIMIT_NOFILE"][1] == 16, seen  # hard limits too
    opens_many = python("files = [open('/dev/null') for _ in range(32)]")
    failed = await run(opens_many, limits=limits)
    assert failed.exit_code == 1 and b"Too many open files" in failed.stderr, failed
    assert (await run(opens_many)).exit_code == 0  # no limits: the server's own apply


async def test_stop_at_cap_stops_a_program_that_writes_forever() -> None:
    # Two writers in one group: only killing the whole group ends the output before the timeout.
    done = await run(["sh", "-c", "yes & yes"], stop_at_cap=True)
    assert (done.stdout, done.stdout_truncated) == (b"y\n" * 500, True), done
    assert (done.timed_out, done.exit_code) == (False, -signal.SIGKILL), done
