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

Tools that ask the client (`ctx.elicit`, `ctx.sample`, `ctx.list_roots`) are answered by
the callbacks given to `connect`, as the official SDK's client takes them; the client
declares the capability of each one given, and no other:

```python
async def yes(params):  # elicitation/create's params -> its result
    return {"action": "accept", "content": {"ok": True}}

async with connect(host, elicitation_callback=yes) as client:
    result = await client.call_tool("deploy", {"env": "prod"})
```

With `protocol_version="2026-07-28"` the client speaks the stateless revision instead:
every request carries the envelope, and `call_tool` answers input-required rounds with
the same callbacks, so the tool runs again from its start as it will for a real client.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol

import anyio
import anyio.abc

from . import _json
from ._protocol import jsonrpc
from ._protocol.envelope import CLIENT_CAPABILITIES_KEY, PROTOCOL_VERSION_KEY
from ._protocol.versions import LATEST_HANDSHAKE, STATELESS_VERSIONS
from .errors import InternalError
from .host import ToolHost

__all__ = ["Callback", "Client", "ClientError", "connect"]


class Callback(Protocol):
    """Answers one question of the server: gets its params, returns its result, e.g.
    `async def on_elicit(params): return {"action": "accept", "content": {...}}`.

    An exception is an error response (in 2026-07-28, which has none, `call_tool` raises it)."""

    def __call__(self, params: dict[str, Any], /) -> Awaitable[dict[str, Any]]: ...


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

    def __init__(
        self,
        *,
        elicitation_callback: Callback | None = None,
        sampling_callback: Callback | None = None,
        list_roots_callback: Callback | None = None,
        protocol_version: str = LATEST_HANDSHAKE,
    ) -> None:
        self.notifications: list[dict[str, Any]] = []
        """Every notification the server sent, in order, and its requests no callback answers."""
        self._ids = itertools.count(1)
        self._answers: dict[int, dict[str, Any]] = {}
        self._waiters: dict[int, anyio.Event] = {}
        self._receive: Callable[[Any], None] = _not_connected
        self._tasks: anyio.abc.TaskGroup | None = None
        callbacks = {
            "elicitation/create": elicitation_callback,
            "sampling/createMessage": sampling_callback,
            "roots/list": list_roots_callback,
        }
        self._callbacks = {method: callback for method, callback in callbacks.items() if callback is not None}
        # What the official SDK client declares for the same callbacks.
        declared = {
            "elicitation": ("elicitation/create", {"form": {}, "url": {}}),
            "sampling": ("sampling/createMessage", {}),
            "roots": ("roots/list", {"listChanged": True}),
        }
        self.capabilities: dict[str, Any] = {
            name: value for name, (method, value) in declared.items() if method in self._callbacks
        }
        """What `initialize` declares: the capability of each callback given."""
        self.protocol_version = protocol_version
        """The revision `initialize` asks for, or a stateless one (2026-07-28) every request names."""
        self.server_capabilities: dict[str, Any] | None = None
        """What the server declared at `initialize`; None before it (and in 2026-07-28)."""
        self._envelope = (
            {PROTOCOL_VERSION_KEY: protocol_version, CLIENT_CAPABILITIES_KEY: self.capabilities}
            if protocol_version in STATELESS_VERSIONS
            else None
        )

    def _on_message(self, data: bytes) -> None:
        message = _json.loads(data)
        for item in message if isinstance(message, list) else [message]:
            request_id = item.get("id")
            if "method" not in item and request_id in self._waiters:
                self._answers[request_id] = item
                self._waiters.pop(request_id).set()
            elif item.get("method") in self._callbacks and "id" in item and self._tasks is not None:
                self._tasks.start_soon(self._answer, item)
            else:
                self.notifications.append(item)

    async def _answer(self, request: dict[str, Any]) -> None:
        """Answer a request of the server with its callback's result, or its exception as an error."""
        reply: dict[str, Any] = {"jsonrpc": "2.0", "id": request["id"]}
        try:
            reply["result"] = await self._callback(request["method"])(request.get("params") or {})
        except Exception as exc:
            reply["error"] = jsonrpc.error_object(InternalError(str(exc) or type(exc).__name__))
        self.send(reply)

    def send(self, message: dict[str, Any]) -> None:
        """Send a raw message (a notification, or a request you track yourself)."""
        self._receive(_json.loads(_json.dumps(message)))  # as it would cross a wire

    async def request(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send a request and return its result; raises ClientError on an error answer."""
        if self._envelope is not None:  # stateless: each request names its revision and capabilities
            params = params or {}
            params = {**params, "_meta": {**self._envelope, **params.get("_meta", {})}}
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

    async def initialize(self, protocol_version: str | None = None) -> dict[str, Any]:
        result = await self.request(
            "initialize",
            {
                "protocolVersion": protocol_version or self.protocol_version,
                "capabilities": self.capabilities,
                "clientInfo": {"name": "mcp-toolhost-testing", "version": "0"},
            },
        )
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        self.server_capabilities = result.get("capabilities", {})
        return result

    async def list_all(self, method: str, key: str) -> list[dict[str, Any]]:
        """Every item of a list method (`tools/list`, `resources/list`...), following `nextCursor` through all pages.

        Empty, without asking, when the server declared no capability for it (it would answer -32601).
        """
        capability = method.split("/", 1)[0]
        if self.server_capabilities is not None and capability not in self.server_capabilities:
            return []
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
        """The `ReadResourceResult`: its `contents` hold `text` or base64 `blob` (rounds as `call_tool`)."""
        return await self._answering_rounds("resources/read", {"uri": uri})

    async def get_prompt(self, name: str, arguments: dict[str, str] | None = None) -> dict[str, Any]:
        """The `GetPromptResult`: its `messages` (rounds as `call_tool`)."""
        return await self._answering_rounds("prompts/get", {"name": name, "arguments": arguments or {}})

    async def call_tool(
        self, name: str, arguments: dict[str, Any] | None = None, *, progress_token: str | int | None = None
    ) -> dict[str, Any]:
        """The `CallToolResult` (check `result.get("isError")` for tool errors).

        In 2026-07-28 the callbacks answer each input-required round (basic/patterns/input-required)
        and the call is sent again with their answers, until it completes.
        """
        params: dict[str, Any] = {"name": name, "arguments": arguments or {}}
        if progress_token is not None:
            params["_meta"] = {"progressToken": progress_token}
        return await self._answering_rounds("tools/call", params)

    async def _answering_rounds(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """The result of `method`, its input-required rounds (2026-07-28) answered by the callbacks."""
        result = await self.request(method, params)
        while result.get("resultType") == "input_required":
            answers = {
                key: await self._callback(asked["method"])(asked.get("params") or {})
                for key, asked in result["inputRequests"].items()
            }
            params = {**params, "inputResponses": answers, "requestState": result["requestState"]}
            result = await self.request(method, params)
        return result

    def _callback(self, method: str) -> Callback:
        callback = self._callbacks.get(method)
        if callback is None:
            raise RuntimeError(f"The server asked {method}, which no callback given to connect() answers")
        return callback


@asynccontextmanager
async def connect(
    host: ToolHost,
    *,
    initialize: bool = True,
    protocol_version: str = LATEST_HANDSHAKE,
    elicitation_callback: Callback | None = None,
    sampling_callback: Callback | None = None,
    list_roots_callback: Callback | None = None,
) -> AsyncIterator[Client]:
    """An initialized `Client` connected to `host` for the duration of the block.

    Each callback answers the server's requests of its kind (`elicitation/create`,
    `sampling/createMessage`, `roots/list`): it gets their params and returns their result.
    A stateless `protocol_version` (2026-07-28) is never initialized: each request carries it.
    """
    client = Client(
        elicitation_callback=elicitation_callback,
        sampling_callback=sampling_callback,
        list_roots_callback=list_roots_callback,
        protocol_version=protocol_version,
    )
    # The callbacks' task group inside the connection's, which gives back an exception of the
    # block as it was raised rather than in an exception group.
    async with host.server().connect(client._on_message) as connection, anyio.create_task_group() as tasks:
        client._tasks = tasks
        client._receive = connection.receive
        if initialize and client._envelope is None:
            await client.initialize()
        yield client
        tasks.cancel_scope.cancel()  # a callback still running would answer a closing connection
