"""Importing the modules that hold `@tool` functions, and finding those functions in them.

One mechanism for every source: `--tools` files and modules here, and plugin files in
`plugins/modules.py`. Files are compiled from their current source every time (reload).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any, Final, TypeVar

from ..errors import ConfigError
from .function import Function
from .prompt import Prompt, collect_prompts
from .resource import Resource, collect_resources
from .tool import Tool, collect_tools

__all__ = [
    "PLUGIN_PREFIX",
    "USER_PREFIX",
    "Served",
    "helper_locations",
    "import_path",
    "import_tools_module",
    "module_functions",
    "module_name",
    "module_served",
]

F = TypeVar("F", bound=Function)

USER_PREFIX: Final = "mcp_toolhost_user"
"""Where `--tools` files live in `sys.modules` (`module_name`)."""
PLUGIN_PREFIX: Final = "mcp_toolhost_plugins"
"""Where plugin files live in `sys.modules`."""

# Module name -> the locations of its folder's modules after its last import (`helper_locations`).
_HELPERS: dict[str, frozenset[str]] = {}
# Sibling modules in sys.modules -> (their folder, the file's state when imported).
_SIBLINGS: dict[str, tuple[Path, tuple[int, int] | None]] = {}


class _FreshSourceLoader(importlib.machinery.SourceFileLoader):
    """Compiles the file as it is now, never from `__pycache__`.

    An edit within the same second that keeps the file's size would otherwise load
    stale bytecode on reload.
    """

    def get_code(self, fullname: str) -> CodeType:
        source = self.get_data(self.path)
        return compile(source, self.path, "exec", dont_inherit=True)


class _FreshFinder(importlib.abc.MetaPathFinder):
    """Gives the submodules of packages imported by path the fresh loader too (`from .helpers import ...`)."""

    def find_spec(self, fullname: str, path: Any, target: ModuleType | None = None) -> ModuleSpec | None:
        if not fullname.startswith((USER_PREFIX + ".", PLUGIN_PREFIX + ".")) or fullname.count(".") < 2:
            return None
        return _fresh(importlib.machinery.PathFinder.find_spec(fullname, path))


_FRESH_FINDER = _FreshFinder()


def _fresh(spec: ModuleSpec | None) -> ModuleSpec | None:
    if spec is not None and isinstance(spec.loader, importlib.machinery.SourceFileLoader) and spec.origin:
        spec.loader = _FreshSourceLoader(spec.name, spec.origin)
    return spec


class _Siblings(importlib.abc.MetaPathFinder):
    """While a file imports: the modules in its folder are importable, as `python file.py` makes them.

    Found after built-in and frozen modules and before `sys.path` (where `python file.py`
    puts the script's folder), with the fresh loader. They stay in `sys.modules` afterwards,
    so imports inside functions still find them, but not forever:

    - a sibling whose file changed since it was imported is imported anew (reload);
    - two files in different folders may each have a `helperlib.py`: before a file
      imports, a cached sibling from another folder that its own folder also provides
      is dropped from `sys.modules`, so each file gets its own. The first file keeps the
      module object it imported; only lookups by name in `sys.modules` (pickle, some
      forward references) then see the second one.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.found: set[str] = set()
        self.locations: frozenset[str] = frozenset()

    def find_spec(self, fullname: str, path: Any, target: ModuleType | None = None) -> ModuleSpec | None:
        root = fullname.partition(".")[0]
        if root == fullname:
            spec = importlib.machinery.PathFinder.find_spec(fullname, [str(self.folder)])
        elif root in self.found:
            spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        else:
            return None
        if spec is not None:
            self.found.add(fullname)
        return _fresh(spec)

    def __enter__(self) -> None:
        for name, (folder, state) in list(_SIBLINGS.items()):
            stale = _state(sys.modules.get(name)) != state if folder == self.folder else self._provides(name)
            if stale or name not in sys.modules:
                for key in _loaded(name):
                    del sys.modules[key]
                del _SIBLINGS[name]
        if _FRESH_FINDER not in sys.meta_path:
            sys.meta_path.insert(0, _FRESH_FINDER)
        sys.meta_path.insert(sys.meta_path.index(importlib.machinery.PathFinder), self)

    def __exit__(self, *exc_info: object) -> None:
        sys.meta_path.remove(self)
        for name in self.found:
            module = sys.modules.get(name)
            if module is None:
                continue
            if exc_info[0] is not None:
                del sys.modules[name]  # a failed import leaves no half-imported helper behind
            else:
                _SIBLINGS[name] = (self.folder, _state(module))
        # Every sibling of this folder in sys.modules, whether this import loaded it or
        # found it there: which of them the file uses is not tracked.
        self.locations = frozenset(
            location
            for name, (folder, _) in _SIBLINGS.items()
            if folder == self.folder and (location := _location(sys.modules.get(name))) is not None
        )

    def _provides(self, name: str) -> bool:
        return "." not in name and importlib.machinery.PathFinder.find_spec(name, [str(self.folder)]) is not None


def _loaded(name: str) -> list[str]:
    """Module `name` and its submodules, as `sys.modules` holds them now."""
    return [key for key in sys.modules if key == name or key.startswith(name + ".")]


def _location(module: ModuleType | None) -> str | None:
    """A module's file, or a package's folder; None for a module from neither."""
    paths = getattr(module, "__path__", None)
    where = paths[0] if paths else getattr(module, "__file__", None)
    return str(Path(where).resolve()) if where else None


def _state(module: ModuleType | None) -> tuple[int, int] | None:
    """The modification time and size of a module's file, to tell whether it changed."""
    try:
        info = os.stat(module.__file__)  # type: ignore[arg-type, union-attr]
    except (OSError, TypeError, AttributeError):
        return None
    return (info.st_mtime_ns, info.st_size)


def import_tools_module(spec: str) -> ModuleType:
    """Import `spec`: a `.py` file (or a package folder) by path, else a dotted module name."""
    path = Path(spec)
    if spec.endswith(".py") or path.exists():
        try:
            return import_path(path.resolve(), module_name(path.resolve(), USER_PREFIX))
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


def import_path(path: Path, name: str) -> ModuleType:
    """Import a `.py` file or a package folder as module `name`, always from its current source.

    As `python file.py` does, modules beside the file are importable while it imports
    (`from helperlib import helper`); see `_Siblings`. The module (and a package's
    submodules) replace what `sys.modules` held under that name only if the import works;
    if it raises, `sys.modules` is left as it was, so an earlier version keeps working,
    and the exception propagates.
    """
    location = path / "__init__.py" if path.is_dir() else path
    if not location.is_file():
        raise ConfigError(f"Tools file not found: {location}")
    spec = importlib.util.spec_from_file_location(
        name,
        location,
        loader=_FreshSourceLoader(name, str(location)),
        submodule_search_locations=[str(path)] if path.is_dir() else None,
    )
    if spec is None or spec.loader is None:
        raise ConfigError(f"Cannot load tools from {path}")
    module = importlib.util.module_from_spec(spec)
    saved = {key: sys.modules[key] for key in _loaded(name)}
    for key in saved:
        del sys.modules[key]
    sys.modules[name] = module
    importlib.invalidate_caches()  # a package may have gained a submodule since the last import
    siblings = _Siblings(path.parent)
    try:
        with siblings:
            spec.loader.exec_module(module)
    except BaseException:
        for key in _loaded(name):
            del sys.modules[key]
        sys.modules.update(saved)
        raise
    _HELPERS[name] = siblings.locations
    return module


def helper_locations(name: str) -> frozenset[str]:
    """The files (a package's folder) of the modules beside module `name` when it was last imported.

    Absolute paths; a change to one of them is a change to the module (reload).
    """
    return _HELPERS.get(name, frozenset())


@dataclass(slots=True)
class Served:
    """What a module serves: its `@tool`, `@resource` and `@prompt` functions, in source order."""

    tools: list[Tool] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    prompts: list[Prompt] = field(default_factory=list)

    def prepare(self, source: str) -> None:
        """Mark each as coming from `source` and build its schemas; raises ConfigError naming the first that fails."""
        for function in [*self.tools, *self.resources, *self.prompts]:
            function.source = source
            try:
                function.prepare()
            except ConfigError as exc:
                raise ConfigError(f"{function.kind} {function.key!r}: {exc}") from None


def module_served(module: ModuleType) -> Served:
    """The module's tools, resources and prompts (see `module_functions`)."""
    return Served(
        module_functions(module, collect_tools),
        module_functions(module, collect_resources),
        module_functions(module, collect_prompts),
    )


def module_functions(module: ModuleType, collect: Callable[[ModuleType], list[F]]) -> list[F]:
    """What `collect` finds in the module; for a package, also in the submodules it imports from.

    A package's functions usually live in its modules (`from .forecast import forecast`):
    what the package's namespace holds is what it serves, in that order.
    """
    found = collect(module)
    if not hasattr(module, "__path__"):
        return found
    position = {id(value): index for index, value in enumerate(vars(module).values())}
    prefix = module.__name__ + "."
    for name, submodule in list(sys.modules.items()):
        if name.startswith(prefix) and submodule is not None:
            found += [function for function in collect(submodule) if id(function.fn) in position]
    return sorted(found, key=lambda function: position.get(id(function.fn), len(position)))
