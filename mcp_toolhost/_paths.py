"""The allowed roots, and confining paths to them.

The roots in force come from the first source that gives any (`roots_in_force`, then
`with_client_roots` for each answer the client gives to `roots/list`): the configured
ones, narrowed to the client's roots that lie inside them; else the client's roots; else
the working directory unless it is `/`, the home directory or above it (clients start
servers there; serving it would hand a model every file). Then there is no root, and
every path is refused with how to give one.

A path is accepted only if its real location lies inside a root, compared by path
components (`/data2` is not inside `/data`). The real location is what the operating
system would reach: symlinks are resolved in every component that exists, and `..` is
applied after the symlink before it, as the kernel does. For a path that does not exist
yet, the deepest existing ancestor is resolved and the rest appended, so creating
`link/new.txt` where `link` points outside is refused too, and so is writing through a
dangling symlink whose target is outside.

A file name that is not valid UTF-8 is shown with U+FFFD for its undecodable bytes
(see `_text.py`); a path holding U+FFFD that names nothing is matched, component by
component, against the entries its folder shows that way, so names the tools return
can be given back. When two entries show alike, the name stays ambiguous and is not found.

What this does not cover: a symlink swapped in between the check and the use (the
model cannot create symlinks with these tools; a program run with `run_command` could),
except where the use guards itself: reads open the last component with `O_NOFOLLOW`
(`builtins/_reading.py`) and tree walks go folder by folder through descriptors (`builtins/_walk.py`).
Nor case-insensitive file systems, where `/Data` and `/data` are one folder.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ._text import REPLACEMENT, as_text, path_text
from ._tools.asking import Root, offered_roots, roots_by_round
from .errors import SettingError, ToolError

__all__ = ["Roots", "confine", "os_errors", "real_path", "roots_for_call", "roots_in_force"]

logger = logging.getLogger("mcp_toolhost.roots")

CONFIGURED = "configured (--root, roots)"
CLIENT = "the client's roots (roots/list)"
CLIENT_INSIDE = "the client's roots (roots/list) inside the configured ones"
WORKING_DIRECTORY = "the working directory"


@dataclass(frozen=True, slots=True)
class Roots:
    """The allowed directories in force, or why there are none."""

    paths: tuple[Path, ...]
    """Real paths (symlinks resolved); the first takes relative paths."""
    missing: str = ""
    """When `paths` is empty: why, and how to give one. Every confined path answers it."""
    source: str = ""
    """Where `paths` came from, as `list_allowed_directories` shows it."""


def roots_in_force(configured: Sequence[str]) -> Roots:
    """The roots to serve, from the first source that gives any.

    1. The configured roots (`--root`, `roots`), as they are.
    2. (The roots the client offers, MCP `roots/list`: `with_client_roots`, once known.)
    3. The working directory, unless it is too broad to hand a model whole: `/`, the
       home directory or a folder above it, where clients like Claude Desktop start
       servers. Then there are no roots, and `missing` says how to give one.
    """
    if configured:
        return Roots(_real_paths(configured), source=CONFIGURED)
    cwd = Path(os.path.realpath(os.getcwd()))
    broad = _too_broad(cwd)
    if broad:
        return Roots(
            (),
            f"No allowed directory: none is configured, and the working directory {path_text(cwd)} is {broad},"
            ' too broad to serve whole. Give one: start the server with --root DIR, set roots = ["DIR"] in'
            " its config file, or use a client that offers roots (MCP roots/list).",
        )
    return Roots((cwd,), source=WORKING_DIRECTORY)


def roots_for_call(own: Roots) -> Roots:
    """The roots in force for the current tool call: `own` (from `roots_in_force`) as the roots
    its client offers narrow or replace them (`with_client_roots`); `own` while they are unknown.

    A 2026-07-28 client that declares `roots` is asked here, as an input-required round, once
    per call that confines a path: its answer narrows configured roots as in the handshake era
    (issue 9: the two eras give the same roots), at the cost of one round per such call.
    """
    offered = offered_roots.get()
    if offered is None:
        ask = roots_by_round.get()
        offered = ask() if ask is not None else None
    return own if offered is None else with_client_roots(own, offered)


@functools.lru_cache(maxsize=16)  # one entry per answer: its warnings are logged once
def with_client_roots(own: Roots, offered: tuple[Root, ...]) -> Roots:
    """The roots in force once the client offered `offered` (its last `roots/list` answer).

    Client roots narrow, never widen (issue 9): with roots configured, the client's roots
    that lie inside one of them, or the configured ones if none does; a client root
    outside every configured root is ignored with a warning. With none configured, the
    client's roots replace the working directory (or its absence). `own` is what
    `roots_in_force` gave.
    """
    local = _client_paths(offered)
    if own.source != CONFIGURED:
        return Roots(local, source=CLIENT) if local else own
    inside: list[Path] = []
    for path in local:
        if _inside(path, own.paths):
            inside.append(path)
        else:
            logger.warning(
                "client root %s is outside every configured root (%s): ignored, as client roots only narrow",
                path_text(path),
                describe_roots(own.paths),
            )
    return Roots(tuple(inside), source=CLIENT_INSIDE) if inside else own


def _client_paths(offered: Sequence[Root]) -> tuple[Path, ...]:
    """The real local folders that `offered` names, in order, without repeats; others warned of and ignored."""
    found: list[Path] = []
    for root in offered:
        # RFC 8089: file://host/path; only an empty host or "localhost" is this machine.
        parts = urlsplit(root.uri)
        path = unquote(parts.path)
        if parts.netloc not in ("", "localhost"):
            logger.warning("client root %s is on another host (%s): ignored", root.uri, parts.netloc)
            continue
        if not os.path.isabs(path) or "\0" in path or not os.path.isdir(path):
            logger.warning("client root %s is not a local directory: ignored", root.uri)
            continue
        real = Path(os.path.realpath(path))
        if real not in found:
            found.append(real)
    return tuple(found)


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def real_path(entry: str) -> Path:
    """A configured path (`~` expanded, relative to the working directory) with every symlink resolved."""
    return Path(os.path.realpath(os.path.expanduser(entry)))


def _real_paths(given: Sequence[str]) -> tuple[Path, ...]:
    """The real paths of the allowed directories (`--root`, `roots`), in order, without repeats."""
    roots: list[Path] = []
    for entry in given:
        real = real_path(entry)
        if not real.is_dir():
            raise SettingError(f"Allowed root {entry!r} is not a directory (--root, roots)", "roots")
        if real not in roots:
            roots.append(real)
    return tuple(roots)


def _too_broad(folder: Path) -> str:
    """Why `folder` (a real path) may not be the default root, or "" if it may."""
    if folder.parent == folder:
        return "the file system's root"
    for home in _homes():
        if folder == home:
            return "the home directory"
        if home.is_relative_to(folder):
            return f"above the home directory {path_text(home)}"
    return ""


def _homes() -> set[Path]:
    """The user's home directory, real paths: $HOME, and the account's (where $HOME is unset or moved)."""
    homes = {os.environ.get("HOME", "")}
    try:
        import pwd

        homes.add(pwd.getpwuid(os.getuid()).pw_dir)
    except (ImportError, KeyError):  # no pwd on Windows; no entry for a uid in a container
        pass
    return {Path(os.path.realpath(home)) for home in homes if os.path.isabs(home)}


def describe_roots(roots: Sequence[Path]) -> str:
    return ", ".join(path_text(root) for root in roots)


def confine(path: str, roots: Roots, *, follow_symlinks: bool = True) -> Path:
    """The real path of `path` if it lies inside one of `roots`; with none, their `missing` as the error.

    A relative path is taken from the first root. `~` is refused rather than expanded:
    the model means a home folder that is not among the roots. With
    `follow_symlinks=False` a symlink named last stays itself (only its folder is
    resolved), for operations on the link rather than its target.
    """
    if not roots.paths:
        raise ToolError(roots.missing)
    allowed = describe_roots(roots.paths)
    if not path:
        raise ToolError(f"Empty path. Allowed directories: {allowed}")
    if "\0" in path:
        raise ToolError("The path contains a NUL character.")
    if path.startswith("~"):
        raise ToolError(f"Access denied: {path!r}: '~' is not expanded. Use a path inside: {allowed}")
    candidate = Path(path) if os.path.isabs(path) else roots.paths[0] / path
    if REPLACEMENT in path:
        candidate = _undecodable_names(candidate)
    head, name = os.path.split(candidate)
    if follow_symlinks or name in ("", ".", ".."):
        real = Path(os.path.realpath(candidate))
    else:
        real = Path(os.path.realpath(head)) / name
    if _inside(real, roots.paths):
        return real
    shown = f"{path!r}" if str(real) == path else f"{path!r} (resolves to {path_text(real)})"
    raise ToolError(f"Access denied: {shown} is outside the allowed directories: {allowed}")


def _undecodable_names(path: Path) -> Path:
    """`path` with each component that names nothing, but is how exactly one entry of its
    folder is shown (undecodable bytes as U+FFFD), replaced by that entry's real name."""
    parts = path.parts
    found = Path(parts[0])
    for part in parts[1:]:
        if REPLACEMENT in part and not os.path.lexists(found / part):
            try:
                with os.scandir(found) as entries:
                    alike = [entry.name for entry in entries if as_text(entry.name) == part]
            except OSError:
                alike = []
            if len(alike) == 1:
                part = alike[0]
        found /= part
    return found


@contextmanager
def os_errors(shown: str) -> Iterator[None]:
    """Turn an OSError into a ToolError naming `shown` (the path as the caller gave it)."""
    try:
        yield
    except FileNotFoundError:
        raise ToolError(f"Not found: {shown}") from None
    except FileExistsError:
        raise ToolError(f"Already exists: {shown}") from None
    except NotADirectoryError:
        raise ToolError(f"Not a directory (or a file on the way to it): {shown}") from None
    except IsADirectoryError:
        raise ToolError(f"Is a directory: {shown}") from None
    except PermissionError:
        raise ToolError(f"Permission denied: {shown}") from None
    except OSError as exc:
        raise ToolError(f"{shown}: {exc.strerror or exc}") from None
