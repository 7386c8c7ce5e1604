"""Importing the modules that hold `@tool` functions, and finding those functions in them.

One mechanism for every source: `--tools` files and modules here, and plugin files in
`plugins/modules.py`, which adds a loader that always compiles the current source.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.abc
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from ..errors import ConfigError
from .tool import Tool, collect_tools

__all__ = ["import_path", "import_tools_module", "module_name", "module_tools"]


def import_tools_module(spec: str) -> ModuleType:
    """Import `spec`: a `.py` file (or a package folder) by path, else a dotted module name."""
    path = Path(spec)
    if spec.endswith(".py") or path.exists():
        try:
            return import_path(path.resolve(), module_name(path.resolve(), "mcp_toolhost_user"))
        except ConfigError:
            raise
        except BaseException as exc:  # a module may even call sys.exit() at import time
            if isinstance(exc, KeyboardInterrupt):
                raise
            raise ConfigError(f"Error while importing {path}: {type(exc).__name__}: {exc}") from exc
    try:
        return importlib.import_module(spec)
    except ImportError as exc:
        raise ConfigError(f"Cannot import tools module {spec!r}: {exc}") from exc


def module_name(path: Path, prefix: str) -> str:
    """A private, stable module name for a file: two `tools.py` in different folders never collide.

    A real entry in `sys.modules`, so `from __future__ import annotations` plus
    `typing.get_type_hints` resolve the module's names.
    """
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:8]
    stem = "".join(c if c.isalnum() else "_" for c in path.stem)
    return f"{prefix}.{stem}_{digest}"


def import_path(path: Path, name: str, loader: importlib.abc.Loader | None = None) -> ModuleType:
    """Import a `.py` file or a package folder as module `name`.

    The module (and a package's submodules) replace what `sys.modules` held under that
    name only if the import works; if it raises, `sys.modules` is left as it was, so an
    earlier version keeps working, and the exception propagates.
    """
    location = path / "__init__.py" if path.is_dir() else path
    if not location.is_file():
        raise ConfigError(f"Tools file not found: {location}")
    spec = importlib.util.spec_from_file_location(
        name, location, loader=loader, submodule_search_locations=[str(path)] if path.is_dir() else None
    )
    if spec is None or spec.loader is None:
        raise ConfigError(f"Cannot load tools from {path}")
    module = importlib.util.module_from_spec(spec)
    saved = {key: value for key, value in sys.modules.items() if key == name or key.startswith(name + ".")}
    for key in saved:
        del sys.modules[key]
    sys.modules[name] = module
    importlib.invalidate_caches()  # a package may have gained a submodule since the last import
    try:
        spec.loader.exec_module(module)
    except BaseException:
        for key in [key for key in sys.modules if key == name or key.startswith(name + ".")]:
            del sys.modules[key]
        sys.modules.update(saved)
        raise
    return module


def module_tools(module: ModuleType) -> list[Tool]:
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
