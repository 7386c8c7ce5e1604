"""Importing a plugin's Python code: a file or package folder by path, or an entry point's module.

Each import of a plugin file, of a plugin package's submodules and of the modules beside
it runs their current source (`_tools.modules.import_path`). A failed import leaves
`sys.modules` as it was, so the last good version of a plugin keeps working.
"""

from __future__ import annotations

import importlib
import traceback
from pathlib import Path
from types import ModuleType

from .._tools.modules import PLUGIN_PREFIX, import_path, module_name
from ..errors import ConfigError

__all__ = ["import_entry_point", "import_file"]


def import_file(path: Path) -> ModuleType:
    """Import a `.py` file or package folder anew; raises ConfigError saying what failed and where."""
    location = path / "__init__.py" if path.is_dir() else path
    if not location.is_file():
        raise ConfigError(f"plugin file not found: {location}")
    name = module_name(path, PLUGIN_PREFIX)
    try:
        return import_path(path, name)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise ConfigError(f"import failed: {_describe(exc, str(path))}") from exc


def import_entry_point(value: str) -> ModuleType:
    """The module an entry point names (`name = package.module`)."""
    module_part, _, attr = value.partition(":")
    if attr:
        raise ConfigError(f"entry point {value!r} must name a module (package.module), not an object")
    try:
        return importlib.import_module(module_part.strip())
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise ConfigError(f"import failed: {_describe(exc, None)}") from exc


def _describe(exc: BaseException, root: str | None) -> str:
    """The exception and the plugin line that raised it, without the import machinery's frames."""
    text = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, SyntaxError):
        return text
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if (f.filename.startswith(root) if root else not f.filename.startswith("<"))]
    if ours:
        frame = ours[-1]
        text += f" ({Path(frame.filename).name}, line {frame.lineno})"
    return text
