"""Importing a plugin's Python code: a file or package folder by path, or an entry point's module.

Each import of a plugin file, and of a plugin package's submodules, runs its current
source: the bytecode cache is not consulted (an edit within the same second that keeps
the file's size would otherwise load stale code on reload). A failed import leaves `sys.modules` as it was, so the
last good version of a plugin keeps working.
"""

from __future__ import annotations

import hashlib
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

from .._tools.tool import Tool, collect_tools
from ..errors import ConfigError

__all__ = ["import_entry_point", "import_file", "plugin_tools"]

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


def module_name(path: Path) -> str:
    """A private, stable module name for a plugin file: two `tools.py` never collide."""
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:8]
    stem = "".join(c if c.isalnum() else "_" for c in path.stem)
    return f"{_PREFIX}.{stem}_{digest}"


def import_file(path: Path) -> ModuleType:
    """Import a `.py` file or package folder anew; raises ConfigError saying what failed and where."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    name = module_name(path)
    location = path / "__init__.py" if path.is_dir() else path
    if not location.is_file():
        raise ConfigError(f"plugin file not found: {location}")
    loader = _FreshSourceLoader(name, str(location))
    spec = importlib.util.spec_from_file_location(
        name, location, loader=loader, submodule_search_locations=[str(path)] if path.is_dir() else None
    )
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    # Replace this plugin's modules (a package's submodules too) only if the import works.
    saved = {key: value for key, value in sys.modules.items() if key == name or key.startswith(name + ".")}
    for key in saved:
        del sys.modules[key]
    sys.modules[name] = module
    importlib.invalidate_caches()  # a package may have gained a submodule since the last import
    try:
        loader.exec_module(module)
    except BaseException as exc:
        for key in [key for key in sys.modules if key == name or key.startswith(name + ".")]:
            del sys.modules[key]
        sys.modules.update(saved)
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise ConfigError(f"import failed: {_describe(exc, str(path))}") from exc
    return module


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


def plugin_tools(module: ModuleType) -> list[Tool]:
    """The module's `@tool` functions; for a package, also those its submodules define and it imports.

    A package's tools usually live in its modules (`from .forecast import forecast`):
    what the package's namespace holds is what it serves, in that order.
    """
    tools = collect_tools(module)
    if not hasattr(module, "__path__"):
        return tools
    position = {id(value): index for index, value in enumerate(vars(module).values())}
    prefix = module.__name__ + "."
    for name, submodule in list(sys.modules.items()):
        if name.startswith(prefix) and submodule is not None:
            tools += [tool for tool in collect_tools(submodule) if id(tool.fn) in position]
    return sorted(tools, key=lambda tool: position.get(id(tool.fn), len(position)))
