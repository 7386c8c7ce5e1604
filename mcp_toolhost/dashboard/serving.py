"""Serving the dashboard: on a port of its own beside the host's transport (`attach`, `serve
--dashboard [HOST:]PORT`), or on the Streamable HTTP port beside MCP (`mount`, `serve --http
ADDRESS --dashboard`).

`attach` binds the socket at once, so that a port in use is an error at start, not a log line
later; uvicorn serves the app from the host's background task group, on the same event
loop as the MCP transport, and leaves signals to the transport (stdio ends with its client).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import anyio
import anyio.abc
import uvicorn

from .._transports.asgi import Receive, Scope, Send
from .._transports.http import uvicorn_config
from .._transports.sockets import is_loopback, listen, parse_address, url
from ..errors import ConfigError
from ..host import ToolHost
from .access import Access
from .api import DashboardApp
from .caller import Caller
from .calls import CallLog
from .events import Events
from .logs import LogEvents
from .plugin_control import Plugins

__all__ = ["Dashboard", "attach", "mount"]


def attach(host: ToolHost, address: str, plugins: Plugins | None = None) -> None:
    """Bind `address` and have `host` serve the dashboard there while it serves MCP.

    `plugins`: the host's plugin manager, if it has plugins (`/api/plugins`).

    Raises ConfigError if the address cannot be served.
    """
    name, port = parse_address(address)
    _check_token(host, name)
    try:
        sock = listen(name, port, backlog=128)
    except OSError as exc:
        raise ConfigError(f"Cannot serve the dashboard on {address}: {exc.strerror}; pick another port") from None
    dashboard = Dashboard(host, plugins, loopback=is_loopback(name))

    async def serve() -> None:
        server = _Uvicorn(uvicorn_config(dashboard.app, host.settings))
        stopped = anyio.Event()

        async def run() -> None:
            # Shielded from the transport's cancelling its background when it ends: `close`
            # ends the streams and (after shutdown_grace) the calls, and uvicorn finishes the
            # responses rather than cut the connections.
            with anyio.CancelScope(shield=True):
                async with anyio.create_task_group() as tasks:
                    await tasks.start(dashboard.run)
                    dashboard.announce(url(sock))
                    await server.serve(sockets=[sock])
                    tasks.cancel_scope.cancel()
            stopped.set()

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(run)
            try:
                await stopped.wait()
            finally:
                dashboard.close()
                server.should_exit = True

    host.background.append(serve)


def mount(host: ToolHost, http_host: str, plugins: Plugins | None = None) -> None:
    """Have `host` serve the dashboard on its Streamable HTTP port (bound to `http_host`), beside MCP.

    The page and `/api` take every path but MCP's and `/healthz`; `host.run_http` prints the URL.
    Raises ConfigError if the address cannot be served.
    """
    _check_token(host, http_host)
    dashboard = Dashboard(host, plugins, loopback=is_loopback(http_host))
    host.mount = dashboard
    host.background.append(dashboard.run)


def _check_token(host: ToolHost, name: str) -> None:
    """Non-loopback binds follow the rule of `--http`: a token printed on stderr is not enough."""
    if not is_loopback(name) and not host.settings.dashboard_token:
        raise ConfigError(
            f"Refusing to serve the dashboard on {name} with a token printed on stderr: anyone who reaches it could"
            " run your tools. Set --dashboard-token (or MCP_TOOLHOST_DASHBOARD_TOKEN), or bind 127.0.0.1."
        )


class Dashboard:
    """The dashboard of one host: the ASGI app (`app`), and what runs beside it while it serves (`run`).

    Independent of the socket and the server that carry it: `attach` serves it on a port of its
    own; Streamable HTTP serves it beside MCP (`mount`: the dashboard is its `Mount`).
    """

    def __init__(self, host: ToolHost, plugins: Plugins | None, *, loopback: bool) -> None:
        settings = host.settings
        host.list_changed = True  # enabling and disabling tools changes the list while serving
        self.events = Events(settings.dashboard_event_queue)
        calls = CallLog(settings, self.events)
        host.watchers.append(calls)
        self.access = Access(settings.dashboard_token, loopback=loopback)
        self._caller = Caller(host.server())
        self.app = DashboardApp(host, self.access, self._caller, calls, self.events, plugins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    def announce(self, url: str) -> None:
        """The address to open, with the token: the operator (or a test) reads it on stderr."""
        print(f"mcp-toolhost: dashboard on {url}/?token={self.access.token}", file=sys.stderr, flush=True)

    def close(self) -> None:
        """Shutting down: end the event streams and the calls in flight (after shutdown_grace)."""
        self.events.close()
        self._caller.close()

    async def run(self, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        """The dashboard's own MCP connection and the log records' feed, until cancelled."""
        logs = LogEvents(self.events, asyncio.get_running_loop())
        logging.getLogger().addHandler(logs)
        try:
            async with anyio.create_task_group() as tasks:
                await tasks.start(self._caller.run)
                task_status.started()
                await anyio.sleep_forever()
        finally:
            logging.getLogger().removeHandler(logs)


class _Uvicorn(uvicorn.Server):
    """uvicorn without its signal handlers: the MCP transport decides when the process ends."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield
