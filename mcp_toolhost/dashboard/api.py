"""`DashboardApp`: the plain ASGI app serving the management API under `/api` and the page at `/`.

Routes (and their OpenAPI schema, `openapi.py`): the tools with their schemas and state,
calling one through the same path as an MCP `tools/call` (`caller.py`), enabling and
disabling them (`lifecycle.py`), the plugins and reloading them (`plugin_control.py`),
health, the recent calls and the event stream (`events.py`).
Errors are JSON `{"error": MESSAGE}` with the status saying what kind: 401 no or wrong token,
403 refused (origin, host, CSRF, a disabled tool), 404 unknown, 422 invalid arguments.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from http.cookies import SimpleCookie
from importlib import resources
from typing import Any, Final
from urllib.parse import parse_qs

import anyio

from .._json import dumps, loads
from .._tools.function import definitions
from .._tools.tool import Tool
from .._transports.asgi import JSON, BodyRefused, Receive, Scope, Send, headers, read_body, respond
from ..errors import ParseError
from ..host import ToolHost
from . import openapi, page, plugin_control
from .access import Access
from .caller import Caller, Closed
from .calls import CallLog
from .events import Events
from .lifecycle import Switches
from .plugin_control import Plugins

__all__ = ["DashboardApp"]

_NO_STORE: Final = [(b"cache-control", b"no-store")]
_LEVEL: Final = 3
"""The feature level of the newest revision: tool definitions shown with every field they have."""
_STATIC: Final = {"dashboard.js": b"text/javascript", "dashboard.css": b"text/css"}
_CALLS_SHOWN: Final = 50
"""`/api/calls` without `limit`."""
_NO_CALLS: Final = {
    **dict.fromkeys(("calls", "ok", "errors", "protocol_errors", "timeouts", "cancellations"), 0),
    **dict.fromkeys(("in_flight", "result_bytes"), 0),
    "latency": {"samples": 0, **dict.fromkeys(("p50_ms", "p95_ms", "p99_ms", "max_ms"))},
}
"""A tool's figures before its first call, shaped like `mcp_toolhost.metrics.ToolMetrics`."""


class _HttpError(Exception):
    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": message, **extra}


