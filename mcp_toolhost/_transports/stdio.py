"""The MCP stdio transport: newline-delimited UTF-8 JSON-RPC on stdin and stdout.

basic/transports, "stdio": messages are delimited by newlines and MUST NOT contain
embedded newlines; the server MUST NOT write anything to stdout that is not a valid
MCP message, and MAY log to stderr. So while serving, file descriptor 1 itself is
pointed at stderr: `print`, warnings, C extensions and child processes all land
there, and only the writer here holds the real stdout.

Built on asyncio's pipe transports (no thread hop per message); regular files
(`mcp-toolhost < requests.jsonl > answers.jsonl`) fall back to blocking I/O.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import selectors
import signal
import stat
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import anyio

from .._protocol import jsonrpc
from .._protocol.connection import Connection
from .._protocol.server import Server
from ..errors import InvalidRequest

logger = logging.getLogger("mcp_toolhost.stdio")

_READ_CHUNK = 64 * 1024
"""Bytes asked of one `read` of stdin. Not asyncio's 256 KiB: a buffer past glibc's mmap threshold
(128 KiB) is mapped, shrunk and unmapped at every read, three syscalls and a page fault that cost a
sequential call a fifth of its CPU (benchmarks/RESULTS.md); longer lines just take more reads."""
_OUTPUT_HIGH_WATER = 4 * 1024 * 1024
"""Stop reading requests while this much output waits for a client that does not read."""
_QUEUE_HIGH_WATER = 1024
"""Stop reading stdin while this many lines wait to be handled..."""
_QUEUE_HIGH_WATER_MESSAGES = 2
"""... or while this many maximum-size messages' worth of bytes do."""
_ORPHAN_CHECK_SECONDS = 1.0
_LINES_PER_TURN = 32


@contextmanager
def claim_stdout() -> Iterator[int]:
    """Point fd 1 (and `sys.stdout`) at stderr; yield a private fd for the real stdout."""
    with suppress(Exception):
        sys.stdout.flush()
    real_stdout = os.dup(1)
    os.dup2(2, 1)
    saved = sys.stdout
    sys.stdout = sys.stderr
    try:
        yield real_stdout
    finally:
        sys.stdout = saved
        with suppress(OSError):
            os.dup2(real_stdout, 1)
        os.close(real_stdout)


def _is_pollable(fd: int, events: int) -> bool:
    """Whether the event loop can watch `fd`: pipes, sockets and terminals, not files.

    Some character devices (/dev/null) refuse to be polled, so ask a real selector.
    """
    mode = os.fstat(fd).st_mode
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode)):
        return False
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(fd, events)
    except (OSError, ValueError):
        return False
    return True


