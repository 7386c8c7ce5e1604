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


def test_resources_and_prompts_are_declared_from_the_root():
    assert {"resource", "prompt", "Resource", "Prompt"} <= set(mcp_toolhost.__all__)

    @mcp_toolhost.resource("notes://{name}")
    def note(name: str) -> str:
        return name

    @mcp_toolhost.prompt
    def review(code: str) -> str:
        return code

    assert note("a") == "a" and review("b") == "b"  # the functions are returned unchanged
    host = mcp_toolhost.ToolHost()
    host.resource("config://app")(lambda: {})
    host.prompt(name="ask")(review)
    assert [r.uri for r in host.resources] == ["config://app"]
    assert [p.name for p in host.prompts] == ["ask"]
