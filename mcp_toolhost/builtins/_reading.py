"""Reading files the model names: regular files only, and never more than a limit in memory.

A path inside the roots may still name a FIFO (opening it waits for a writer, holding a
worker thread forever), a device (`/dev/zero` never ends) or a `/proc` file (its size
says 0 while it holds gigabytes). So a file is checked with `stat` before it is opened
(opening some devices has effects), opened with `O_NONBLOCK` so a FIFO swapped in
meanwhile cannot block, and checked again on the open descriptor. Whole reads stop one
byte past the limit whatever the size claimed; line windows are decoded in chunks, so a
file of one enormous line costs the window's memory, not the line's.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from ..errors import ToolError

__all__ = [
    "Window",
    "looks_binary",
    "not_text",
    "open_regular",
    "read_limited",
    "read_window",
    "refuse_binary",
]

_SNIFF_BYTES = 8192
"""Bytes looked at to tell a binary file (it holds NUL bytes) from text."""
_CHUNK = 64 * 1024
_LINE_END = re.compile(r"\r\n|\r|\n")  # the line endings a file opened with newline="" splits on


@contextmanager
def open_regular(
    real: Path | str, shown: str, folder_fd: int | None = None
) -> Iterator[tuple[BinaryIO, os.stat_result]]:
    """`real` (relative to the open folder `folder_fd`, if given) open for reading, with its
    status; a ToolError unless it is a regular file."""
    _check_regular(os.stat(real, dir_fd=folder_fd, follow_symlinks=False), shown)
    # O_NOFOLLOW: `real` is resolved already, so a symlink here was swapped in since.
    fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=folder_fd)
    try:
        status = os.fstat(fd)
        _check_regular(status, shown)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    with open(fd, "rb") as file:
        yield file, status


def _check_regular(status: os.stat_result, shown: str) -> None:
    if stat.S_ISDIR(status.st_mode):
        raise ToolError(f"{shown} is a directory; use list_directory or directory_tree.")
    if not stat.S_ISREG(status.st_mode):
        raise ToolError(f"{shown} is not a regular file.")


def read_limited(
    real: Path | str, shown: str, limit: int, *, extra: int = 0, hint: str = "", folder_fd: int | None = None
) -> bytes:
    """The whole regular file `real` (see `open_regular`); a ToolError if it (plus `extra` bytes
    to be added) exceeds `limit`."""
    with open_regular(real, shown, folder_fd) as (file, status):
        if status.st_size + extra > limit:
            raise _too_big(shown, f"is {status.st_size + extra} bytes,", limit, hint)
        data = file.read(limit - extra + 1)  # not to EOF: a /proc file's size says 0
    if len(data) + extra > limit:
        raise _too_big(shown, "holds", limit, hint)
    return data


def _too_big(shown: str, size: str, limit: int, hint: str) -> ToolError:
    return ToolError(f"{shown} {size} more than the {limit} byte limit (max_file_bytes){hint}.")


def looks_binary(head: bytes, encoding: str = "utf-8") -> bool:
    """True when `head` (the first bytes of a file) holds a NUL byte, which no text in an
    ASCII-compatible encoding does (in UTF-16 and UTF-32 they are everywhere)."""
    return b"\0" in head[:_SNIFF_BYTES] and not codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))


def refuse_binary(head: bytes, shown: str, encoding: str) -> None:
    if looks_binary(head, encoding):
        raise ToolError(f"{shown} looks binary (it contains NUL bytes); use read_media_file for images and audio.")


def not_text(shown: str, encoding: str, where: str) -> ToolError:
    return ToolError(
        f"{shown} is not valid {encoding} text ({where}); give its encoding, or use read_media_file if it is binary."
    )


class Window:
    """Lines `first`..`last` of a text file (1-based, inclusive; `last` None for the end)."""

    def __init__(self, first: int, last: int | None, max_chars: int) -> None:
        self.first, self.last, self.max_chars = first, last, max_chars
        self.lines: list[str] = []
        """The lines kept, with their line endings."""
        self.total = 0
        """The file's line count."""
        self.complete = True
        """False when a line of the window did not fit in `max_chars` (it and all after it are left out)."""
        self._kept = 0
        self._line: list[str] = []  # the current line's text, while it may still fit
        self._length = 0  # the current line's length so far

    def _wanted(self) -> bool:
        number = self.total + 1
        return self.complete and number >= self.first and (self.last is None or number <= self.last)

    def feed(self, text: str) -> None:
        """More of the file's text; a line ending at its end must not be a `\\r` that a `\\n` may follow."""
        start = 0
        for end in _LINE_END.finditer(text):
            self._part(text[start : end.end()])
            self._end_line()
            start = end.end()
        if start < len(text):
            self._part(text[start:])

    def finish(self) -> None:
        if self._length:
            self._end_line()

    def _part(self, piece: str) -> None:
        self._length += len(piece)
        if self._wanted() and self._kept + self._length <= self.max_chars:
            self._line.append(piece)
        else:
            self._line.clear()  # left out: nothing of it is held

    def _end_line(self) -> None:
        if self._wanted():
            if self._kept + self._length <= self.max_chars:
                line = "".join(self._line)
                self.lines.append(line)
                self._kept += len(line)
            else:
                self.complete = False
        self.total += 1
        self._line.clear()
        self._length = 0


def read_window(
    file: BinaryIO, shown: str, encoding: str, window: Window, check: Callable[[], None] = lambda: None
) -> None:
    """Feed `file`, decoded as `encoding`, to `window`, a chunk at a time; `check` runs before each chunk
    (to stop when the call was cancelled)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    carry = ""
    first = True
    while True:
        check()
        raw = file.read(_CHUNK)
        if first:
            refuse_binary(raw, shown, encoding)
        first = False
        try:
            text = carry + decoder.decode(raw, final=not raw)
        except UnicodeDecodeError:
            raise not_text(shown, encoding, f"after line {window.total}") from None
        if not raw:
            window.feed(text)
            window.finish()
            return
        carry = "\r" if text.endswith("\r") else ""  # it may be the first half of "\r\n"
        window.feed(text.removesuffix("\r") if carry else text)