class _LineSplitter(asyncio.Protocol):
    """Cuts the byte stream into lines, bounding memory while an over-long line is skipped."""

    def __init__(self, max_line: int) -> None:
        self._max_line = max_line
        self._buffer = bytearray()
        self._skipping = 0  # bytes dropped of the current over-long line
        self.lines: collections.deque[bytes | int] = collections.deque()
        """Complete lines, or an int: the size of a line that was too long and skipped."""
        self._queued_bytes = 0
        self._max_queued_bytes = _QUEUE_HIGH_WATER_MESSAGES * max_line
        self.eof = False
        self.ready = asyncio.Event()
        self.transport: asyncio.ReadTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        start = 0
        while True:
            end = data.find(b"\n", start)
            if end < 0:
                break
            self._line_done(data[start:end])
            start = end + 1
        rest = len(data) - start
        if self._skipping:
            self._skipping += rest
        elif len(self._buffer) + rest > self._max_line:
            self._skipping = len(self._buffer) + rest
            self._buffer.clear()
        else:
            self._buffer += data[start:]
        if self.lines:
            self.ready.set()
            if self._full() and self.transport is not None:
                self.transport.pause_reading()

    def _line_done(self, tail: bytes) -> None:
        if self._skipping:
            self.lines.append(self._skipping + len(tail))
            self._skipping = 0
            return
        if self._buffer:
            self._buffer += tail
            line = bytes(self._buffer)
            self._buffer.clear()
        else:
            line = tail
        if len(line) > self._max_line:
            self.lines.append(len(line))
        elif line.strip():  # blank lines (and a lone "\r") carry no message
            self.lines.append(line)
            self._queued_bytes += len(line)

    def eof_received(self) -> bool:
        if self._skipping:  # an over-long last line is answered like any other
            self.lines.append(self._skipping)
            self._skipping = 0
        elif self._buffer.strip():  # a last message without its newline still counts
            self.lines.append(bytes(self._buffer))
        self._buffer.clear()
        self.eof = True
        self.ready.set()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.ready.set()

    def stop(self) -> None:
        """Read no further and shut down as at EOF (a signal, a dead parent, a lost stdout)."""
        self.eof = True
        self.ready.set()

    def take(self) -> bytes | int:
        item = self.lines.popleft()
        if isinstance(item, bytes):
            self._queued_bytes -= len(item)
        return item

    def _full(self) -> bool:
        # Bounded in count and in bytes: 1024 lines of 16 MiB each would be 16 GiB.
        return len(self.lines) > _QUEUE_HIGH_WATER or self._queued_bytes > self._max_queued_bytes

    def resume(self) -> None:
        if self.transport is not None and not self._full():
            with suppress(RuntimeError):
                self.transport.resume_reading()


class _FlowControl(asyncio.Protocol):
    def __init__(self, on_lost: Callable[[], None]) -> None:
        self.room = asyncio.Event()
        self.room.set()
        self.closed = asyncio.Event()
        self._on_lost = on_lost
        self.closing = False  # set when we close it ourselves

    def pause_writing(self) -> None:
        self.room.clear()

    def resume_writing(self) -> None:
        self.room.set()

    def connection_lost(self, exc: Exception | None) -> None:
        self.room.set()  # a client that stopped reading must not stall us
        self.closed.set()
        if not self.closing:  # the client closed our stdout: nobody hears us any more
            logger.warning("stdout was closed by the client, shutting down")
            self._on_lost()


class _Writer:
    """The one owner of the real stdout. Lines written in one loop turn go out in one write."""

    def __init__(self, fd: int, on_lost: Callable[[], None], before: Callable[[], None]) -> None:
        self._fd = fd
        self._before = before
        self._pending: list[bytes] = []
        self._scheduled = False
        self._loop = asyncio.get_running_loop()
        self._transport: asyncio.WriteTransport | None = None
        self._flow = _FlowControl(on_lost)

    async def open(self) -> None:
        if _is_pollable(self._fd, selectors.EVENT_WRITE):
            pipe = os.fdopen(self._fd, "wb", buffering=0, closefd=False)
            self._transport, _ = await self._loop.connect_write_pipe(lambda: self._flow, pipe)
            self._transport.set_write_buffer_limits(high=_OUTPUT_HIGH_WATER)

    def write(self, message: bytes) -> None:
        self._pending.append(message)
        self._pending.append(b"\n")
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._scheduled = False
        if not self._pending:
            return
        self._before()
        data = b"".join(self._pending)
        self._pending.clear()
        if self._transport is not None:
            if not self._transport.is_closing():
                self._transport.write(data)
            return
        with suppress(OSError):  # a regular file: blocking writes never wait long
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view) :]

    async def wait_for_room(self) -> None:
        """Wait while the client is not reading what we already wrote."""
        await self._flow.room.wait()

    async def close(self, timeout: float = 1.0) -> None:
        self._flush()
        if self._transport is None:
            return
        self._flow.closing = True
        self._transport.close()  # flushes what is buffered, then closes
        with anyio.move_on_after(timeout):
            await self._flow.closed.wait()


