"""Running one program for `run_command`: argv only, output captured, nothing left behind.

- The argv list goes to `exec` as it is: no shell ever runs, so `;`, `|`, `$(...)`,
  backticks and globs are plain characters in an argument.
- Standard output and error are pipes, never the server's stdout (which carries the
  protocol); each is kept up to a cap and drained past it, so the program neither
  blocks on a full pipe nor loses its exit status.
- The program leads a new session (its own process group). When it times out, when the
  call is cancelled, and after it exits, the whole group is killed: no background
  process it started outlives the call.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass

import anyio
import anyio.abc

__all__ = ["Completed", "run_program"]


@dataclass(frozen=True, slots=True)
class Completed:
    exit_code: int | None
    """The exit status; negative: killed by that signal; None: killed at the timeout."""
    stdout: bytes
    stderr: bytes
    stdout_truncated: bool
    stderr_truncated: bool
    timed_out: bool
    duration: float


class _Capture:
    """The first `cap` bytes of a stream; the rest is read and dropped."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.data = bytearray()
        self.truncated = False

    async def drain(self, stream: anyio.abc.ByteReceiveStream) -> None:
        async for chunk in stream:
            room = self.cap - len(self.data)
            if len(chunk) > room:
                self.data += chunk[: max(room, 0)]
                self.truncated = True
            else:
                self.data += chunk


async def _feed(stream: anyio.abc.ByteSendStream, data: bytes) -> None:
    try:
        if data:
            await stream.send(data)
    except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
        pass  # the program exited without reading all of it
    finally:
        with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
            await stream.aclose()


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


async def run_program(
    argv: list[str],
    *,
    cwd: str,
    env: Mapping[str, str],
    stdin: bytes | None,
    timeout: float,
    max_output: int,
) -> Completed:
    """Run `argv` to completion or `timeout`; see the module docstring."""
    started = time.monotonic()
    # Shielded: a cancellation while the spawn is awaited would lose the process, which
    # already runs, before the `finally` below could kill it.
    with anyio.CancelScope(shield=True):
        process = await anyio.open_process(
            argv,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=dict(env),
            start_new_session=True,
        )
    out, err = _Capture(max_output), _Capture(max_output)
    try:
        with anyio.move_on_after(timeout) as deadline:
            async with anyio.create_task_group() as tasks:
                assert process.stdout is not None and process.stderr is not None
                tasks.start_soon(out.drain, process.stdout)
                tasks.start_soon(err.drain, process.stderr)
                if stdin is not None:
                    assert process.stdin is not None
                    tasks.start_soon(_feed, process.stdin, stdin)
                await process.wait()
                # Whatever it left running would hold the pipes open: it goes too.
                _kill_group(process.pid)
    finally:
        # Timeout or cancellation: the whole group, then reap the program.
        _kill_group(process.pid)
        with anyio.CancelScope(shield=True):
            await process.wait()
            await process.aclose()
    return Completed(
        exit_code=None if deadline.cancelled_caught else process.returncode,
        stdout=bytes(out.data),
        stderr=bytes(err.data),
        stdout_truncated=out.truncated,
        stderr_truncated=err.truncated,
        timed_out=deadline.cancelled_caught,
        duration=time.monotonic() - started,
    )
