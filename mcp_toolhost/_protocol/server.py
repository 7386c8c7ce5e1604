"""`Server`: what every connection shares: the tools, the settings and the method table."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import anyio

from .._metrics.recorder import Recorder
from .._tools.registry import ToolRegistry
from .._version import __version__
from ..config import Settings
from ..errors import ConfigError, InvalidParams
from .connection import Connection, Send
from .envelope import SERVER_INFO_KEY, RequestScope
from .request_state import StateSeal
from .versions import LATEST_HANDSHAKE, STATELESS_VERSIONS, feature_level

if TYPE_CHECKING:
    from .._audit import AuditLog

logger = logging.getLogger("mcp_toolhost.protocol")

Handler = Callable[[Connection, dict[str, Any], RequestScope], dict[str, Any]]


class Server:
    """The transport-agnostic protocol core.

    A transport opens a `Connection` with `connect(send)` and feeds it what it reads;
    the core never touches stdin, stdout or a socket itself.
    """

    def __init__(
        self, registry: ToolRegistry, settings: Settings, recorder: Recorder, *, list_changed: bool = False
    ) -> None:
        self.registry = registry
        self.settings = settings
        self.list_changed = list_changed
        self.recorder = recorder
        """Where requests and tool calls are counted as they end (metrics)."""
        self.call_limiter = anyio.CapacityLimiter(settings.max_concurrent_calls)
        self.request_state = StateSeal(
            settings.request_state_key, settings.request_state_ttl, settings.request_state_max_bytes
        )
        self.server_info: dict[str, Any] = {"name": settings.name, "title": settings.title, "version": __version__}
        self.capabilities: dict[str, Any] = {"tools": {"listChanged": list_changed}, "logging": {}}
        self.pre_init_scope = RequestScope(LATEST_HANDSHAKE, False, {}, None, None)
        self.handlers: dict[str, Handler] = {
            "ping": _ping,
            "logging/setLevel": Connection.set_log_level,
            "tools/list": self._tools_list,
            "server/discover": self._discover,
        }
        # Methods a request may use without the 2026-07-28 envelope.
        self.handshake_methods = frozenset({"initialize", "ping", "logging/setLevel", "tools/list", "tools/call"})
        # Methods that exist only with the envelope.
        self.stateless_methods = frozenset({"server/discover", "subscriptions/listen"})
        self.result_meta = {SERVER_INFO_KEY: self.server_info}
        self.audit: AuditLog | None = None
        """Where each tool call is recorded when it ends (`audit_log`); None: nowhere."""
        if settings.audit_log:
            from .._audit import AuditLog

            self.audit = AuditLog(
                settings.audit_log, settings.audit_max_bytes, settings.audit_backups, settings.audit_max_value_chars
            )

    @asynccontextmanager
    async def connect(self, send: Send) -> AsyncIterator[Connection]:
        """A connection whose tool calls run in a task group that lives inside this block."""
        try:
            async with anyio.create_task_group() as task_group:
                connection = Connection(self, send, task_group)
                try:
                    yield connection
                finally:
                    await connection.finish(self.settings.shutdown_grace)
        except BaseExceptionGroup as group:
            # Tool calls never raise (their errors become results), so a group holds what
            # the caller's own block raised: give it back as it was, also from within task
            # groups of the caller's own (`testing.connect` runs its callbacks in one).
            raised: BaseException = group
            while isinstance(raised, BaseExceptionGroup) and len(raised.exceptions) == 1:
                raised = raised.exceptions[0]
            if raised is group:
                raise
            raise raised from None
        finally:
            if self.audit is not None:  # after the last call's line; reopened by another connection's first
                self.audit.close()

    def initialize_result(self, version: str) -> dict[str, Any]:
        result: dict[str, Any] = {
            "protocolVersion": version,
            "capabilities": self.capabilities,
            "serverInfo": self.server_info,
        }
        if self.settings.instructions:
            result["instructions"] = self.settings.instructions
        return result

    def finish_result(self, result: dict[str, Any], scope: RequestScope) -> dict[str, Any]:
        """Add what 2026-07-28 requires on every result: `resultType` and the server's identity."""
        if scope.stateless:
            result.setdefault("resultType", "complete")  # or "input_required" (rounds.py)
            result["_meta"] = self.result_meta
        return result

    def _cache_hints(self, result: dict[str, Any], scope: RequestScope) -> dict[str, Any]:
        # server/utilities/caching (2026-07-28): list and discover results MUST carry
        # ttlMs and cacheScope. "private": the tool set may depend on this server's config.
        if scope.stateless:
            result["ttlMs"] = self.settings.list_ttl_ms
            result["cacheScope"] = "private"
        return result

    def _discover(self, connection: Connection, params: dict[str, Any], scope: RequestScope) -> dict[str, Any]:
        result: dict[str, Any] = {
            "supportedVersions": list(STATELESS_VERSIONS),
            "capabilities": self.capabilities,
        }
        if self.settings.instructions:
            result["instructions"] = self.settings.instructions
        return self._cache_hints(result, scope)

    def _tools_list(self, connection: Connection, params: dict[str, Any], scope: RequestScope) -> dict[str, Any]:
        cursor = params.get("cursor")
        if cursor is not None and not isinstance(cursor, str):
            raise InvalidParams('tools/list: "cursor" must be a string')
        tools, next_cursor = self.registry.page(cursor, self.settings.page_size)
        level = feature_level(scope.version)
        definitions = []
        for tool in tools:
            try:
                definitions.append(tool.definition(level))
            except ConfigError as exc:
                logger.error("tool %s is not listed: %s", tool.name, exc)
        result: dict[str, Any] = {"tools": definitions}
        if next_cursor is not None:
            result["nextCursor"] = next_cursor
        return self._cache_hints(result, scope)


def _ping(connection: Connection, params: dict[str, Any], scope: RequestScope) -> dict[str, Any]:
    return {}