async def _read_stdin(splitter: _LineSplitter, fd: int) -> Callable[[], None]:
    """Start delivering stdin to `splitter`; returns a function that stops it."""
    loop = asyncio.get_running_loop()
    if _is_pollable(fd, selectors.EVENT_READ):
        pipe = os.fdopen(fd, "rb", buffering=0, closefd=False)
        transport, _ = await loop.connect_read_pipe(lambda: splitter, pipe)
        transport.max_size = _READ_CHUNK  # type: ignore[attr-defined]  # asyncio's pipe transports read this much
        return transport.close

    stop = threading.Event()

    def pump() -> None:  # a regular file cannot be polled: read it in a thread
        while not stop.is_set():
            chunk = os.read(fd, _READ_CHUNK)
            if not chunk:
                break
            loop.call_soon_threadsafe(splitter.data_received, chunk)
        loop.call_soon_threadsafe(splitter.eof_received)

    threading.Thread(target=pump, name="stdin-reader", daemon=True).start()
    return stop.set


def _nothing() -> None:
    pass


async def serve_stdio(server: Server, *, stdout_fd: int | None = None) -> None:
    """Serve one connection on stdin/stdout until EOF, SIGTERM, SIGINT or the parent's death.

    `stdout_fd` is the real stdout from an enclosing `claim_stdout()`, for callers that
    protect stdout from earlier on (while importing tools, for instance).
    """
    if stdout_fd is None:
        with claim_stdout() as claimed:
            await serve_stdio(server, stdout_fd=claimed)
        return
    splitter = _LineSplitter(server.settings.max_message_bytes)
    # The audit lines of the calls answered go first: a client holding an answer finds its line.
    writer = _Writer(stdout_fd, on_lost=splitter.stop, before=server.audit.flush if server.audit else _nothing)
    await writer.open()
    stop_reading = await _read_stdin(splitter, 0)
    try:
        async with anyio.create_task_group() as watchers:
            watchers.start_soon(_watch_signals, splitter, watchers.cancel_scope)
            watchers.start_soon(watch_parent, splitter.stop)
            async with server.connect(writer.write) as connection:
                await _pump(splitter, connection, writer, server.settings.max_message_bytes)
            watchers.cancel_scope.cancel()
    finally:
        stop_reading()
        await writer.close()


async def _pump(splitter: _LineSplitter, connection: Connection, writer: _Writer, limit: int) -> None:
    lines = splitter.lines
    while True:
        await splitter.ready.wait()
        splitter.ready.clear()
        fed = 0
        while lines:
            item = splitter.take()
            if isinstance(item, int):
                error = InvalidRequest(
                    f"Invalid request: message of {item} bytes exceeds the {limit} byte limit"
                    " (max_message_bytes); it was skipped"
                )
                writer.write(jsonrpc.error_message(None, error))
            else:
                connection.feed(item)
            await writer.wait_for_room()
            if connection.saturated:
                await connection.wait_for_room()
            fed += 1
            if fed % _LINES_PER_TURN == 0:
                # Let the calls just started run (and finish) before starting more: a
                # burst of pipelined calls then holds fewer tasks in memory at once.
                await asyncio.sleep(0)
        splitter.resume()
        if splitter.eof:
            return


async def _watch_signals(splitter: _LineSplitter, everything: Any) -> None:
    """First SIGTERM/SIGINT: stop reading and finish like at EOF. Second: cancel at once."""
    with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
        count = 0
        async for signum in signals:
            count += 1
            logger.info("received %s, shutting down", signal.Signals(signum).name)
            if count > 1:
                everything.cancel()
            splitter.stop()


async def watch_parent(on_gone: Callable[[], None]) -> None:
    """A server whose parent died (its client, or the HTTP workers' supervisor) must not live on as an orphan."""
    parent = os.getppid()
    while True:
        await anyio.sleep(_ORPHAN_CHECK_SECONDS)
        if os.getppid() != parent:
            logger.warning("parent process %d is gone, shutting down", parent)
            on_gone()
            return
