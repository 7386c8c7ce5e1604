"""The server's own files, which the file tools never change.

The model calling the file tools may be steered by anything it reads, and the configuration
is the only authority (README, "Security"). Inside an allowed root, the file tools could
otherwise rewrite that authority or what the server runs:

- the config file, which holds the allowlists and the roots, and `mcp-toolhost.toml` in the
  working directory even when it does not exist yet (the next start would read it);
- the code the server loads: `--tools` files and packages, plugin folders and manifests
  (with `--reload`, loaded again as soon as they change: a way around `--allow-command`);
- its records: the audit log and its backups, and the state folder that `stats` reads.

Writing, editing, moving, deleting and creating folders are refused there; reading is not.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .._paths import real_path
from ..config import DEFAULT_CONFIG_FILE, Settings

__all__ = ["OwnFile", "own_file_at", "own_files"]


@dataclass(frozen=True, slots=True)
class OwnFile:
    path: Path
    """Its real path (it may not exist yet)."""
    what: str
    """What it is to the server, as a refusal says it: "the audit log"."""


def own_files(settings: Settings, config_file: Path | None = None) -> tuple[OwnFile, ...]:
    """The server's own files and folders, by real path, for `settings` read from `config_file`."""
    return tuple(dict.fromkeys(OwnFile(real_path(path), what) for path, what in _named(settings, config_file)))


def own_file_at(real: Path, own: Sequence[OwnFile], *, with_contents: bool) -> tuple[OwnFile, bool] | None:
    """The own file `real` is or lies in (False), or, `with_contents`, one it holds (True); else None.

    `with_contents` is for what moves or deletes a folder with everything in it.
    """
    for mine in own:
        if real.is_relative_to(mine.path):
            return mine, False
        if with_contents and mine.path.is_relative_to(real):
            return mine, True
    return None


def _named(settings: Settings, config_file: Path | None) -> Iterator[tuple[str, str]]:
    if config_file is not None:
        yield str(config_file), "the config file"
    yield DEFAULT_CONFIG_FILE, "the config file a start here would read"
    for spec in settings.tools:
        yield from _tools_file(spec)
    for folder in settings.plugins:
        yield folder, "a plugin folder"
    for manifest in settings.manifests:
        yield manifest, "a plugin manifest"
    if settings.audit_log:
        yield settings.audit_log, "the audit log"
        for number in range(1, settings.audit_backups + 1):
            yield f"{settings.audit_log}.{number}", "a backup of the audit log"
    yield str(settings.state_folder()), "the state folder"


def _tools_file(spec: str) -> Iterator[tuple[str, str]]:
    """A `--tools` file or package folder; a module given by name is its file, once imported."""
    if os.path.exists(spec):
        yield spec, "a --tools file"
        return
    module = sys.modules.get(spec)
    filename = getattr(module, "__file__", None)
    if filename:
        is_package = os.path.basename(filename) == "__init__.py"
        yield (os.path.dirname(filename) if is_package else filename), "a --tools module"
