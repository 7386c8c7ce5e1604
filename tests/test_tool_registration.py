"""Registering tools: names, options, conflicts, and modules loaded by path or name."""

import pytest

from mcp_toolhost import ConfigError, Tool, ToolHost, tool
from mcp_toolhost.testing import connect

pytestmark = pytest.mark.anyio


def plain(x: int) -> int:
    """Return x."""
    return x


@pytest.mark.parametrize("name", ["", "has space", "comma,name", "x" * 129, "emoji🙂", "slash/name"])
def test_names_breaking_the_spec_rules_are_refused_at_registration(name):
    with pytest.raises(ConfigError, match="Invalid tool name"):
        Tool(plain, tool(name=name)(plain).__mcp_tool__)


@pytest.mark.parametrize("name", ["getUser", "DATA_EXPORT_v2", "admin.tools.list", "a-b", "x" * 128])
def test_names_within_the_rules_are_accepted(name):
    assert Tool(lambda: None, tool(name=name)(lambda: None).__mcp_tool__).name == name


def test_two_tools_with_one_name_is_an_error_naming_both():
    host = ToolHost()
    host.tool(name="same")(plain)
    with pytest.raises(ConfigError, match=r"'same' .* already taken"):
        host.tool(name="same")(lambda x: x)


async def test_bare_and_configured_decorators(tmp_path):
    host = ToolHost()

    @host.tool
    def bare(text: str) -> str:
        """Echo."""
        return text

    @host.tool(name="renamed", title="Nice title", description="Custom.", destructive_hint=True)
    async def configured() -> str:
        return "ok"

    async with connect(host) as client:
        tools = {t["name"]: t for t in await client.list_tools()}
        assert tools["bare"]["description"] == "Echo."
        assert tools["renamed"]["title"] == "Nice title"
        assert tools["renamed"]["description"] == "Custom."
        assert tools["renamed"]["annotations"] == {"destructiveHint": True}
        assert (await client.call_tool("bare", {"text": "hi"}))["content"] == [{"type": "text", "text": "hi"}]
        assert (await client.call_tool("renamed"))["content"][0]["text"] == "ok"


async def test_module_with_future_annotations_by_path_and_by_name(tmp_path, monkeypatch):
    source = (
        "from __future__ import annotations\n"
        "import datetime\n"
        "from mcp_toolhost import tool\n\n"
        "@tool\n"
        "def weekday(day: datetime.date, upper: bool = False) -> str:\n"
        "    '''Name the weekday of a date.'''\n"
        "    name = day.strftime('%A')\n"
        "    return name.upper() if upper else name\n"
    )
    (tmp_path / "dated_tools.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    for spec in (str(tmp_path / "dated_tools.py"), "dated_tools"):
        host = ToolHost()
        host.add_module(spec)
        async with connect(host) as client:
            result = await client.call_tool("weekday", {"day": "2026-11-25", "upper": True})
            assert result["content"][0]["text"] == "WEDNESDAY"
