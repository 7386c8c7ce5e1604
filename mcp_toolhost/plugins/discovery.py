"""Where plugins come from: plugin folders, manifest files and installed entry points.

Discovery only finds and names sources; nothing is imported or parsed here, so a
folder can be rescanned cheaply on every change while reloading.

A plugin folder holds, besides anything else:

- `name.py`: a plugin module;
- `name/__init__.py`: a plugin package;
- `name.toml`: a manifest.

Names starting with `_` or `.` are skipped, and so are tests kept beside the plugins
(`test_*.py`, `*_test.py`, `conftest.py`), `pyproject.toml` and `mcp-toolhost.toml`.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

__all__ = ["ENTRY_POINT_GROUP", "Source", "entry_point_sources", "entry_points_declared", "scan"]

ENTRY_POINT_GROUP: Final = "mcp_toolhost.plugins"
_SECTION: Final = b"[" + ENTRY_POINT_GROUP.encode() + b"]"
_NOT_PLUGINS: Final = frozenset({"conftest.py", "pyproject.toml", "setup.py", "mcp-toolhost.toml"})

Kind = Literal["module", "package", "manifest", "entry_point"]


@dataclass(frozen=True, slots=True)
class Source:
    """One place a plugin comes from; `key` identifies it across reloads."""

    kind: Kind
    name: str
    """The plugin's name unless its metadata declares another: file stem, folder or entry point name."""
    location: str
    """A path, or for an entry point the module it names."""
    dist: Any = None
    """For an entry point: its `importlib.metadata.Distribution`."""

    @property
    def key(self) -> str:
        return self.location if self.kind != "entry_point" else f"entry point {self.name}"

    @property
    def path(self) -> Path | None:
        return Path(self.location) if self.kind != "entry_point" else None

    @property
    def label(self) -> str:
        """How reports and logs name this source."""
        if self.kind == "entry_point":
            return f"entry point {self.name} = {self.location}"
        return _display(self.location)

    @property
    def reloadable(self) -> bool:
        return self.kind != "entry_point"


def _display(location: str) -> str:
    cwd = os.getcwd()
    if os.path.dirname(cwd) == cwd:  # from "/", a relative path would only lose its leading slash
        return location
    try:
        return os.path.relpath(location, cwd)
    except ValueError:  # another drive (Windows)
        return location


def _is_candidate(name: str) -> bool:
    if name.startswith(("_", ".")) or name in _NOT_PLUGINS:
        return False
    return not (name.startswith("test_") or name.endswith("_test.py"))


def scan_folder(folder: Path) -> list[Source]:
    """The plugins in one folder, in name order. A missing folder holds none."""
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return []
    sources = []
    for entry in entries:
        if not _is_candidate(entry.name):
            continue
        path = str(Path(entry.path).resolve())
        if entry.is_dir():
            if os.path.isfile(os.path.join(entry.path, "__init__.py")):
                sources.append(Source("package", entry.name, path))
        elif entry.name.endswith(".py"):
            sources.append(Source("module", entry.name[:-3], path))
        elif entry.name.endswith(".toml"):
            sources.append(Source("manifest", entry.name[:-5], path))
    return sources


def scan(folders: tuple[str, ...], manifests: tuple[str, ...]) -> list[Source]:
    """Folder plugins (folders in the order given), then the `--manifest` files."""
    sources = [source for folder in folders for source in scan_folder(Path(folder).expanduser())]
    for manifest in manifests:
        path = Path(manifest).expanduser().resolve()
        sources.append(Source("manifest", path.stem, str(path)))
    return sources


def entry_points_declared() -> bool:
    """Whether any distribution on `sys.path` declares an `mcp_toolhost.plugins` entry point.

    A listing of each `sys.path` folder and a read of each `entry_points.txt` (under a
    millisecond for a typical virtualenv), so that `importlib.metadata`, ~20 ms to import,
    is paid only when there are plugins to load. Zipped eggs are not probed.
    """
    for entry in sys.path:
        folder = entry or "."
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            try:
                with open(os.path.join(folder, name, "entry_points.txt"), "rb") as f:
                    if _SECTION in f.read():
                        return True
            except OSError:
                continue
    return False


def entry_point_sources() -> list[Source]:
    """The installed entry-point plugins, by name; a name installed twice counts once."""
    from importlib.metadata import entry_points

    seen: dict[str, Source] = {}
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.name not in seen:
            seen[point.name] = Source("entry_point", point.name, point.value, point.dist)
    return [seen[name] for name in sorted(seen)]
