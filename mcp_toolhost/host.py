"""`ToolHost`: the object a user builds a server from."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeVar, overload

from ._tools.registry import ToolRegistry
from ._tools.tool import Tool, ToolOptions
from .config import Settings

if TYPE_CHECKING:
    import socket

    from ._protocol.server import Server

__all__ = ["ToolHost"]

F = TypeVar("F", bound=Callable[..., Any])


class ToolHost:
    """A set of tools and the settings to serve them with.

    ```python
    host = ToolHost()

    @host.tool()
    def add(a: int, b: int) -> int:
        return a + b

    host.run()  # stdio
    ```
    """

    def __init__(self, settings: Settings | None = None, **changes: Any) -> None:
        settings = settings or Settings()
        self.settings = settings.replace(**changes) if changes else settings
        self.registry = ToolRegistry()
        self.list_changed = False
        """Whether the tool set may change while serving (plugin reload)."""
        self.background: list[Callable[[], Coroutine[Any, Any, None]]] = []
        """Async callables run beside the transport while serving (plugin reload); cancelled at shutdown."""

    @overload
    def tool(self, fn: F, /) -> F: ...
    @overload
    def tool(self, /, **options: Any) -> Callable[[F], F]: ...
    def tool(self, fn: Callable[..., Any] | None = None, /, **options: Any) -> Any:
        """Register a function as a tool; takes the same options as `mcp_toolhost.tool`."""

        def register(fn: F) -> F:
            self.add_tool(Tool(fn, ToolOptions(**options)))
            return fn

        return register if fn is None else register(fn)

    def add_tool(self, tool: Tool) -> None:
        self.registry.add(tool)

    def add_module(self, spec: str) -> list[Tool]:
        """Serve every `@tool` function of a Python file or importable module."""
        from ._tools.modules import import_tools_module, module_tools

        module = import_tools_module(spec)
        tools = module_tools(module)
        for tool in tools:
            tool.source = spec
            self.add_tool(tool)
        return tools

    def server(self) -> Server:
        """The protocol core for these tools, for a transport to `connect()` to."""
        from ._protocol.server import Server

        return Server(self.registry, self.settings, list_changed=self.list_changed)

    async def serve_stdio(self, stdout_fd: int | None = None) -> None:
        from ._transports.stdio import serve_stdio

        async with self._background_tasks():
            await serve_stdio(self.server(), stdout_fd=stdout_fd)

    async def serve_http(self, sock: socket.socket, path: str = "/mcp", *, worker: bool = False) -> None:
        """Serve Streamable HTTP on a listening socket at `path` until SIGTERM or SIGINT."""
        from ._transports.http import serve_http

        async with self._background_tasks():
            await serve_http(self.server(), sock, path, worker=worker)

    @asynccontextmanager
    async def _background_tasks(self) -> AsyncIterator[None]:
        """Run `background` in one task group for the duration of the block, then cancel it."""
        if not self.background:
            yield
            return
        import anyio

        async with anyio.create_task_group() as tasks:
            for job in self.background:
                tasks.start_soon(job)
            yield
            tasks.cancel_scope.cancel()

    def run(self, stdout_fd: int | None = None) -> None:
        """Serve on stdin/stdout until the client goes away.

        Pass the `stdout_fd` of an enclosing `claim_stdout()` if stdout was protected earlier.
        """
        import anyio

        anyio.run(self.serve_stdio, stdout_fd)

    def run_http(self, host: str = "127.0.0.1", port: int = 8000, path: str = "/mcp", workers: int = 1) -> int:
        """Serve Streamable HTTP (README, "Streamable HTTP") until SIGTERM or SIGINT; the exit status.

        With `workers` > 1, that many processes share the port; they seal 2026-07-28
        `requestState` with one key (`request_state_key`, else one made now), so a client's
        next round may reach any of them.
        """
        import anyio

        from ._transports.http import announce, listen, run_workers

        if workers > 1 and self.settings.request_state_key is None:
            import secrets

            self.settings = self.settings.replace(request_state_key=secrets.token_urlsafe(32))
        sock = listen(host, port)
        if workers <= 1:
            announce(sock, path)
            anyio.run(self.serve_http, sock, path)
            return 0
        serve = functools.partial(anyio.run, functools.partial(self.serve_http, sock, path, worker=True))
        return run_workers(workers, serve, functools.partial(announce, sock, path))
