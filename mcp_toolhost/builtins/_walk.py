"""Walking a folder tree so that no swap of a folder for a symlink can lead outside it.

Each folder is opened relative to its parent's open descriptor, one name at a time,
with `O_NOFOLLOW`: a folder replaced by a symlink while the walk runs fails to open
(and is skipped) instead of being followed to wherever it points. The walk is a loop
over an explicit stack, so a tree 1,500 levels deep is no deeper for Python than a flat
one, and only the folder being read is held open: going back up opens `..` and checks
it is the very folder (device and inode) that was left, so a folder moved elsewhere
mid-walk stops the walk rather than continuing outside.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..errors import ToolError

__all__ = ["EntryType", "Step", "has_entries", "remove_tree", "type_of", "walk"]

EntryType = Literal["file", "directory", "symlink", "other"]

_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


@dataclass(frozen=True, slots=True)
class Step:
    """One entry met by `walk`."""

    parts: tuple[str, ...]
    """Its path below the top, one name per level (its own name last)."""
    type: EntryType
    folder_fd: int
    """The open folder that holds it: open names relative to it (valid until the walk moves on)."""


@dataclass(slots=True)
class _Folder:
    fd: int
    parts: tuple[str, ...]
    entries: list[tuple[str, EntryType]] = field(default_factory=list)
    next: int = 0
    identity: tuple[int, int] = (0, 0)

    @classmethod
    def open(cls, name: str | Path, parts: tuple[str, ...], within: int | None = None) -> _Folder:
        fd = os.open(name, _FOLDER, dir_fd=within)
        try:
            status = os.fstat(fd)
            return cls(fd, parts, identity=(status.st_dev, status.st_ino))
        except BaseException:
            os.close(fd)
            raise

    def scan(self) -> None:
        self.entries, self.next = _entries(self.fd), 0

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def walk(top: Path, max_depth: int | None = None) -> Iterator[Step]:
    """The entries below the folder `top` (a real path), sorted by name, each folder's entries
    right after it; folders deeper than `max_depth` levels are not entered, symlinks never.
    A folder that cannot be read is passed over."""
    stack = [_Folder.open(top, ())]
    try:
        stack[0].scan()
        while stack:
            folder = stack[-1]
            if folder.next == len(folder.entries):
                stack.pop()
                if stack:
                    _climb(folder, stack[-1])
                folder.close()
                continue
            name, kind = folder.entries[folder.next]
            folder.next += 1
            parts = (*folder.parts, name)
            yield Step(parts, kind, folder.fd)
            if kind == "directory" and (max_depth is None or len(parts) < max_depth):
                try:
                    child = _Folder.open(name, parts, folder.fd)
                except OSError:
                    continue  # unreadable, or no longer a folder (a symlink now): not entered
                try:
                    child.scan()
                except OSError:
                    child.close()
                    continue
                folder.close()  # one folder open at a time, however deep
                stack.append(child)
    finally:
        for folder in stack:
            folder.close()


def remove_tree(top: Path) -> None:
    """Delete the folder `top` (a real path) and everything in it; symlinks inside are removed, never followed."""
    stack = [_Folder.open(top.parent, ())]
    try:
        stack.append(_Folder.open(top.name, (top.name,), stack[0].fd))
        while len(stack) > 1:
            folder = stack[-1]
            folder.scan()
            inner = next((name for name, kind in folder.entries if kind == "directory"), None)
            for name, kind in folder.entries:
                if kind != "directory":
                    os.unlink(name, dir_fd=folder.fd)
            if inner is not None:
                child = _Folder.open(inner, (*folder.parts, inner), folder.fd)  # a symlink now: ELOOP, stop
                folder.close()
                stack.append(child)
                continue
            stack.pop()
            _climb(folder, stack[-1])
            folder.close()
            os.rmdir(folder.parts[-1], dir_fd=stack[-1].fd)
    finally:
        for folder in stack:
            folder.close()


def has_entries(name: str, folder_fd: int) -> bool:
    """Whether the folder `name` in the open folder `folder_fd` has any entry (False if it cannot be read)."""
    try:
        fd = os.open(name, _FOLDER, dir_fd=folder_fd)
    except OSError:
        return False
    try:
        with os.scandir(fd) as entries:
            return next(entries, None) is not None
    except OSError:
        return False
    finally:
        os.close(fd)


def _climb(child: _Folder, parent: _Folder) -> None:
    """Reopen `parent` through `..` of the open `child`, checking it is the folder that was left."""
    fd = os.open("..", _FOLDER, dir_fd=child.fd)
    status = os.fstat(fd)
    if (status.st_dev, status.st_ino) != parent.identity:
        os.close(fd)
        shown = "/".join(child.parts)
        raise ToolError(f"{shown} was moved while the tree was being walked; nothing more was done. Try again.")
    parent.fd = fd


def _entries(fd: int) -> list[tuple[str, EntryType]]:
    with os.scandir(fd) as entries:
        return sorted(((entry.name, type_of(entry)) for entry in entries), key=lambda item: item[0])


def type_of(entry: os.DirEntry[str]) -> EntryType:
    if entry.is_symlink():
        return "symlink"
    if entry.is_dir(follow_symlinks=False):
        return "directory"
    if entry.is_file(follow_symlinks=False):
        return "file"
    return "other"
