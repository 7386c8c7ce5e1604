"""`Caller`: the dashboard's own MCP client connection, so that `POST /api/tools/{name}/call` runs
a call exactly as a client's `tools/call` runs (permissions, read-only, timeouts, metrics, audit).

It speaks 2025-06-18 on purpose: that revision answers invalid arguments with a JSON-RPC
error carrying the validation errors (`-32602`, data.errors), which the API returns as 422;
2025-11-25 folds them into an error result (SEP-1303).
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import anyio
import anyio.abc

from .._json import loads
from .._protocol import jsonrpc
from .._version import __version__

if TYPE_CHECKING:
    from .._protocol.connection import Connection
    from .._protocol.server import Server

__all__ = ["CLIENT_NAME", "Caller", "Closed"]

CLIENT_NAME = "mcp-toolhost dashboard"
"""How the dashboard's calls show up as `client` (live calls, audit log)."""
_VERSION = "2025-06-18"


class Closed(Exception):
    """The server is shutting down: the call was not made, or was cancelled unanswered."""


class Caller:
    def __init__(self, server: Server) -> None:
        self._server = server
        self._connection: Connection | None = None
        self._ids = itertools.count(1)
        self._waiting: dict[int, tuple[anyio.Event, list[dict[str, Any]]]] = {}
        self._ready = anyio.Event()
        self._closing = anyio.Event()

    async def run(self, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        """Hold the connection open, initialized, until `close` (its calls get shutdown_grace) or cancelled."""
        try:
            async with self._server.connect(self._received) as connection:
                self._connection = connection
                await self._request(
                    "initialize",
                    {
                        "protocolVersion": _VERSION,
                        "capabilities": {},
                        "clientInfo": {"name": CLIENT_NAME, "version": __version__},
                    },
                )
                connection.receive({"jsonrpc": "2.0", "method": "notifications/initialized"})
                self._ready.set()
                task_status.started()
                await self._closing.wait()
        finally:
            self._closing.set()
            self._ready.set()
            for done, _ in self._waiting.values():  # cancelled calls are not answered: `_request` raises Closed
                done.set()

    def close(self) -> None:
        self._closing.set()

    async def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """The whole JSON-RPC response to `tools/call` (a result, or an error); Closed when shutting down."""
        # Served on the --http port, a request may come before `run` has initialized.
        await self._ready.wait()
        if self._closing.is_set():
            raise Closed
        return await self._request("tools/call", {"name": name, "arguments": arguments})

    async def _request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        assert self._connection is not None
        request_id = next(self._ids)
        done, answer = self._waiting[request_id] = (anyio.Event(), [])
        try:
            self._connection.receive({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
            await done.wait()
        finally:
            del self._waiting[request_id]
        if not answer:
            raise Closed
        return answer[0]

    def _received(self, data: bytes) -> None:
        message = loads(data)
        if not isinstance(message, dict) or not jsonrpc.is_response(message):
            return  # notifications (list changes, logs) are the page's business through /api/events
        waiting = self._waiting.get(message.get("id"))  # type: ignore[arg-type]
        if waiting is not None:
            waiting[1].append(message)
            waiting[0].set()
