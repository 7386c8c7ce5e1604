"""`Server`: what every connection shares: the tools, the settings and the method table."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Final, Protocol

import anyio

from .._metrics.recorder import Recorder
from .._tools.catalog import ResourceCatalog
from .._tools.function import definitions
from .._tools.prompt import Prompt
from .._tools.registry import Registry, ToolRegistry
from .._version import __version__
from ..config import Settings
from ..errors import InvalidParams
from .completion import complete
from .connection import Connection, Send, Started
from .envelope import SERVER_INFO_KEY, RequestScope
from .prompts import get_prompt, list_prompts
from .request_state import StateSeal
from .resources import list_resources, list_templates, read_resource
from .subscriptions import ResourceSubscriptions, subscribe, unsubscribe
from .tasks import EXTENSION as TASKS_EXTENSION
from .tasks import cancel_task, get_task, update_task
from .versions import LATEST_HANDSHAKE, STATELESS_VERSIONS, feature_level

if TYPE_CHECKING:
    from .._audit import AuditLog
    from .connection import Call


class CallWatcher(Protocol):
    """Told of each tool call as it starts and as it ends (the dashboard's live calls)."""

    def started(self, call: Call) -> None: ...
    def ended(self, call: Call, answer: bytes | None, seconds: float) -> None:
        """The call ended with `answer` (None: cancelled, nothing sent) after `seconds`, before the answer is sent."""


Handler = Callable[[Connection, dict[str, Any], RequestScope], dict[str, Any]]
"""Answers a request at once."""
CallHandler = Callable[[Connection, dict[str, Any], RequestScope], Started]
"""Checks a request, and says how to answer it from a task (`Connection.start_call`): it runs user code."""

_GATED: Final = {
    "resources": (
        "resources/list",
        "resources/templates/list",
        "resources/read",
        "resources/subscribe",
        "resources/unsubscribe",
    ),
    "prompts": ("prompts/list", "prompts/get"),
    "completions": ("completion/complete",),
}
"""The methods each server capability stands for."""


class Server:
    """The transport-agnostic protocol core.

    A transport opens a `Connection` with `connect(send)` and feeds it what it reads;
    the core never touches stdin, stdout or a socket itself.
    """

    def __init__(
        self,
        registry: ToolRegistry,
        settings: Settings,
        *,
        resources: ResourceCatalog | None = None,
        prompts: Registry[Prompt] | None = None,
        subscriptions: ResourceSubscriptions | None = None,
        recorder: Recorder | None = None,
        list_changed: bool = False,
        watchers: list[CallWatcher] | None = None,
    ) -> None:
        self.registry = registry
        self.resources = resources if resources is not None else ResourceCatalog()
        self.prompts: Registry[Prompt] = prompts if prompts is not None else Registry("prompt")
        self.subscriptions = subscriptions if subscriptions is not None else ResourceSubscriptions()
        self.settings = settings
        self.recorder = recorder if recorder is not None else Recorder.of(settings)
        """Where requests and tool calls are counted as they end (metrics)."""
        self.list_changed = list_changed
        self.watchers: list[CallWatcher] = watchers if watchers is not None else []
        """Told of every tool call as it starts and ends; a watcher must not raise."""
        self.call_limiter = anyio.CapacityLimiter(settings.max_concurrent_calls)
        self.request_state = StateSeal(
            settings.request_state_key, settings.request_state_ttl, settings.request_state_max_bytes
        )
        self.server_info: dict[str, Any] = {"name": settings.name, "title": settings.title, "version": __version__}
        self.capabilities: dict[str, Any] = {"tools": {"listChanged": list_changed}, "logging": {}}
        # Only what is served, or may come with a reload (server/resources, server/prompts:
        # a server that supports them MUST declare them). Any resource can be subscribed to:
        # files are watched, and the others' code announces their changes.
        if self.resources or list_changed:
            self.capabilities["resources"] = {"subscribe": True, "listChanged": list_changed}
        if self.prompts or list_changed:
            self.capabilities["prompts"] = {"listChanged": list_changed}
        if self.prompts or self.resources.templates or self.resources.providers or list_changed:
            self.capabilities["completions"] = {}
        # A method "gated behind a server capability the server did not advertise" is -32601, as an
        # unknown one is (MethodNotFoundError, schema 2026-07-28); the handshake era answers the same.
        self.undeclared = {
            method: capability
            for capability, methods in _GATED.items()
            if capability not in self.capabilities
            for method in methods
        }
        """Each method of a capability this server does not declare, and that capability."""
        self.pre_init_scope = RequestScope(LATEST_HANDSHAKE, False, {}, None, None)
        self.handlers: dict[str, Handler] = {
            "ping": _ping,
            "logging/setLevel": Connection.set_log_level,
            "tools/list": self._tools_list,
            "prompts/list": list_prompts,
            "resources/unsubscribe": unsubscribe,
            "server/discover": self._discover,
            "tasks/get": get_task,
            "tasks/update": update_task,
            "tasks/cancel": cancel_task,
        }
        self.calls: dict[str, CallHandler] = {
            "tools/call": Connection.start_tool_call,
            "resources/list": list_resources,
            "resources/templates/list": list_templates,
            "resources/read": read_resource,
            "prompts/get": get_prompt,
            "completion/complete": complete,
            "resources/subscribe": subscribe,
        }
        # Methods a request may use without the 2026-07-28 envelope.
        self.handshake_methods = frozenset(
            {
                "initialize",
                "ping",
                "logging/setLevel",
                "tools/list",
                "prompts/list",
                "resources/unsubscribe",
                *self.calls,
            }
        )
        # Methods that exist only with the envelope.
        self.stateless_methods = frozenset(
            {"server/discover", "subscriptions/listen", "tasks/get", "tasks/update", "tasks/cancel"}
        )
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
                self.audit.flush()
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

    def cursor(self, params: dict[str, Any], method: str) -> str | None:
        """The `cursor` of a list request (server/utilities/pagination), checked."""
        cursor = params.get("cursor")
        if cursor is not None and not isinstance(cursor, str):
            raise InvalidParams(f'{method}: "cursor" must be a string')
        return cursor

    def listed(
        self, key: str, items: list[dict[str, Any]], next_cursor: str | None, scope: RequestScope
    ) -> dict[str, Any]:
        """A list result: one page of `items` under `key`, the next cursor, the cache hints."""
        result: dict[str, Any] = {key: items}
        if next_cursor is not None:
            result["nextCursor"] = next_cursor
        return self.cache_hints(result, scope)

    def cache_hints(self, result: dict[str, Any], scope: RequestScope) -> dict[str, Any]:
        # server/utilities/caching (2026-07-28): list, read and discover results MUST carry
        # ttlMs and cacheScope. "private": what is served may depend on this server's config.
        if scope.stateless:
            result["ttlMs"] = self.settings.list_ttl_ms
            result["cacheScope"] = "private"
        return result

    def _discover(self, connection: Connection, params: dict[str, Any], scope: RequestScope) -> dict[str, Any]:
        capabilities = self.capabilities
        if any(getattr(tool, "task_support", "forbidden") != "forbidden" for tool in self.registry):
            # SEP-2663: the tasks extension, only when some tool can run as a task (read now: tools reload).
            capabilities = {**capabilities, "extensions": {TASKS_EXTENSION: {}}}
        result: dict[str, Any] = {
            "supportedVersions": list(STATELESS_VERSIONS),
            "capabilities": capabilities,
        }
        if self.settings.instructions:
            result["instructions"] = self.settings.instructions
        return self.cache_hints(result, scope)

    def _tools_list(self, connection: Connection, params: dict[str, Any], scope: RequestScope) -> dict[str, Any]:
        tools, next_cursor = self.registry.page(self.cursor(params, "tools/list"), self.settings.page_size)
        return self.listed("tools", definitions(tools, feature_level(scope.version)), next_cursor, scope)


def _ping(connection: Connection, params: dict[str, Any], scope: RequestScope) -> dict[str, Any]:
    return {}