class DashboardApp:
    def __init__(
        self, host: ToolHost, access: Access, caller: Caller, calls: CallLog, events: Events, plugins: Plugins | None
    ) -> None:
        self._host = host
        self._plugins = plugins
        self._access = access
        self._caller = caller
        self._calls = calls
        self._events = events
        self._switches = Switches(host.registry)
        host.registry.on_change(lambda: events.publish("tools_changed", {}))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        given = headers(scope)
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        path, method = scope["path"], scope["method"]
        try:
            if path == "/" and "token" in query:
                await self._log_in(query["token"][0], given, send)
                return
            refusal = self._access.refusal(method, given, _cookies(given))
            if refusal is not None:
                raise _HttpError(*refusal)
            if path == "/api/events" and method == "GET":
                await self._stream_events(receive, send)
                return
            status, body, content_type = await self._route(method, path, query, receive, given)
        except _HttpError as error:
            status, body, content_type = error.status, dumps(error.body), JSON
        await respond(send, status, body, _NO_STORE, content_type)

    async def _route(
        self, method: str, path: str, query: dict[str, list[str]], receive: Receive, given: dict[str, str]
    ) -> tuple[int, bytes, bytes]:
        if path == "/" and method == "GET":
            return 200, page.render(self._tool_rows(), self._access.csrf).encode(), b"text/html; charset=utf-8"
        if path.startswith("/static/") and method == "GET":
            name = path.removeprefix("/static/")
            if name not in _STATIC:
                raise _HttpError(404, f"Not found: no static file {name!r}")
            return 200, resources.files(__package__).joinpath("static", name).read_bytes(), _STATIC[name]
        if not path.startswith("/api/"):
            raise _HttpError(404, f"Not found: {path}; the page is at / and the API under /api (/api/openapi.json)")
        return 200, dumps(await self._api(method, path.removeprefix("/api/"), query, receive, given)), JSON

    async def _api(
        self, method: str, path: str, query: dict[str, list[str]], receive: Receive, given: dict[str, str]
    ) -> Any:
        parts = path.split("/")
        if parts[0] == "tools" and len(parts) >= 2:
            name = parts[1]  # the ASGI path is already percent-decoded
            action = "/".join(parts[2:])
            if method == "POST" and action in ("enable", "disable"):
                self._tool(name)
                (self._switches.enable if action == "enable" else self._switches.disable)(name)
                return {"name": name, "enabled": action == "enable"}
            if method == "POST" and action == "call":
                return await self._call(name, await self._body(receive, given))
            if method == "GET" and action == "":
                return self._tool_row(name, self._tool(name))
            if method == "GET" and action == "status":
                return self._status(name)
        routes: dict[tuple[str, str], Callable[[], Any]] = {
            ("GET", "openapi.json"): openapi.schema,
            ("GET", "tools"): self._tool_rows,
            ("GET", "system/health"): self._health,
            ("GET", "system/metrics"): lambda: self._host.metrics().model_dump(),
            ("GET", "calls"): lambda: self._calls.recent(_limit(query)),
            ("GET", "plugins"): lambda: plugin_control.state(self._plugins),
            ("POST", "plugins/reload"): lambda: plugin_control.reload_all(self._plugins),
        }
        route = routes.get((method, path))
        if route is None:
            raise _HttpError(404, f"Not found: {method} /api/{path}; see /api/openapi.json for the routes")
        return route()

    # --- tools ------------------------------------------------------------------------

    def _tool(self, name: str) -> Tool:
        tool = self._host.registry.get(name) or self._switches.disabled.get(name)
        if tool is None:
            raise _HttpError(404, self._host.registry.unknown(name))
        return tool

    def _tool_rows(self) -> list[dict[str, Any]]:
        tools = sorted([*self._host.registry, *self._switches.disabled.values()], key=lambda tool: tool.name)
        # One at a time: `definitions` leaves out (and logs) a tool whose schema cannot be built.
        return [row for tool in tools for row in self._rows(tool)]

    def _tool_row(self, name: str, tool: Tool) -> dict[str, Any]:
        rows = self._rows(tool)
        if not rows:
            raise _HttpError(500, f"Tool {name!r} cannot be served: its schema cannot be built (see the log)")
        return rows[0]

    def _rows(self, tool: Tool) -> list[dict[str, Any]]:
        enabled = tool.name not in self._switches.disabled
        return [
            {**definition, "source": tool.source or "built-in", "enabled": enabled}
            for definition in definitions([tool], _LEVEL)
        ]

    def _status(self, name: str) -> dict[str, Any]:
        """The tool's state and its figures from the metrics snapshot (zero before its first call)."""
        tool = self._tool(name)
        figures = self._host.metrics().tools.get(name)
        return {
            "name": name,
            "enabled": name not in self._switches.disabled,
            "source": tool.source or "built-in",
            "last_call": self._calls.last_call(name),
            **(figures.model_dump() if figures is not None else _NO_CALLS),
        }

    async def _call(self, name: str, arguments: Any) -> dict[str, Any]:
        self._tool(name)
        if name in self._switches.disabled:
            raise _HttpError(403, f"Tool {name!r} is disabled; enable it first (POST /api/tools/{name}/enable)")
        if not isinstance(arguments, dict):
            raise _HttpError(422, "The body must be a JSON object: the tool's arguments")
        started = time.perf_counter()
        try:
            response = await self._caller.call(name, arguments)
        except Closed:
            raise _HttpError(503, "Service unavailable: the server is shutting down; the call was cancelled") from None
        duration_ms = round((time.perf_counter() - started) * 1000, 3)
        error = response.get("error")
        if error is not None:
            status = 422 if error.get("code") == -32602 else 500
            raise _HttpError(status, error.get("message", ""), **(error.get("data") or {}))
        result = response["result"]
        failed = bool(result.get("isError"))
        text = "\n".join(block.get("text", "") for block in result.get("content", []) if block.get("type") == "text")
        return {
            "success": not failed,
            "data": None if failed else result.get("structuredContent", text),
            "error": text if failed else None,
            "metadata": {"duration_ms": duration_ms, "result": result},
        }

    async def _body(self, receive: Receive, given: dict[str, str]) -> Any:
        """The request's JSON body; none is `{}` (a call without arguments)."""
        settings = self._host.settings
        try:
            data = await read_body(receive, given, settings.max_message_bytes, settings.http_read_timeout)
        except BodyRefused as refused:
            raise _HttpError(refused.status, str(refused)) from None
        try:
            return loads(data or b"{}")
        except (ParseError, ValueError) as exc:
            raise _HttpError(422, f"The body is not JSON: {exc}") from None

    # --- system -----------------------------------------------------------------------

    def _health(self) -> dict[str, Any]:
        metrics = self._host.metrics()
        uptime = round(metrics.uptime_seconds, 3)
        return {"status": "ok", "timestamp": time.time(), "uptime_s": uptime, "version": metrics.version}

    # --- page and events --------------------------------------------------------------

    async def _log_in(self, token: str, headers: dict[str, str], send: Send) -> None:
        """`/?token=…`: keep the token in a cookie and drop it from the address bar (and history)."""
        refusal = self._access.refusal("GET", headers, {self._access.cookie: token})
        if refusal is not None:
            raise _HttpError(*refusal)
        cookie = f"{self._access.cookie}={token}; HttpOnly; SameSite=Strict; Path=/"
        head = [(b"location", b"/"), (b"set-cookie", cookie.encode()), (b"cache-control", b"no-store")]
        await send({"type": "http.response.start", "status": 303, "headers": head})
        await send({"type": "http.response.body", "body": b""})

    async def _stream_events(self, receive: Receive, send: Send) -> None:
        head = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]
        async with self._events.reader() as events, anyio.create_task_group() as tasks:
            await send({"type": "http.response.start", "status": 200, "headers": head})
            await send({"type": "http.response.body", "body": b": open\n\n", "more_body": True})

            async def until_disconnected() -> None:
                while (await receive())["type"] != "http.disconnect":
                    pass
                tasks.cancel_scope.cancel()

            tasks.start_soon(until_disconnected)
            async for frame in events:
                await send({"type": "http.response.body", "body": frame, "more_body": True})
            tasks.cancel_scope.cancel()  # dropped for falling behind (the browser reconnects), or shutting down
        await send({"type": "http.response.body", "body": b""})


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:  # a malformed Cookie header: as if there were none
        return {}
    return {key: morsel.value for key, morsel in jar.items()}


def _limit(query: dict[str, list[str]]) -> int:
    given = query.get("limit", [str(_CALLS_SHOWN)])[0]
    if not given.isdigit():
        raise _HttpError(422, f"limit must be a whole number of calls, not {given!r}")
    return int(given)
