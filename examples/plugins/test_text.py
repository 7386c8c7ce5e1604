"""The text plugin's own test: `python -m pytest examples/plugins`, no server process needed."""

from pathlib import Path

import anyio

from mcp_toolhost.plugins import plugin_host
from mcp_toolhost.testing import connect

HERE = Path(__file__).parent


def test_slugify_and_word_count():
    async def main():
        async with connect(plugin_host(HERE)) as client:
            slug = await client.call_tool("slugify", {"text": "Crème Brûlée, at home"})
            assert slug["content"] == [{"type": "text", "text": "creme-brulee-at-home"}]
            count = await client.call_tool("word_count", {"text": "one two  three"})
            assert count["structuredContent"] == {"result": 3}

    anyio.run(main)
