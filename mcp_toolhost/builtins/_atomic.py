"""Atomic file writes: readers, and the file after a crash, see the old content or the new.

The data goes to a hidden temporary file in the target's own folder (a rename is only
atomic within one file system), is flushed to disk with `fsync`, and is then renamed
over the target with `os.replace`; the folder is synced so the rename itself survives a
power cut. `exclusive=True` links the temporary file in instead, which fails if the
target exists, so "create" never replaces a file, even one made a moment earlier.
The temporary file is created with the target's permissions, and given its owner where
allowed, before a byte is written: a 0600 file's new content is never readable by
others, not even for the moment between writing and renaming.

An interrupted write leaves the target untouched. A process killed mid-write cannot
remove its temporary file, so each write also removes the temporary files that dead
processes left for the same target (their names carry the writer's pid).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

__all__ = ["TEMP_SUFFIX", "alive", "remove_stale", "temp_name", "write_atomic"]

TEMP_SUFFIX = ".mcp-tmp"


def write_atomic(path: Path, data: bytes, *, exclusive: bool = False, durable: bool = True) -> None:
    """Write `data` to `path` atomically; with `exclusive`, raise FileExistsError if it exists.

    `durable=False` skips the two `fsync`s: still atomic for readers, but after a power cut
    the file may hold the old content, or none (for files rewritten every second anyway).
    """
    folder = path.parent
    remove_stale(path)
    existing = None if exclusive else _existing(path)
    temp, fd = _create_temp(path, 0o666 if existing is None else stat.S_IMODE(existing.st_mode))
    try:
        with open(fd, "wb", closefd=True) as file:
            if existing is not None:
                _take_over(fd, existing)
            file.write(data)
            file.flush()
            if durable:
                os.fsync(file.fileno())
        if exclusive:
            _link_new(temp, path)
        else:
            os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    if durable:
        _sync_folder(folder)


def temp_files_for(path: Path) -> list[Path]:
    """The temporary files of writes to `path`, finished or not (for tests and cleanup)."""
    prefix = f".{path.name}."
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    return [path.parent / name for name in names if name.startswith(prefix) and name.endswith(TEMP_SUFFIX)]


def temp_name(path: Path) -> Path:
    """A new hidden name beside `path` for what will replace it; its pid lets `remove_stale` clean up after a crash."""
    return path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}"


def _create_temp(path: Path, mode: int) -> tuple[Path, int]:
    # Created with the target's mode (less the umask, which only narrows it), so the
    # content is never readable more widely than the target's; O_EXCL so a name is never shared.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        temp = temp_name(path)
        try:
            return temp, os.open(temp, flags, mode)
        except FileExistsError:
            continue


def _take_over(fd: int, existing: os.stat_result) -> None:
    """Give the temporary file the target's owner, where allowed, and exact permissions, before a byte is written."""
    if (existing.st_uid, existing.st_gid) != (os.geteuid(), os.getegid()):
        try:
            os.fchown(fd, existing.st_uid, existing.st_gid)
        except OSError:  # only root may give a file away; a group we are in is allowed
            with contextlib.suppress(OSError):
                os.fchown(fd, -1, existing.st_gid)
    os.fchmod(fd, stat.S_IMODE(existing.st_mode))  # after fchown, which clears set-user-ID


def _link_new(temp: Path, path: Path) -> None:
    try:
        os.link(temp, path)  # atomic, and never replaces
    except FileExistsError:
        raise
    except OSError:
        # No hard links on this file system (some FUSE and network ones): check, then rename.
        if os.path.lexists(path):
            raise FileExistsError(path) from None
        os.replace(temp, path)
    else:
        os.unlink(temp)


def _existing(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def remove_stale(path: Path) -> None:
    """Remove the temporary files that writers of `path` killed mid-write left (their pid is dead)."""
    for temp in temp_files_for(path):
        pid = temp.name.removesuffix(TEMP_SUFFIX).rsplit(".", 2)[-2]
        if pid.isdigit() and int(pid) != os.getpid() and not alive(int(pid)):
            with contextlib.suppress(OSError):
                os.unlink(temp)


def alive(pid: int) -> bool:
    """Whether process `pid` exists (someone else's included)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform; the rename is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
