"""Test your tools in-process: an MCP client wired straight into the protocol core.

```python
from mcp_toolhost import ToolHost
from mcp_toolhost.testing import connect

async def test_add():
    host = ToolHost()
    host.add_module("my_tools.py")
    async with connect(host) as client:
        result = await client.call_tool("add", {"a": 1, "b": 2})
        assert result["structuredContent"] == {"result": 3}
```

Messages go through the same JSON encoding and dispatch as on stdio, so what
passes here behaves the same for a real client.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio

from . import _json
from ._protocol.versions import LATEST_HANDSHAKE
from .host import ToolHost

__all__ = ["Client", "ClientError", "connect"]


class ClientError(Exception):
    """The server answered a request with a JSON-RPC error."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(f"{error.get('code')}: {error.get('message')}")
        self.code: int = error.get("code", 0)
        self.message: str = error.get("message", "")
        self.data: Any = error.get("data")


def _not_connected(message: Any) -> None:
    raise RuntimeError("this Client is not connected: create it with mcp_toolhost.testing.connect()")


class Client:
    """A minimal MCP client on an in-memory transport. Create it with `connect()`."""

    def __init__(self) -> None:
        self.notifications: list[dict[str, Any]] = []
        """Every notification the server sent, in order."""
        self._ids = itertools.count(1)
        self._answers: dict[int, dict[str, Any]] = {}
        self._waiters: dict[int, anyio.Event] = {}
        self._receive: Callable[[Any], None] = _not_connected

    def _on_message(self, data: bytes) -> None:
        message = _json.loads(data)
        for item in message if isinstance(message, list) else [message]:
            request_id = item.get("id")
            if "method" not in item and request_id in self._waiters:
                self._answers[request_id] = item
                self._waiters.pop(request_id).set()
            else:
                self.notifications.append(item)

    def send(self, message: dict[str, Any]) -> None:
        """Send a raw message (a notification, or a request you track yourself)."""
        self._receive(_json.loads(_json.dumps(message)))  # as it would cross a wire

    async def request(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send a request and return its result; raises ClientError on an error answer."""
        request_id = next(self._ids)
        done = self._waiters[request_id] = anyio.Event()
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        await done.wait()
        answer = self._answers.pop(request_id)
        if "error" in answer:
            raise ClientError(answer["error"])
        result: dict[str, Any] = answer["result"]
        return result

    async def initialize(self, protocol_version: str = LATEST_HANDSHAKE) -> dict[str, Any]:
        result = await self.request(
            "initialize",
            {
                "protocolVersion": protocol_version,
                "capabilities": {},
                "clientInfo": {"name": "mcp-toolhost-testing", "version": "0"},
            },
        )
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return result

    async def list_all(self, method: str, key: str) -> list[dict[str, Any]]:
        """Every item of a list method (`tools/list`, `resources/list`...), following `nextCursor` through all pages."""
        items: list[dict[str, Any]] = []
        params: dict[str, Any] = {}
        while True:
            page = await self.request(method, params)
            items.extend(page[key])
            if not page.get("nextCursor"):
                return items
            params = {"cursor": page["nextCursor"]}

    async def list_tools(self) -> list[dict[str, Any]]:
        """Every tool, through all pages."""
        return await self.list_all("tools/list", "tools")

    async def list_resources(self) -> list[dict[str, Any]]:
        """Every resource with a fixed URI, through all pages."""
        return await self.list_all("resources/list", "resources")

    async def list_resource_templates(self) -> list[dict[str, Any]]:
        """Every resource template, through all pages."""
        return await self.list_all("resources/templates/list", "resourceTemplates")

    async def list_prompts(self) -> list[dict[str, Any]]:
        """Every prompt, through all pages."""
        return await self.list_all("prompts/list", "prompts")

    async def read_resource(self, uri: str) -> dict[str, Any]:
        """The `ReadResourceResult`: its `contents` hold `text` or base64 `blob`."""
        return await self.request("resources/read", {"uri": uri})

    async def get_prompt(self, name: str, arguments: dict[str, str] | None = None) -> dict[str, Any]:
        """The `GetPromptResult`: its `messages`."""
        return await self.request("prompts/get", {"name": name, "arguments": arguments or {}})

    async def call_tool(
        self, name: str, arguments: dict[str, Any] | None = None, *, progress_token: str | int | None = None
    ) -> dict[str, Any]:
        """The `CallToolResult` (check `result.get("isError")` for tool errors)."""
        params: dict[str, Any] = {"name": name, "arguments": arguments or {}}
        if progress_token is not None:
            params["_meta"] = {"progressToken": progress_token}
        return await self.request("tools/call", params)


@asynccontextmanager
async def connect(host: ToolHost, *, initialize: bool = True) -> AsyncIterator[Client]:
    """An initialized `Client` connected to `host` for the duration of the block."""
    client = Client()
    async with host.server().connect(client._on_message) as connection:
        client._receive = connection.receive
        if initialize:
            await client.initialize()
        yield client
