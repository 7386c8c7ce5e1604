"""The two tools the stdio benchmark harness needs (../shared/bench)."""

import anyio

from mcp_toolhost import tool


@tool
async def echo(text: str) -> str:
    """Return the text unchanged."""
    return text


@tool
async def sleep(seconds: float) -> str:
    """Wait without blocking the server, then answer "ok"."""
    await anyio.sleep(seconds)
    return "ok"
