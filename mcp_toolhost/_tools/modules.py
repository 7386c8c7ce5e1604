"""Importing the modules that hold `@tool` functions: a file path or a module name."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from ..errors import ConfigError

__all__ = ["import_tools_module"]


def import_tools_module(spec: str) -> ModuleType:
    """Import `spec`: a `.py` file (or a package folder) by path, else a dotted module name."""
    path = Path(spec)
    if spec.endswith(".py") or path.is_dir() or path.exists():
        return import_path(path)
    try:
        return importlib.import_module(spec)
    except ImportError as exc:
        raise ConfigError(f"Cannot import tools module {spec!r}: {exc}") from exc


def import_path(path: Path, name: str | None = None) -> ModuleType:
    """Import a file or package folder under a private, stable module name.

    The name is derived from the absolute path so two files called `tools.py` in
    different folders never collide, and `from __future__ import annotations` plus
    `typing.get_type_hints` find the module in `sys.modules`.
    """
    path = path.resolve()
    location = path / "__init__.py" if path.is_dir() else path
    if not location.is_file():
        raise ConfigError(f"Tools file not found: {path}")
    if name is None:
        digest = hashlib.sha1(str(path).encode()).hexdigest()[:8]
        name = f"mcp_toolhost_user.{path.stem.replace('-', '_')}_{digest}"
    spec = importlib.util.spec_from_file_location(
        name, location, submodule_search_locations=[str(path)] if path.is_dir() else None
    )
    if spec is None or spec.loader is None:
        raise ConfigError(f"Cannot load tools from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:
        sys.modules.pop(name, None)
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise ConfigError(f"Error while importing {path}: {type(exc).__name__}: {exc}") from exc
    return module
