"""`ToolHost`: the object a user builds a server from."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeVar, overload

from ._metrics.recorder import Recorder
from ._protocol.subscriptions import ResourceSubscriptions
from ._tools.catalog import ResourceCatalog
from ._tools.prompt import Prompt, PromptOptions
from ._tools.registry import Registry, ToolRegistry
from ._tools.resource import Resource, ResourceOptions
from ._tools.tool import Tool, ToolOptions
from .config import Settings
from .errors import ConfigError

if TYPE_CHECKING:
    import socket

    from ._protocol.server import CallWatcher, Server
    from ._tools.modules import Served
    from ._transports.asgi import Mount
    from .metrics import Metrics

__all__ = ["ToolHost"]

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T", Resource, Prompt)

logger = logging.getLogger("mcp_toolhost")


class ToolHost:
    """A set of tools, resources and prompts, and the settings to serve them with.

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
        self.resources = ResourceCatalog()
        """The resources: decorated functions, and providers of others (`ResourceCatalog.add_provider`)."""
        self.prompts: Registry[Prompt] = Registry("prompt")
        self.subscriptions = ResourceSubscriptions()
        """Who is subscribed to which resource (`Context.resource_updated` tells them of a change)."""
        self.list_changed = False
        """Whether the tools, resources or prompts may change while serving (plugin reload)."""
        self.background: list[Callable[[], Coroutine[Any, Any, None]]] = []
        """Async callables run beside the transport while serving (plugin reload); cancelled at shutdown."""
        self.recorder = Recorder.of(self.settings)
        """The counters every server built from this host adds to (`metrics()`)."""
        self.watchers: list[CallWatcher] = []
        """Told of every tool call of every server built from this host as it starts and ends (dashboard)."""
        self.mount: Mount | None = None
        """Served by `serve_http` on its port beside MCP, at every path but MCP's and /healthz (dashboard)."""

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

    def resource(self, uri: str, /, **options: Any) -> Callable[[F], F]:
        """Register a function as a resource; takes the same arguments as `mcp_toolhost.resource`."""
        declared = ResourceOptions(uri, **options)

        def register(fn: F) -> F:
            self.resources.add(Resource(fn, declared))
            return fn

        return register

    @overload
    def prompt(self, fn: F, /) -> F: ...
    @overload
    def prompt(self, /, **options: Any) -> Callable[[F], F]: ...
    def prompt(self, fn: Callable[..., Any] | None = None, /, **options: Any) -> Any:
        """Register a function as a prompt; takes the same options as `mcp_toolhost.prompt`."""

        def register(fn: F) -> F:
            self.prompts.add(Prompt(fn, PromptOptions(**options)))
            return fn

        return register if fn is None else register(fn)

    def add_module(self, spec: str) -> Served:
        """Serve every `@tool`, `@resource` and `@prompt` function of a Python file or importable module."""
        from ._tools.modules import import_tools_module, module_served

        served = module_served(import_tools_module(spec))
        for function in [*served.tools, *served.resources, *served.prompts]:
            function.source = spec
        for tool in served.tools:
            self.add_tool(tool)
        for resource in served.resources:
            self.resources.add(resource)
        for prompt in served.prompts:
            self.prompts.add(prompt)
        return served

    def swap(self, old: Served, new: Served, source: str) -> Served:
        """Serve `new`'s resources and prompts in place of `old`'s (a reload); tools are left to the caller.

        One change notice per list; one whose URI or name is taken by another source is
        skipped, and logged. Returns `new` with only what is now served.
        """
        from ._tools.modules import Served

        kept = Served(new.tools)
        with self.resources.batch(), self.prompts.batch():
            for resource in old.resources:
                self.resources.discard(resource)
            for prompt in old.prompts:
                self.prompts.discard(prompt)
            for resource in new.resources:
                if _added(source, resource, self.resources.add):
                    kept.resources.append(resource)
            for prompt in new.prompts:
                if _added(source, prompt, self.prompts.add):
                    kept.prompts.append(prompt)
        return kept

    def server(self) -> Server:
        """The protocol core for these tools, for a transport to `connect()` to."""
        from ._protocol.server import Server

        return Server(
            self.registry,
            self.settings,
            resources=self.resources,
            prompts=self.prompts,
            subscriptions=self.subscriptions,
            recorder=self.recorder,
            list_changed=self.list_changed,
            watchers=self.watchers,
        )

    def metrics(self) -> Metrics:
        """A snapshot of every figure: calls by tool and outcome, latencies, requests, messages, memory."""
        from .metrics import Metrics

        return Metrics.model_validate(self.recorder.snapshot())

    async def serve_stdio(self, stdout_fd: int | None = None) -> None:
        from ._transports.stdio import serve_stdio

        async with self._background_tasks():
            await serve_stdio(self.server(), stdout_fd=stdout_fd)

    async def serve_http(self, sock: socket.socket, path: str = "/mcp", *, worker: bool = False) -> None:
        """Serve Streamable HTTP on a listening socket at `path` until SIGTERM or SIGINT."""
        from ._transports.http import serve_http

        async with self._background_tasks():
            await serve_http(self.server(), sock, path, worker=worker, beside=self.mount)

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

        from ._transports.http import announce, run_workers
        from ._transports.sockets import listen, url

        if workers > 1 and self.settings.request_state_key is None:
            import secrets

            self.settings = self.settings.replace(request_state_key=secrets.token_urlsafe(32))
        sock = listen(host, port, backlog=2048)
        if workers <= 1:
            if self.mount is not None:
                self.mount.announce(url(sock))
            announce(sock, path)
            anyio.run(self.serve_http, sock, path)
            return 0
        serve = functools.partial(anyio.run, functools.partial(self.serve_http, sock, path, worker=True))
        return run_workers(workers, serve, functools.partial(announce, sock, path))


def _added(source: str, function: T, add: Callable[[T], None]) -> bool:
    try:
        add(function)
    except ConfigError as exc:  # the URI or name is taken
        logger.error("%s: %s is not served: %s", source, function.kind, exc)
        return False
    return True
