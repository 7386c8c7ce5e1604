"""Importing a plugin's Python code: a file or package folder by path, or an entry point's module.

Each import of a plugin file, and of a plugin package's submodules, runs its current
source: the bytecode cache is not consulted (an edit within the same second that keeps
the file's size would otherwise load stale code on reload). A failed import leaves `sys.modules` as it was, so the
last good version of a plugin keeps working.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import traceback
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

from .._tools.modules import import_path, module_name
from ..errors import ConfigError

__all__ = ["import_entry_point", "import_file"]

_PREFIX = "mcp_toolhost_plugins"


class _FreshSourceLoader(importlib.machinery.SourceFileLoader):
    """Compiles the file as it is now, never from `__pycache__`."""

    def get_code(self, fullname: str) -> CodeType:
        source = self.get_data(self.path)
        return compile(source, self.path, "exec", dont_inherit=True)


class _FreshFinder(importlib.abc.MetaPathFinder):
    """Gives a plugin package's submodules the fresh loader too (`from .helpers import ...`)."""

    def find_spec(self, fullname: str, path: Any, target: ModuleType | None = None) -> ModuleSpec | None:
        if not fullname.startswith(_PREFIX + ".") or fullname.count(".") < 2:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and isinstance(spec.loader, importlib.machinery.SourceFileLoader) and spec.origin:
            spec.loader = _FreshSourceLoader(fullname, spec.origin)
        return spec


_FINDER = _FreshFinder()


def import_file(path: Path) -> ModuleType:
    """Import a `.py` file or package folder anew; raises ConfigError saying what failed and where."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    location = path / "__init__.py" if path.is_dir() else path
    if not location.is_file():
        raise ConfigError(f"plugin file not found: {location}")
    name = module_name(path, _PREFIX)
    try:
        return import_path(path, name, loader=_FreshSourceLoader(name, str(location)))
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
