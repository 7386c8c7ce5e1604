"""The public surface: every exported name exists, is documented, and the package is typed."""

import importlib
from pathlib import Path

import mcp_toolhost

PUBLIC_MODULES = [
    "mcp_toolhost",
    "mcp_toolhost.testing",
    "mcp_toolhost.errors",
    "mcp_toolhost.config",
    "mcp_toolhost.metrics",
]


def test_every_exported_name_exists_and_is_documented():
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        assert module.__doc__, module_name
        for name in module.__all__:
            value = getattr(module, name)
            if callable(value):
                assert value.__doc__, f"{module_name}.{name} has no docstring"


def test_package_is_marked_typed():
    assert (Path(mcp_toolhost.__file__).parent / "py.typed").exists()


def test_version_is_a_string():
    assert isinstance(mcp_toolhost.__version__, str) and mcp_toolhost.__version__.count(".") == 2
