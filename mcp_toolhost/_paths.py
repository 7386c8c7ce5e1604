"""Confining paths to the allowed roots.

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

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ._text import REPLACEMENT, as_text, path_text
from .errors import ConfigError, ToolError

__all__ = ["confine", "describe_roots", "os_errors", "real_roots"]


def real_roots(given: Sequence[str]) -> tuple[Path, ...]:
    """The real paths of the allowed directories (`--root`, `roots`); none given: the working directory."""
    roots: list[Path] = []
    for entry in given or (os.getcwd(),):
        real = Path(os.path.realpath(os.path.expanduser(entry)))
        if not real.is_dir():
            raise ConfigError(f"Allowed root {entry!r} is not a directory (--root, roots)")
        if real not in roots:
            roots.append(real)
    return tuple(roots)


def describe_roots(roots: Sequence[Path]) -> str:
    return ", ".join(path_text(root) for root in roots)


def confine(path: str, roots: Sequence[Path], *, follow_symlinks: bool = True) -> Path:
    """The real path of `path` if it lies inside one of `roots` (themselves real paths).

    A relative path is taken from the first root. `~` is refused rather than expanded:
    the model means a home folder that is not among the roots. With
    `follow_symlinks=False` a symlink named last stays itself (only its folder is
    resolved), for operations on the link rather than its target.
    """
    allowed = describe_roots(roots)
    if not path:
        raise ToolError(f"Empty path. Allowed directories: {allowed}")
    if "\0" in path:
        raise ToolError("The path contains a NUL character.")
    if path.startswith("~"):
        raise ToolError(f"Access denied: {path!r}: '~' is not expanded. Use a path inside: {allowed}")
    candidate = Path(path) if os.path.isabs(path) else roots[0] / path
    if REPLACEMENT in path:
        candidate = _undecodable_names(candidate)
    head, name = os.path.split(candidate)
    if follow_symlinks or name in ("", ".", ".."):
        real = Path(os.path.realpath(candidate))
    else:
        real = Path(os.path.realpath(head)) / name
    if any(real == root or real.is_relative_to(root) for root in roots):
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
