"""`attach`: serve the dashboard beside the host's transport (`serve --dashboard [HOST:]PORT`).

The socket is bound at once, so that a port in use is an error at start, not a log line
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

__all__ = ["Dashboard", "attach"]


def attach(host: ToolHost, address: str, plugins: Plugins | None = None) -> None:
    """Bind `address` and have `host` serve the dashboard there while it serves MCP.

    `plugins`: the host's plugin manager, if it has plugins (`/api/plugins`).

    Raises ConfigError if the address cannot be served.
    """
    name, port = parse_address(address)
    if not is_loopback(name) and not host.settings.dashboard_token:
        raise ConfigError(
            f"Refusing to serve the dashboard on {name} with a token printed on stderr: anyone who reaches it could"
            " run your tools. Set --dashboard-token (or MCP_TOOLHOST_DASHBOARD_TOKEN), or bind 127.0.0.1."
        )
    try:
        sock = listen(name, port, backlog=128)
    except OSError as exc:
        raise ConfigError(f"Cannot serve the dashboard on {address}: {exc.strerror}; pick another port") from None
    dashboard = Dashboard(host, plugins, loopback=is_loopback(name))
    address_shown = f"{url(sock)}/?token={dashboard.access.token}"

    async def serve() -> None:
        config = uvicorn.Config(dashboard.app, lifespan="off", log_config=None, access_log=False)
        async with anyio.create_task_group() as tasks:
            await tasks.start(dashboard.run)
            print(f"mcp-toolhost: dashboard on {address_shown}", file=sys.stderr, flush=True)
            await _Uvicorn(config).serve(sockets=[sock])
            tasks.cancel_scope.cancel()

    host.background.append(serve)


class Dashboard:
    """The dashboard of one host: the ASGI app (`app`), and what runs beside it while it serves (`run`).

    Independent of the socket and the server that carry it: `attach` serves it on a port of its
    own; an ASGI server that already runs (Streamable HTTP) can route `/` and `/api` to `app`.
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
