"""Running one child program: argv only, output captured, limits set, nothing left behind.

Shared by the `run_command` built-in and the programs that plugin manifests wrap.

- The argv list goes to `exec` as it is: no shell ever runs, so `;`, `|`, `$(...)`,
  backticks and globs are plain characters in an argument.
- Standard output and error are pipes, never the server's stdout (which carries the
  protocol); each is kept up to a cap and read to its end past it (the rest dropped),
  so the program never blocks on a full pipe. `Completed.stdout_truncated` and
  `stderr_truncated` flag a cut; with `stop_at_cap` the program is stopped as soon as
  its stdout passes the cap, since whatever it prints after is dropped anyway.
- `limits`, when given, are set in the child before it runs (`resource.setrlimit` in
  `preexec_fn`): CPU seconds, address space, open files, and no core dumps. That is why
  the spawn goes through asyncio (the backend the server runs on): `anyio.open_process`
  takes no `preexec_fn`.
- The program leads a new session (its own process group). When it times out, when the
  call is cancelled (even while the spawn is awaited), when `stop_at_cap` stops it, and
  after it exits, the whole group is killed.
- On Linux (5.3+, for pidfds) the server is a child subreaper (`PR_SET_CHILD_SUBREAPER`), so a descendant
  that left the group (`setsid`, a double fork) is re-parented to the server when its
  parent dies, instead of to init. Each call's end kills and reaps those orphans too:
  nothing a program started outlives its call, or the server. Elsewhere only the
  process group is killed.
- The call ends with the program: its exit is awaited, not the end of its pipes (which
  a descendant may hold open); after the kills the pipes are read to their end for at
  most `_EOF_GRACE` seconds, then closed.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import functools
import os
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import anyio

__all__ = ["Completed", "Limits", "run_program"]

_READ_CHUNK: Final = 64 * 1024
_EOF_GRACE: Final = 1.0
"""Seconds the pipes may stay open once every process of the call is killed (a process
outside our reach may hold them: one in another session, where there is no subreaper)."""
_PR_SET_CHILD_SUBREAPER: Final = 36  # <linux/prctl.h>


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


class _Orphans:
    """The server as the subreaper of everything its programs start (Linux).

    A process re-parented to the server is told apart from the server's own children
    by its session: a program runs in a session of its own, and so does everything it
    starts, while whatever else the server runs (a plugin's `subprocess.run`) stays in
    the server's session (so one that a plugin starts in a session of its own, outside
    this runner, is taken for an orphan). The programs themselves are left to asyncio,
    which waits for them: reaping one here would steal its exit status. A lock keeps a
    program between its spawn and its registration from being taken for an orphan.
    """

    def __init__(self) -> None:
        self.enabled: bool | None = None
        self.programs: set[int] = set()
        self.lock = anyio.Lock()

    def enable(self) -> bool:
        """Become a subreaper, once; False where that (or a pidfd to await an orphan's end) does not exist."""
        if self.enabled is None:
            self.enabled = False
            if os.path.isdir("/proc/self/task") and hasattr(os, "pidfd_open"):
                import ctypes

                try:
                    os.close(os.pidfd_open(os.getpid()))
                except OSError:
                    return False  # a kernel before 5.3
                libc = ctypes.CDLL(None, use_errno=True)
                self.enabled = libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
        return self.enabled

    def find(self) -> list[int]:
        """The server's children that its programs left behind (running or zombies)."""
        own_session = os.getsid(0)
        found = []
        for pid in _children():
            if pid in self.programs:
                continue
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            # "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses.
            fields = stat[stat.rindex(")") + 2 :].split()
            # Still ours (not reaped and its pid reused since it was listed), in another session.
            if int(fields[1]) == os.getpid() and int(fields[3]) != own_session:
                found.append(pid)
        return found

    def kill(self) -> list[int]:
        """SIGKILL each orphan and its group; returns their pids, still to be reaped."""
        found = self.find()
        for pid in found:
            _kill_group(pid)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return found

    async def sweep(self) -> None:
        """Kill and reap the orphans, until killing them leaves no new ones."""
        if not self.enabled:
            return
        while True:
            async with self.lock:
                found = self.kill()
            if not found:
                return
            for pid in found:
                await _reaped(pid)

    def sweep_at_exit(self) -> None:
        while self.enabled and (found := self.kill()):
            _reap(found)


def _children() -> list[int]:
    pids: list[int] = []
    for task in os.listdir("/proc/self/task"):
        with contextlib.suppress(OSError):
            pids += map(int, Path(f"/proc/self/task/{task}/children").read_text().split())
    return pids


async def _reaped(pid: int) -> None:
    """Reap a killed orphan once it is gone: an event on its pidfd, so no thread is tied up."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return  # reaped already, by another call's sweep
    loop = asyncio.get_running_loop()
    gone: asyncio.Future[None] = loop.create_future()

    def readable() -> None:  # called again until the reader is removed
        if not gone.done():
            gone.set_result(None)

    loop.add_reader(fd, readable)
    try:
        await gone
    finally:
        loop.remove_reader(fd)
        os.close(fd)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _reap(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


_orphans = _Orphans()
atexit.register(_orphans.sweep_at_exit)


class _Protocol(asyncio.subprocess.SubprocessStreamProtocol):
    """asyncio's protocol, telling when the program has exited (`Process.wait` also
    waits for its pipes to close, which a descendant holding them can delay forever)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(limit=_READ_CHUNK, loop=loop)
        self.exited = anyio.Event()

    def process_exited(self) -> None:
        super().process_exited()
        self.exited.set()


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
    _orphans.enable()
    loop = asyncio.get_running_loop()
    # Shielded: a cancellation while the spawn is awaited would lose the process, which
    # already runs, before the `finally` below could kill it.
    with anyio.CancelScope(shield=True):
        async with _orphans.lock:
            transport, protocol = await loop.subprocess_exec(
                functools.partial(_Protocol, loop),
                *argv,
                stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=cwd,
                env=dict(env),
                start_new_session=True,
                preexec_fn=None if limits is None else functools.partial(_apply_limits, limits),
            )
            process = asyncio.subprocess.Process(transport, protocol, loop)
            _orphans.programs.add(process.pid)
    out = _Capture(max_output, functools.partial(_kill_group, process.pid) if stop_at_cap else None)
    err = _Capture(max_output if max_stderr is None else max_stderr)
    reading = anyio.CancelScope()

    async def read() -> None:
        with reading:
            async with anyio.create_task_group() as streams:
                assert process.stdout is not None and process.stderr is not None
                streams.start_soon(out.drain, process.stdout)
                streams.start_soon(err.drain, process.stderr)
                if stdin is not None:
                    assert process.stdin is not None
                    streams.start_soon(_feed, process.stdin, stdin)

    try:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(read)
            with anyio.move_on_after(timeout) as deadline:
                await protocol.exited.wait()
            # Exited or timed out: whatever is left of it goes; then its pipes end.
            await _kill_all(process.pid)
            reading.deadline = anyio.current_time() + _EOF_GRACE
    finally:
        # Also on cancellation or an error: kill everything, close the pipes (the
        # output is not wanted any more), reap the program.
        with anyio.CancelScope(shield=True):
            await _kill_all(process.pid)
            transport.close()
            await process.wait()
            _orphans.programs.discard(process.pid)
    return Completed(
        exit_code=None if deadline.cancelled_caught else process.returncode,
        stdout=bytes(out.data),
        stderr=bytes(err.data),
        stdout_truncated=out.truncated,
        stderr_truncated=err.truncated,
        timed_out=deadline.cancelled_caught,
        duration=time.monotonic() - started,
    )


async def _kill_all(pid: int) -> None:
    """The program's process group, then the orphans it left (see the module docstring)."""
    _kill_group(pid)
    await _orphans.sweep()
