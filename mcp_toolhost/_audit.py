"""The audit log (`--audit-log FILE`): one JSON line per tool call, written when the call ends.

A line holds the time (UTC, ISO 8601), the client's name and version (from `initialize`,
or from a 2026-07-28 request's `_meta` clientInfo), the protocol version, the request id,
the tool, its arguments with secrets masked (`_redact.redact_data`) and long strings cut
(`audit_max_value_chars`: masking a megabyte takes milliseconds, which every call would
wait), the outcome (`ok`, `error`, `timeout`, `cancelled`), the duration and the size of
the answer.

Whole lines under any concurrency: each `os.write` holds whole lines, on a file opened
with O_APPEND, so they land whole at the end of the file even when other processes append
to the same file (POSIX `write`: with O_APPEND the offset is set to the end and the write
done as one atomic step); calls of one server all end on its event loop thread.

When it is written: the first line after a `flush` at once, in `record` (calls one at a
time: one line a turn, and no callback scheduled for it, which cost a fifth of the line);
the next ones wait for `flush`, scheduled at the end of the event loop turn, and go out
in one write (pipelined calls: many lines a turn, and a syscall was a third of a line's
cost). The stdio transport calls `flush` before it writes the turn's answers, so a client
holding an answer finds its line (README, "Audit log"), and the next turn's first line
is written at once again.

Rotation at `audit_max_bytes`, keeping `audit_backups` older files (FILE.1 is the
newest). Someone else may move or remove the file (logrotate, another server rotating
the same file): the path is checked at most once a second and reopened when it no
longer names the file being written, and checked again before rotating, so a file
already rotated by another process is not rotated twice.

The path is opened without following a symlink, and must be a regular file.
A failure to write (disk full, folder removed, no permission) is logged on stderr once,
and again only after a write succeeded in between; it never fails the call.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import stat
import time
from typing import Any, Final

from . import _json
from ._redact import redact_data

__all__ = ["AuditLog"]

logger = logging.getLogger("mcp_toolhost.audit")

_RECHECK_SECONDS: Final = 1.0
"""How often the path is checked for a file moved or removed by someone else: a `stat`
per call would cost more than the rest of the line (measured: 2.3 µs, the write 1 µs)."""
_TOO_DEEP: Final = "[not recorded: nested too deeply]"


class AuditLog:
    """The audit lines of one server, appended to one file (opened on the first line, reopened as needed).

    `record` runs on the event loop thread, where every call ends; other processes may share the file.
    """

    def __init__(self, path: str, max_bytes: int, backups: int, longest_value: int) -> None:
        self._path = os.path.abspath(os.path.expanduser(path))  # a tool's chdir must not move the log
        self._max_bytes = max_bytes
        self._backups = backups
        self._longest_value = longest_value
        self._fd: int | None = None
        self._identity = (0, 0)  # (st_dev, st_ino) of the open file
        self._size = 0
        self._checked = -_RECHECK_SECONDS
        self._failing = False
        self._second = -1
        self._stamp = ""
        self._millisecond = -1
        self._time_text = ""
        self._client_info: dict[str, Any] | None = None
        self._client: dict[str, Any] | None = None
        self._lines: list[bytes] = []
        self._written = False  # a line went out at once since the last flush: the next ones wait for it
        self._scheduled = False

    def record(
        self,
        *,
        request_id: Any,
        tool: str,
        arguments: dict[str, Any],
        version: str,
        client_info: dict[str, Any] | None,
        outcome: str,
        seconds: float,
        size: int,
    ) -> None:
        """Write one call's line, at once or with the others of this event loop turn (see the module). Never raises."""
        try:
            masked = redact_data(arguments, self._longest_value)
        except RecursionError:
            masked = _TOO_DEEP
        if client_info is not self._client_info:  # one connection's calls share one object: built once
            self._client_info = client_info
            self._client = client_info and {"name": client_info.get("name"), "version": client_info.get("version")}
        line = _json.dumps(
            {
                "time": self._time(),
                "client": self._client,
                "protocolVersion": version,
                "id": request_id,
                "tool": tool,
                "arguments": masked,
                # Four outcomes (README, "Audit log"): a JSON-RPC error answering the call is an error.
                "outcome": "error" if outcome == "protocol_error" else outcome,
                "durationMs": round(seconds * 1_000_000) / 1000,  # round(x, 3) costs 4 times more
                "resultBytes": size,
            }
        )
        if not self._written:
            self._written = True
            self._put(line + b"\n")
            return
        self._lines.append(line)
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        """Write the lines recorded since the last flush; the next line is written at once. Never raises."""
        self._scheduled = self._written = False
        if self._lines:
            lines, self._lines = self._lines, []
            lines.append(b"")
            self._put(b"\n".join(lines))

    def _put(self, data: bytes) -> None:
        """Write whole lines, each ending in a newline (the only newlines: JSON escapes those in strings)."""
        try:
            if self._size + len(data) <= self._max_bytes:
                self._write(data)
            else:  # a rotation falls among them: line by line, so that no file grows past audit_max_bytes
                for line in data.splitlines(keepends=True):
                    self._write(line)
        except OSError as error:
            self.close()  # the next line tries a fresh open
            if not self._failing:
                self._failing = True
                logger.error(
                    "audit log %s cannot be written (%s): tool calls go on, unaudited until it can be; "
                    "check the folder exists, is writable and has space (audit_log)",
                    self._path,
                    error.strerror or error,
                )
        else:
            if self._failing:
                self._failing = False
                logger.warning("audit log %s is written again", self._path)

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def _time(self) -> str:
        millisecond = time.time_ns() // 1_000_000
        if millisecond != self._millisecond:  # pipelined calls end many to a millisecond: formatted once
            self._millisecond = millisecond
            second, fraction = divmod(millisecond, 1000)
            if second != self._second:  # formatting a date costs 4 µs: once a second
                self._second = second
                self._stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._time_text = f"{self._stamp}.{fraction:03d}Z"
        return self._time_text

    def _write(self, line: bytes) -> None:
        now = time.monotonic()
        if self._fd is None or now - self._checked >= _RECHECK_SECONDS:
            self._checked = now
            self._follow_path()
        if self._size > 0 and self._size + len(line) > self._max_bytes:
            self._follow_path()  # another process may have rotated it already
            if self._size > 0 and self._size + len(line) > self._max_bytes:
                self._rotate()
        assert self._fd is not None
        written = os.write(self._fd, line)
        while written < len(line):  # a short write (disk nearly full): the rest, or an OSError
            written += os.write(self._fd, line[written:])
        self._size += written

    def _follow_path(self) -> None:
        """Make the open file the one the path names now, and learn its size (other writers' lines count)."""
        try:
            status = os.lstat(self._path)
        except FileNotFoundError:
            status = None
        if self._fd is not None and status is not None and (status.st_dev, status.st_ino) == self._identity:
            self._size = status.st_size
            return
        self.close()
        # Never through a symlink: one planted at the path (run_command can make one) would
        # append lines holding the model's arguments to the file it names, ~/.bashrc say.
        # O_NONBLOCK: a FIFO planted there fails at once (ENXIO) instead of waiting for a reader.
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK
        try:
            fd = os.open(self._path, flags, 0o600)
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise OSError(error.errno, "it is a symbolic link, which is not followed") from None
            if error.errno == errno.ENXIO:  # a FIFO without a reader
                raise OSError(error.errno, "it is not a regular file") from None
            raise
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            os.close(fd)
            raise OSError(errno.EINVAL, "it is not a regular file")
        os.set_blocking(fd, True)
        self._fd, self._identity, self._size = fd, (status.st_dev, status.st_ino), status.st_size

    def _rotate(self) -> None:
        self.close()
        path = self._path
        for index in range(self._backups, 0, -1):  # FILE.4 -> FILE.5, ..., FILE -> FILE.1
            with contextlib.suppress(FileNotFoundError):
                os.replace(f"{path}.{index - 1}" if index > 1 else path, f"{path}.{index}")
        if not self._backups:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        self._follow_path()
