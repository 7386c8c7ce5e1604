"""The plugin's own tests, through an MCP client: `pip install -e '.[test]' && python -m pytest`."""

import anyio

from mcp_toolhost import ToolHost
from mcp_toolhost.testing import connect


def _host() -> ToolHost:
    host = ToolHost()
    host.add_module("mcp_toolhost_units.tools")
    return host


def test_lists_both_tools_with_units_as_enums():
    async def main():
        async with connect(_host()) as client:
            tools = {tool["name"]: tool for tool in await client.list_tools()}
            assert set(tools) == {"convert_length", "convert_temperature"}
            units = tools["convert_length"]["inputSchema"]["properties"]["to_unit"]["enum"]
            assert "km" in units and "mi" in units

    anyio.run(main)


def test_converts_miles_to_kilometres():
    async def main():
        async with connect(_host()) as client:
            result = await client.call_tool("convert_length", {"value": 2, "from_unit": "mi", "to_unit": "km"})
            assert result["structuredContent"] == {"result": 3.218688}

    anyio.run(main)


def test_below_absolute_zero_is_a_tool_error():
    async def main():
        async with connect(_host()) as client:
            result = await client.call_tool("convert_temperature", {"value": -500, "from_unit": "C", "to_unit": "K"})
            assert result["isError"] is True
            assert "below absolute zero" in result["content"][0]["text"]

    anyio.run(main)
