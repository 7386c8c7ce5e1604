"""Running one child program: argv only, output captured, limits set, nothing left behind.

Shared by the `run_command` built-in and the programs that plugin manifests wrap.

- The argv list goes to `exec` as it is: no shell ever runs, so `;`, `|`, `$(...)`,
  backticks and globs are plain characters in an argument.
- Standard output and error are pipes, never the server's stdout (which carries the
  protocol); each is kept up to a cap and drained past it, so the program neither
  blocks on a full pipe nor loses its exit status. `Completed.stdout_truncated` and
  `stderr_truncated` flag a cut; with `stop_at_cap` the program is stopped as soon as
  its stdout passes the cap, since whatever it prints after is dropped anyway.
- `limits`, when given, are set in the child before it runs (`resource.setrlimit` in
  `preexec_fn`): CPU seconds, address space, open files, and no core dumps. That is why
  the spawn goes through asyncio (the backend the server runs on): `anyio.open_process`
  takes no `preexec_fn`.
- The program leads a new session (its own process group). When it times out, when the
  call is cancelled (even while the spawn is awaited), when `stop_at_cap` stops it, and
  after it exits, the whole group is killed: no background process it started outlives
  the call.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import anyio

__all__ = ["Completed", "Limits", "run_program"]

_READ_CHUNK: Final = 64 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Resource limits set in the child (soft and hard alike), never above the server's own hard limits."""

    cpu_seconds: int
    """SIGXCPU at this many seconds of CPU time, SIGKILL a second later."""
    memory_bytes: int
    """The address space (RLIMIT_AS)."""
    open_files: int
    """File descriptors (RLIMIT_NOFILE)."""


@dataclass(frozen=True, slots=True)
class Completed:
    """How a program ended and what it printed (each stream up to its cap)."""

    exit_code: int | None
    """The exit status; negative: killed by that signal; None: still running at the timeout."""
    stdout: bytes
    stderr: bytes
    stdout_truncated: bool
    stderr_truncated: bool
    timed_out: bool
    duration: float
    """Seconds from the spawn until the program was reaped."""


def _apply_limits(limits: Limits) -> None:  # pragma: no cover - runs in the child, between fork and exec
    import resource

    def lower(which: int, value: int, hard_extra: int = 0) -> None:
        _, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
            hard_extra = 0 if value + hard_extra > hard else hard_extra
        resource.setrlimit(which, (value, value + hard_extra))

    lower(resource.RLIMIT_CPU, limits.cpu_seconds, 1)  # SIGXCPU at the soft limit, SIGKILL a second later
    lower(resource.RLIMIT_AS, limits.memory_bytes)
    lower(resource.RLIMIT_NOFILE, limits.open_files)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


class _Capture:
    """The first `cap` bytes of a stream; the rest is read and dropped."""

    def __init__(self, cap: int, on_overflow: Callable[[], None] | None = None) -> None:
        self.cap = cap
        self.data = bytearray()
        self.truncated = False
        self.on_overflow = on_overflow

    async def drain(self, stream: asyncio.StreamReader) -> None:
        # Read to the end even past the cap: a reader that stops would leave the pipe full
        # (the program blocks) or unread (the process is never reaped).
        while chunk := await stream.read(_READ_CHUNK):
            room = self.cap - len(self.data)
            self.data += chunk[:room]
            if len(chunk) > room and not self.truncated:
                self.truncated = True
                if self.on_overflow is not None:
                    self.on_overflow()


async def _feed(stream: asyncio.StreamWriter, data: bytes) -> None:
    try:
        stream.write(data)
        await stream.drain()
    except (BrokenPipeError, ConnectionResetError):
        pass  # the program exited without reading all of it
    finally:
        stream.close()


async def run_program(
    argv: Sequence[str],
    *,
    cwd: str | os.PathLike[str] | None,
    env: Mapping[str, str],
    stdin: bytes | None,
    timeout: float,
    max_output: int,
    max_stderr: int | None = None,
    limits: Limits | None = None,
    stop_at_cap: bool = False,
) -> Completed:
    """Run `argv` to completion or `timeout`; see the module docstring.

    `max_output` caps stdout, and stderr too unless `max_stderr` is given. `stdin=None`
    gives the program /dev/null. Raises `OSError` when the program cannot be started and
    `subprocess.SubprocessError` when `limits` cannot be set.
    """
    started = time.monotonic()
    # Shielded: a cancellation while the spawn is awaited would lose the process, which
    # already runs, before the `finally` below could kill it.
    with anyio.CancelScope(shield=True):
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=cwd,
            env=dict(env),
            start_new_session=True,
            preexec_fn=None if limits is None else functools.partial(_apply_limits, limits),
        )
    out = _Capture(max_output, functools.partial(_kill_group, process.pid) if stop_at_cap else None)
    err = _Capture(max_output if max_stderr is None else max_stderr)
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
                # It exited: whatever it left running in its group goes too.
                _kill_group(process.pid)
    finally:
        # Timeout, cancellation or an error: the whole group, then reap the program.
        _kill_group(process.pid)
        with anyio.CancelScope(shield=True):
            await process.wait()
    return Completed(
        exit_code=None if deadline.cancelled_caught else process.returncode,
        stdout=bytes(out.data),
        stderr=bytes(err.data),
        stdout_truncated=out.truncated,
        stderr_truncated=err.truncated,
        timed_out=deadline.cancelled_caught,
        duration=time.monotonic() - started,
    )
