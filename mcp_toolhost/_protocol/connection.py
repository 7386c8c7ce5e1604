"""`Connection`: one client's conversation with the server, independent of any transport.

A transport feeds it raw lines (`feed`) or parsed messages (`receive`) and gives it a
`send` callable for encoded messages; everything between is here: era selection,
dispatch, concurrency, cancellation, batches, progress and logging.

Eras (versioning, "Backward compatibility"): a request carrying the 2026-07-28
envelope in `params._meta` is served statelessly; `initialize` selects handshake
semantics for the rest of the connection. "A dual-era server MAY serve both eras
concurrently on the same endpoint or process", and this one does: the era is decided
per message, never locked by the first one.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import threading
import time
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio
import anyio.abc
import anyio.from_thread
import anyio.lowlevel

from .._metrics.recorder import Outcome
from .._tools.asking import Root, file_roots, offered_roots, roots_by_round
from .._tools.context import LOG_LEVEL_RANK, Context
from .._tools.results import error_result, tool_result
from ..errors import (
    ArgumentsError,
    ConfigError,
    InternalError,
    InvalidParams,
    InvalidRequest,
    MethodNotFound,
    MissingClientCapability,
    ParseError,
    ProtocolError,
    ResourceNotFound,
    ToolError,
)
from . import jsonrpc
from .envelope import SUBSCRIPTION_ID_KEY, RequestScope, has_envelope, progress_token, stateless_scope
from .outgoing import ClientRequests, refusal, required_capabilities
from .rounds import ROUND_METHODS, Asked, Replay, input_required_result, replay_for
from .tasks import Task, Tasks
from .versions import allows_batches, feature_level, negotiate, validation_errors_as_results

if TYPE_CHECKING:
    from .._tools.function import Function, Runnable
    from .._tools.tool import Tool
    from .server import Server

logger = logging.getLogger("mcp_toolhost.protocol")
request_log = logging.getLogger("mcp_toolhost.requests")
"""One record per request as it ends, at info level (README, "Request logs")."""

Send = Callable[[bytes], None]
Answer = Callable[["Call"], Awaitable[bytes]]
"""Computes the encoded response to a call (see `Connection.start_call`)."""
Started = tuple["Function | None", dict[str, Any], Answer]
"""How to answer a request from a task: the function it runs (if any), its arguments, the answer."""
# What a 2026-07-28 `subscriptions/listen` may ask for that a list change sends, by the
# registry that changed (basic/patterns/subscriptions, SubscriptionFilter).
_LIST_CHANGES = {
    "tools": "toolsListChanged",
    "resources": "resourcesListChanged",
    "prompts": "promptsListChanged",
}
Reply = Callable[[bytes | None], None]
"""Answers one request; None means "no response" (it was cancelled)."""

# Requests a handshake-era client may send before `initialize` (lifecycle: "The client
# SHOULD NOT send requests other than pings before the server has responded").
_BEFORE_INIT = frozenset({"ping", "initialize"})
# Removed in 2026-07-28 (changelog): answered -32601 when they carry the envelope.
# (Resource subscriptions moved to `subscriptions/listen`, SubscriptionFilter.resourceSubscriptions.)
_HANDSHAKE_ONLY = frozenset({"ping", "initialize", "logging/setLevel", "resources/subscribe", "resources/unsubscribe"})
_DEFAULT_CLIENT_LOG_LEVEL = "info"
_STRUCTURED_ONLY = "The result is in structuredContent only: repeated as text it would pass max_result_bytes."


class CallFailed(Exception):
    """User code timed out or raised (`Connection.invoke`): the message says so, for the client."""


class CallRefused(CallFailed):
    """User code raised a ToolError: it refused the request as made, and its message says what to change."""


@dataclass(slots=True)
class Call:
    """A request answered by a task (a tool call, a resource read...).

    What was asked, under which scope, and how to answer it.
    """

    request_id: jsonrpc.RequestId
    function: Function | None
    """The user's function it runs, if any (reading a provided resource runs none)."""
    arguments: dict[str, Any]
    scope: RequestScope
    progress_token: str | int | None
    reply: Reply
    answer: Answer
    send: Send
    """Where the call's own messages go (progress, logs, questions): the transport's stream for it."""
    close_stream: Callable[[], None] | None = None
    """Ends the transport's stream for this call early (`Context.close_sse_stream`); None: no such stream."""
    cancel_scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)
    context: Context | None = None
    cancelled_by_client: bool = False
    reported_progress: bool = False
    replay: Replay | None = None
    """2026-07-28: the answers of earlier input-required rounds (None: the handshake era, or a request
    that cannot ask: only tools/call, prompts/get and resources/read have rounds)."""
    method: str = ""
    """The request's method (request log)."""
    outcome: Outcome = "ok"
    """How the call ended (metrics, request log, audit log); cancelled is decided last."""
    started: float = field(default_factory=time.perf_counter)
    task: Task | None = None
    """The task this call runs as (tasks.py): its questions wait for `tasks/update`."""


@dataclass(slots=True)
class _Subscription:
    """A 2026-07-28 `subscriptions/listen` stream: what it asked for (and is honoured), and where it goes."""

    wanted: frozenset[str]
    """The notifications honoured, as SubscriptionFilter keys."""
    stream: Send


class _Batch:
    """Collects the answers to one JSON-RPC batch and sends them as one array."""

    def __init__(self, send: Send, size: int) -> None:
        self._send = send
        self._pending = size
        self._parts: list[bytes] = []

    def reply(self, data: bytes | None) -> None:
        if data is not None:
            self._parts.append(data)
        self._pending -= 1
        if self._pending == 0 and self._parts:
            self._send(b"[" + b",".join(self._parts) + b"]")


def _label(function: Runnable) -> str:
    """How messages name a function (`Tool 'echo'`): built only when one is needed, not on every call."""
    return f"{function.kind.capitalize()} {function.name!r}"


class Connection:
    def __init__(self, server: Server, send: Send, task_group: anyio.abc.TaskGroup) -> None:
        self._server = server
        self._recorder = recorder = server.recorder

        def counted_send(data: bytes) -> None:
            recorder.messages_out += 1
            send(data)

        self._send = counted_send
        self._known_methods = server.handshake_methods | server.stateless_methods
        # Decided once: below info level a request costs no logging work at all.
        self._log_requests = request_log.isEnabledFor(logging.INFO)
        self._task_group = task_group
        self._loop_thread = threading.get_ident()
        self._token = anyio.lowlevel.current_token()
        self._in_flight: dict[jsonrpc.RequestId, Call] = {}
        # The tasks running the calls. Plain asyncio tasks, not the task group's: anyio's
        # `start_soon` cost a pipelined call a sixth of its CPU (benchmarks/RESULTS.md). What the
        # group gave them, `finish` does: each call has its own cancel scope, cancelled there,
        # and the tasks are awaited before the connection's task group ends.
        self._call_tasks: set[asyncio.Task[None]] = set()
        # 2026-07-28 `subscriptions/listen` streams open on this connection, by request id.
        self._subscriptions: dict[jsonrpc.RequestId, _Subscription] = {}
        # The resources the client subscribed to, each with the function that ends the
        # subscription: by stream (the listen request's id), None for the handshake era's.
        self._resource_subscriptions: dict[jsonrpc.RequestId | None, dict[str, Callable[[], None]]] = {}
        self._idle = anyio.Event()
        self._idle.set()
        # Calls accepted but not finished (running or waiting for a slot) are bounded too,
        # so a flood of calls cannot grow memory without end: past the bound the transport
        # stops reading until some finish (`saturated`, `wait_for_room`).
        self._max_pending = 4 * server.settings.max_concurrent_calls
        self._tasks_in_flight = 0  # calls running as tasks: bounded by max_tasks, not by _max_pending
        self._room = anyio.Event()
        self._room.set()
        # Handshake era: set by `initialize`, shared by every request without envelope.
        self._handshake: RequestScope | None = None
        self._initialized_notified = False
        self._client_requests = ClientRequests(send)
        self.tasks = Tasks(server.settings)
        """The tool calls this connection runs as tasks (2026-07-28 tasks extension)."""
        self._roots_asked = 0  # how many times roots/list was sent: only the latest answer is kept
        self.client_roots: tuple[Root, ...] | None = None
        """The `file://` roots the handshake-era client last listed (client/roots); None until it
        has answered `roots/list`, which is asked after `notifications/initialized` and again
        after each `notifications/roots/list_changed` when the client declares `roots`."""
        # Unset while a roots/list question is unanswered: calls wait for it until the deadline.
        self._roots_known = anyio.Event()
        self._roots_known.set()
        self._roots_deadline = 0.0
        self._unsubscribe = [
            server.registry.on_change(functools.partial(self._list_changed, "tools")),
            server.resources.on_change(functools.partial(self._list_changed, "resources")),
            server.prompts.on_change(functools.partial(self._list_changed, "prompts")),
        ]

    # --- input -----------------------------------------------------------------------

    def feed(self, line: bytes) -> None:
        """Handle one raw line from the transport. Never raises."""
        try:
            message = jsonrpc.decode(line)
        except ParseError as error:
            self._send(jsonrpc.error_message(None, error))
            return
        self.receive(message)

    def receive(
        self,
        message: Any,
        reply: Reply | None = None,
        related: Send | None = None,
        close_stream: Callable[[], None] | None = None,
    ) -> None:
        """Handle one parsed JSON value. Never raises.

        A transport with a stream per request (Streamable HTTP) passes `reply` for the
        answer and `related` for the messages a request causes before it (progress, logs,
        questions to the client), by default both the connection's `send`; and
        `close_stream` if a tool may end that stream early for the client to resume it.
        """
        related = related or self._send
        if isinstance(message, list):
            self._receive_batch(message, reply or self._send, related)
        else:
            self._receive_one(message, reply or self._reply_directly, related, close_stream)

    def _reply_directly(self, data: bytes | None) -> None:
        if data is not None:
            self._send(data)

    def _receive_batch(self, messages: list[Any], send: Send, related: Send) -> None:
        version = self._handshake.version if self._handshake else None
        if not allows_batches(version):
            error = InvalidRequest("Invalid request: JSON-RPC batches exist only in revision 2025-03-26")
        elif not messages:
            error = InvalidRequest("Invalid request: empty batch")
        else:
            batch = _Batch(send, sum(map(jsonrpc.expects_reply, messages)))
            for message in messages:
                self._receive_one(message, batch.reply, related)
            return
        send(jsonrpc.error_message(None, error))

    def _receive_one(
        self, message: Any, reply: Reply, related: Send, close_stream: Callable[[], None] | None = None
    ) -> None:
        self._recorder.messages_in += 1
        if jsonrpc.is_response(message):
            if not self._client_requests.resolve(message):  # nothing waits for it: dropped
                logger.debug("dropped a response to an unknown request: id=%r", message.get("id"))
            return
        try:
            jsonrpc.check_request(message)
        except InvalidRequest as error:
            request_id = message.get("id") if isinstance(message, dict) else None
            reply(jsonrpc.error_message(request_id if jsonrpc.is_valid_id(request_id) else None, error))
            return
        params = message.get("params") or {}
        if "id" not in message:
            self._notification(message["method"], params)
            return
        request_id, method = message["id"], message["method"]
        started = time.perf_counter() if self._log_requests else 0.0
        self._recorder.request(method, method in self._known_methods)
        outcome: Outcome = "ok"
        try:
            self._request(request_id, method, params, reply, related, close_stream)
        except ProtocolError as error:
            outcome = "protocol_error"
            reply(jsonrpc.error_message(request_id, error))
        except Exception as exc:  # a bug of ours: answer it, keep serving
            outcome = "protocol_error"
            logger.exception("internal error handling %r", method)
            reply(jsonrpc.error_message(request_id, ProtocolError(f"Internal error: {type(exc).__name__}")))
        if self._log_requests and (outcome != "ok" or request_id not in self._in_flight):  # a call logs as it ends
            _log_request(method, request_id, None, outcome, time.perf_counter() - started)

    # --- requests ----------------------------------------------------------------------

    def _request(
        self,
        request_id: jsonrpc.RequestId,
        method: str,
        params: dict[str, Any],
        reply: Reply,
        related: Send,
        close_stream: Callable[[], None] | None,
    ) -> None:
        if (
            request_id in self._in_flight
            or request_id in self._subscriptions
            or request_id in self._resource_subscriptions
        ):
            raise InvalidRequest(f"Invalid request: id {request_id!r} is already in use by a request in flight")
        if method == "initialize":
            reply(jsonrpc.result_message(request_id, self._initialize(params)))
            return
        capability = self._server.undeclared.get(method)
        if capability is not None:
            raise MethodNotFound(
                f"Method not found: {method}; this server declares no {capability} capability (it serves none)",
                method,
            )
        if has_envelope(params):
            scope = stateless_scope(params)
            if method in _HANDSHAKE_ONLY:
                raise MethodNotFound(f"Method not found: {method} (removed in {scope.version})", method)
        elif method in self._server.handshake_methods:
            scope = self._handshake_scope(method)
        elif method in self._server.stateless_methods:
            scope = stateless_scope(params)  # a 2026-07-28-only method without its envelope: -32602
        else:
            raise MethodNotFound(f"Method not found: {method}", method)
        if method == "subscriptions/listen":
            self._listen(request_id, params, reply, related)
            return
        starter = self._server.calls.get(method)
        if starter is not None:
            function, arguments, answer = starter(self, params, scope)
            if method == "tools/call" and function is not None and self.tasks.wanted(function, scope):
                result = self.tasks.start(self, function, arguments, scope, params, answer)
                reply(jsonrpc.result_message(request_id, self._server.finish_result(result, scope)))
                return
            # 2026-07-28: a request that may ask the client brings the answers of its earlier rounds.
            replay = None
            if scope.stateless and method in ROUND_METHODS:
                replay = replay_for(self._server.request_state, method, params)
            self.start_call(
                request_id,
                function,
                arguments,
                scope,
                params,
                reply,
                answer,
                replay,
                method=method,
                related=related,
                close_stream=close_stream,
            )
            return
        handler = self._server.handlers.get(method)
        if handler is None:
            raise MethodNotFound(f"Method not found: {method}", method)
        result = handler(self, params, scope)
        reply(jsonrpc.result_message(request_id, self._server.finish_result(result, scope)))

    def _handshake_scope(self, method: str) -> RequestScope:
        if self._handshake is None:
            if method in _BEFORE_INIT:
                return self._server.pre_init_scope
            # Without an envelope and before `initialize` this is both a malformed
            # 2026-07-28 request (-32602, basic/index "Per-request protocol fields")
            # and a handshake-era request sent too early: one answer serves both.
            raise InvalidParams(
                "Not initialized: send `initialize` first (handshake era), or carry the 2026-07-28 "
                "envelope in params._meta (io.modelcontextprotocol/protocolVersion and "
                "io.modelcontextprotocol/clientCapabilities)"
            )
        return self._handshake

    def _initialize(self, params: dict[str, Any]) -> dict[str, Any]:
        requested = params.get("protocolVersion")
        if not isinstance(requested, str):
            raise InvalidParams('initialize: "protocolVersion" must be a string')
        capabilities = params.get("capabilities", {})
        client_info = params.get("clientInfo")
        if not isinstance(capabilities, dict) or not isinstance(client_info, dict | None):
            raise InvalidParams('initialize: "capabilities" and "clientInfo" must be objects')
        version = negotiate(requested)
        # A second `initialize` renegotiates (the spec is silent; the official SDK does the same).
        self._handshake = RequestScope(
            version=version,
            stateless=False,
            client_capabilities=capabilities,
            client_info=client_info,
            log_level=_DEFAULT_CLIENT_LOG_LEVEL,
        )
        logger.info("initialized: client=%r version=%s", (client_info or {}).get("name"), version)
        return self._server.initialize_result(version)

    def set_log_level(self, params: dict[str, Any], scope: RequestScope) -> dict[str, Any]:
        level = params.get("level")
        if level not in LOG_LEVEL_RANK:
            raise InvalidParams(f"Invalid log level {level!r}; use one of {', '.join(LOG_LEVEL_RANK)}")
        scope.log_level = level
        return {}

    def _listen(self, request_id: jsonrpc.RequestId, params: dict[str, Any], reply: Reply, stream: Send) -> None:
        """Open a 2026-07-28 subscription stream (basic/patterns/subscriptions).

        The request stays unanswered while the stream is open; the server MUST first send
        `notifications/subscriptions/acknowledged` with the subset it honours, and MUST NOT
        send notification types the client did not ask for.
        """
        wanted = params.get("notifications")
        if not isinstance(wanted, dict):
            raise InvalidParams('subscriptions/listen: "notifications" must be an object')
        uris = wanted.get("resourceSubscriptions", [])
        if not isinstance(uris, list) or not all(isinstance(uri, str) for uri in uris):
            raise InvalidParams('subscriptions/listen: "resourceSubscriptions" must be a list of URIs')
        honoured: dict[str, Any] = {
            key: True for key in _LIST_CHANGES.values() if wanted.get(key) is True and self._server.list_changed
        }
        # The acknowledgement lists the URIs subscribed; one refused is left out (and logged).
        subscribed = [uri for uri in dict.fromkeys(uris) if self._try_subscribe(uri, request_id)]
        reply(None)  # no answer while the stream is open (and a batch holding it must not wait)
        if subscribed:
            honoured["resourceSubscriptions"] = subscribed
            # Acknowledged once their changes would be noticed; nothing is sent on the stream before.
            self._task_group.start_soon(self._acknowledge_when_watched, request_id, honoured, stream)
        else:
            self._acknowledge(request_id, honoured, stream)

    def _acknowledge(self, request_id: jsonrpc.RequestId, honoured: dict[str, Any], stream: Send) -> None:
        self._subscriptions[request_id] = _Subscription(frozenset(honoured), stream)
        stream(
            jsonrpc.notification_message(
                "notifications/subscriptions/acknowledged",
                {"notifications": honoured, "_meta": {SUBSCRIPTION_ID_KEY: request_id}},
            )
        )

    async def _acknowledge_when_watched(
        self, request_id: jsonrpc.RequestId, honoured: dict[str, Any], stream: Send
    ) -> None:
        await self._server.subscriptions.settled()
        if request_id in self._resource_subscriptions:  # not closed by the client meanwhile
            self._acknowledge(request_id, honoured, stream)

    # --- calls: requests that run user code ---------------------------------------------

    @property
    def server(self) -> Server:
        return self._server

    def start_call(
        self,
        request_id: jsonrpc.RequestId,
        function: Function | None,
        arguments: dict[str, Any],
        scope: RequestScope,
        params: dict[str, Any],
        reply: Reply,
        answer: Answer,
        replay: Replay | None = None,
        *,
        method: str,
        related: Send,
        close_stream: Callable[[], None] | None = None,
        task: Task | None = None,
    ) -> None:
        """Answer a request from a task, with `answer(call)`: cancellable by the client, bounded
        with the other calls in flight, and after the client's roots are known (handshake era).
        The call's own messages go to `related` (see `receive`)."""
        call = Call(
            request_id,
            function,
            arguments,
            scope,
            progress_token(params),
            reply,
            answer,
            related,
            close_stream,
            replay=replay,
            method=method,
            task=task,
        )
        if function is not None and function.kind == "tool":  # counted as `_ended` counts it
            self._recorder.call_started(function.name)
            for watcher in self._server.watchers:
                watcher.started(call)
        self._in_flight[request_id] = call
        if task is not None:
            # A task outlives its request: counted, it would stop the reading of the very
            # requests (tasks/get, tasks/cancel) that poll and end it.
            self._tasks_in_flight += 1
        if self._idle.is_set():
            self._idle = anyio.Event()
        if self._pending() >= self._max_pending and self._room.is_set():
            self._room = anyio.Event()
        running = asyncio.get_running_loop().create_task(self._run_call(call))
        self._call_tasks.add(running)
        running.add_done_callback(self._call_task_done)

    def _call_task_done(self, running: asyncio.Task[None]) -> None:
        self._call_tasks.discard(running)
        failure = None if running.cancelled() else running.exception()
        if failure is not None:  # _run_call answers every error: a bug of ours
            logger.error("a call's task failed", exc_info=failure)

    def bind(self, call: Call, function: Function) -> dict[str, Any]:
        """The call's arguments validated into keyword arguments for `function` (with its Context).

        Raises ArgumentsError for bad arguments, ConfigError if the function cannot be served, and
        CallFailed when user code run by the validation (a validator of the user's types) raised.
        """
        if function.schema.context_parameter is not None:
            call.context = self._context(call, function)
        try:
            return function.bind(call.arguments, call.context)
        except (ArgumentsError, ConfigError, Asked):
            raise
        except BaseException as exc:  # SystemExit and the like too: this call fails, the server serves on
            raise _failure(f"{_label(function)} failed while checking its arguments", exc) from None

    async def invoke(self, call: Call, function: Runnable, kwargs: dict[str, Any]) -> Any:
        """Run user code as every call runs it: under the call limiter and the timeout.

        Raises CallFailed when it times out or raises (its message is for the client; the
        traceback goes to the log), and `Asked` when it asked the client a question.
        """
        timeout = function.time_limit(self._server.settings)
        limiter = self._server.call_limiter
        try:
            try:
                # A free slot is taken without `async with`'s checkpoint: a loop turn and a
                # cancel scope, a tenth of a pipelined call's CPU. The waiting calls still queue in order.
                limiter.acquire_nowait()
            except anyio.WouldBlock:
                await limiter.acquire()
            try:
                with anyio.move_on_after(timeout) as deadline:
                    value = await function.run(kwargs)
            finally:
                limiter.release()
            if deadline.cancelled_caught:
                call.outcome = "timeout"
                raise CallFailed(f"{_label(function)} timed out after {timeout:g} seconds and was cancelled.")
            return value
        except (CallFailed, Asked, ProtocolError):  # a ProtocolError is answered as the JSON-RPC error it is
            raise
        except anyio.get_cancelled_exc_class():
            if anyio.current_effective_deadline() == -math.inf:
                raise  # we are being cancelled: the client, a shutdown
            # The function's own CancelledError (it awaited something a library cancelled):
            # a failure of this call, not a reason to stop serving.
            logger.error("%s raised a cancellation of its own", _label(function), exc_info=True)
            raise CallFailed(f"{_label(function)} failed: it was cancelled from within") from None
        except BaseException as exc:  # SystemExit, KeyboardInterrupt and the like included
            question = _asked_within(exc)
            if question is not None:  # asked from a task of the function's own task group
                raise question from None
            raise _failure(f"{_label(function)} failed", exc) from None

    def answered(self, call: Call, result: dict[str, Any]) -> bytes:
        """The response carrying `result`, with what the call's revision adds to every result.

        Raises InternalError if it is larger than `max_result_bytes`, as a tool's result may not be.
        """
        encoded = jsonrpc.encode(self._server.finish_result(result, call.scope))
        limit = self._server.settings.max_result_bytes
        if len(encoded) > limit:
            raise InternalError(
                f"The result is {len(encoded)} bytes, more than the {limit} byte limit on results"
                " (max_result_bytes); ask for less."
            )
        return jsonrpc.encoded_result_message(call.request_id, encoded)

    # --- tool calls ------------------------------------------------------------------

    def start_tool_call(self, params: dict[str, Any], scope: RequestScope) -> Started:
        name = params.get("name")
        if not isinstance(name, str):
            raise InvalidParams('tools/call: "name" must be a string')
        tool = self._server.registry.get(name)
        if tool is None:
            raise InvalidParams(self._server.registry.unknown(name))
        arguments = params.get("arguments")
        if arguments is None:
            arguments = {}
        elif not isinstance(arguments, dict):
            raise InvalidParams('tools/call: "arguments" must be an object')
        return tool, arguments, self._tool_call_answer

    async def _run_call(self, call: Call) -> None:
        answer: bytes | None = None
        try:
            with call.cancel_scope:
                try:
                    if not call.scope.stateless:
                        await self._client_roots_settled()
                        offered_roots.set(self.client_roots)  # this call's task (and its worker thread) only
                    elif (
                        call.replay is not None
                        and refusal("roots/list", {}, call.scope.version, call.scope.client_capabilities) is None
                    ):
                        roots_by_round.set(functools.cache(functools.partial(self._roots_by_round, call)))
                    answer = await call.answer(call)
                except Asked as asked:  # 2026-07-28: a prompt or resource asked the client
                    answer = self._asked_answer(call, asked)
                except ProtocolError as refused:
                    answer = jsonrpc.error_message(call.request_id, refused)
                    call.outcome = "protocol_error"
                except Exception as exc:  # a bug of ours: this call fails, the server serves on
                    logger.exception("internal error in a call to %s", call.function or "a provider")
                    error = ProtocolError(f"Internal error: {type(exc).__name__}")
                    answer = jsonrpc.error_message(call.request_id, error)
                    call.outcome = "protocol_error"
                if call.reported_progress and self._server.settings.progress_pause > 0:
                    await self._let_progress_arrive_first()
        finally:
            if call.context is not None:
                call.context._cancelled = True  # no progress or log after the answer
            self._forget(call)
        if call.cancelled_by_client or answer is None:  # by the client, or by a shutdown
            call.outcome, answer = "cancelled", None
        self._ended(call, answer)
        # Cancellation: "Not send a response for the cancelled request" (2025-11-25), and on
        # 2026-07-28 stdio the server "MUST NOT send any further messages for it".
        call.reply(answer)

    def _ended(self, call: Call, answer: bytes | None) -> None:
        """The one place a finished call is reported: metrics, the request log, the audit log, the watchers.

        Before its answer is sent: on stdio the audit lines are written before the answers (AuditLog.flush).
        """
        size = 0 if answer is None else len(answer)
        tool = call.function.name if call.function is not None and call.function.kind == "tool" else None
        if tool is not None:
            seconds = self._recorder.call_ended(tool, call.outcome, call.started, size)
        else:
            seconds = time.perf_counter() - call.started
        if self._log_requests:
            _log_request(call.method, call.request_id, tool, call.outcome, seconds)
        if tool is None:
            return
        audit = self._server.audit
        if audit is not None:
            audit.record(
                request_id=call.request_id,
                tool=tool,
                arguments=call.arguments,
                version=call.scope.version,
                client_info=call.scope.client_info,
                outcome=call.outcome,
                seconds=seconds,
                size=size,
            )
        for watcher in self._server.watchers:
            watcher.ended(call, answer, seconds)

    async def _let_progress_arrive_first(self) -> None:
        """Send a call's progress, then pause, before its answer: the client reads them apart.

        The TypeScript SDK client (v1 and v2, typescript-sdk#2580) handles an answer at
        once but notifications a microtask later, after the answer removed the call's
        progress handler: progress read together with the answer is lost. Sleeping lets
        the transport write the notifications first (on the next loop turn, before any
        timer). Measured with the TS SDK 1.32.2 client on 2 busy cores (load 3.4 to 4.1),
        a tool reporting progress 5 times in a burst: calls that lost their progress were
        200 of 200 with no pause (one write), and of 800 each: 607 with the writes apart but
        no pause, 42 after 0.5 ms, 12 after 1 ms, 17 after 2 ms, none after 5 ms.
        """
        await anyio.sleep(self._server.settings.progress_pause)

    def _pending(self) -> int:
        """Calls in flight that hold their request open (tasks do not)."""
        return len(self._in_flight) - self._tasks_in_flight

    def _forget(self, call: Call) -> None:
        if self._in_flight.get(call.request_id) is call:  # a cancel may have freed the id already
            del self._in_flight[call.request_id]
            if call.task is not None:
                self._tasks_in_flight -= 1
        if self._pending() < self._max_pending:
            self._room.set()
        if not self._in_flight:
            self._idle.set()

    async def _tool_call_answer(self, call: Call) -> bytes:
        settings = self._server.settings
        request_id, scope = call.request_id, call.scope
        tool = typing.cast("Tool", call.function)
        try:
            kwargs = self.bind(call, tool)
        except CallFailed as failure:
            call.outcome = "error"
            result = error_result(str(failure))
        except ArgumentsError as error:
            if not validation_errors_as_results(scope.version):
                call.outcome = "protocol_error"
                return jsonrpc.error_message(request_id, InvalidParams(str(error), {"errors": error.errors}))
            call.outcome = "error"
            result = error_result(str(error))
        except ConfigError as error:
            call.outcome = "protocol_error"
            logger.error("tool %s cannot be served: %s", tool.name, error)
            return jsonrpc.error_message(request_id, ProtocolError(f"Tool {tool.name!r} cannot be served: {error}"))
        except Asked as asked:  # 2026-07-28: validating a path argument asked for the client's roots
            result = self._tool_input_required(call, asked)
        else:
            result = await self._execute(call, tool, kwargs, feature_level(scope.version))
            if result.get("isError") and call.outcome == "ok":  # (a timeout is an error result too)
                call.outcome = "error"
        encoded = jsonrpc.encode(self._server.finish_result(result, scope))
        if len(encoded) > settings.max_result_bytes and "structuredContent" in result:
            # server/tools, "Structured Content": the text block repeating the structured result is a
            # SHOULD, for older clients; when the two would not fit together, the structured one is sent.
            result["content"] = [{"type": "text", "text": _STRUCTURED_ONLY}]
            encoded = jsonrpc.encode(self._server.finish_result(result, scope))
        if len(encoded) > settings.max_result_bytes:
            call.outcome = "error"
            message = (
                f"Tool {tool.name!r} returned {len(encoded)} bytes, more than the {settings.max_result_bytes}"
                " byte limit on results (max_result_bytes). Ask for less, e.g. a smaller range or page."
            )
            encoded = jsonrpc.encode(self._server.finish_result(error_result(message), scope))
        return jsonrpc.encoded_result_message(request_id, encoded)

    async def _execute(self, call: Call, tool: Tool, kwargs: dict[str, Any], level: int) -> dict[str, Any]:
        try:
            value = await self.invoke(call, tool, kwargs)
        except CallFailed as failure:
            return error_result(str(failure))
        except Asked as asked:  # 2026-07-28: the tool asked a question with no answer yet
            return self._tool_input_required(call, asked)
        try:
            return tool_result(tool, value, level)
        except ToolError as error:  # the result does not match the output schema it was given
            return error_result(str(error))

    def _input_required(self, call: Call, asked: Asked) -> dict[str, Any]:
        """The InputRequiredResult asking `asked`'s question; a ToolError when its requestState is too large."""
        assert call.replay is not None  # only a 2026-07-28 request asks by rounds, and it has a replay
        return input_required_result(self._server.request_state, asked, call.replay)

    def _tool_input_required(self, call: Call, asked: Asked) -> dict[str, Any]:
        try:
            return self._input_required(call, asked)
        except ToolError as error:
            return error_result(str(error))

    def _asked_answer(self, call: Call, asked: Asked) -> bytes:
        """The answer to a prompt or resource that asked the client (a tool call answers its own)."""
        try:
            return self.answered(call, self._input_required(call, asked))
        except ToolError as error:  # the requestState would be too large
            refused: ProtocolError = InternalError(str(error))
        except ProtocolError as error:  # the result would be
            refused = error
        call.outcome = "protocol_error"
        return jsonrpc.error_message(call.request_id, refused)

    def _context(self, call: Call, function: Function) -> Context:
        return Context(
            request_id=call.request_id,
            tool_name=function.name,
            protocol_version=call.scope.version,
            progress_token=call.progress_token,
            min_log_level=call.scope.log_level,
            client_info=call.scope.client_info,
            client_capabilities=call.scope.client_capabilities,
            notify=functools.partial(self._notify, call),
            ask=functools.partial(self._ask_client, call),
            resource_updated=self._server.subscriptions.updated,
            close_stream=functools.partial(self._close_stream, call),
        )

    async def _ask_client(self, call: Call, method: str, params: dict[str, Any], key: str | None) -> dict[str, Any]:
        """A function's question to the client (`Context.elicit`, `sample`, `list_roots`)."""
        scope = call.scope
        reason = refusal(method, params, scope.version, scope.client_capabilities)
        if reason is not None and call.replay is not None:
            # 2026-07-28 (SEP-2575): a request that needs a capability the client did not declare
            # MUST be answered -32021, so that the client can declare it and retry.
            raise MissingClientCapability(reason, required_capabilities(method, params))
        if reason is not None:  # the handshake era: the function is told, and may go on without it
            raise ToolError(reason)
        if call.task is not None:  # a task waits for its answer (tasks/update)
            return await call.task.ask(method, params, key)
        if call.replay is not None:  # 2026-07-28: no server-to-client requests, input-required rounds
            return call.replay.ask(method, params, key)
        return await self._client_requests.request(method, params, call.send)

    def _roots_by_round(self, call: Call) -> tuple[Root, ...]:
        """2026-07-28: the call's client's roots, asked as an input request (no server-to-client
        `roots/list` there). SEP-2577 deprecates roots in 2026-07-28, but its "wire-level behavior is
        unchanged" and deprecated features stay "fully functional": a client declaring them is asked."""
        assert call.replay is not None  # a stateless call always has one
        return tuple(file_roots(call.replay.ask("roots/list", {})))

    # --- notifications -----------------------------------------------------------------

    def _notification(self, method: str, params: dict[str, Any]) -> None:
        if method == "notifications/cancelled":
            self.cancel(params.get("requestId"))
        elif method == "notifications/initialized":
            self._initialized_notified = True
            self._ask_roots()
        elif method == "notifications/roots/list_changed":
            self._ask_roots()
        # Any other notification is ignored (JSON-RPC: notifications are never answered).

    def cancel(self, request_id: object) -> None:
        """Cancel the call `request_id` (a client's `notifications/cancelled`, `tasks/cancel`)."""
        # "Receivers MAY ignore cancellation notifications if the referenced request is
        # unknown" or already finished; `initialize` is answered at once, so never here.
        if not jsonrpc.is_valid_id(request_id):
            return  # (a bool would find the call whose id is 1: True == 1 as a dict key)
        if request_id in self._subscriptions or request_id in self._resource_subscriptions:
            self._subscriptions.pop(request_id, None)
            self._end_resource_subscriptions(request_id)
            return  # the client closed its subscription stream: nothing more is sent on it
        call = self._in_flight.get(request_id)
        if call is None:
            return
        self._forget(call)  # the id may be used again at once
        call.cancelled_by_client = True
        if call.context is not None:
            call.context._cancelled = True
        call.cancel_scope.cancel()

    def _ask_roots(self) -> None:
        if self._handshake is not None and "roots" in self._handshake.client_capabilities:
            if self._roots_known.is_set():
                self._roots_known = anyio.Event()
            self._roots_deadline = anyio.current_time() + self._server.settings.client_roots_wait
            self._roots_asked += 1
            self._task_group.start_soon(self._refresh_roots, self._roots_asked)

    async def _refresh_roots(self, asked: int) -> None:
        try:
            result = await self._client_requests.request("roots/list", {})
        except ToolError as error:
            logger.warning("the client's roots are unknown: %s", error)
            result = None
        if asked != self._roots_asked:
            return  # an answer to an older question is stale; the latest one is awaited
        if result is not None:
            self.client_roots = tuple(file_roots(result))
            logger.info("client roots: %s", ", ".join(root.uri for root in self.client_roots) or "(none)")
        self._roots_known.set()

    async def _client_roots_settled(self) -> None:
        """Wait until the client answered the last `roots/list`, at most `client_roots_wait` after it was asked.

        The question goes out after `notifications/initialized`, and a client may call a
        tool at once: run before the answer, a file tool would use the wrong roots (the
        working directory, or none). A client that never answers delays calls only until
        the deadline; then what is known is used.
        """
        if not self._roots_known.is_set():
            with anyio.move_on_after(self._roots_deadline - anyio.current_time()):
                await self._roots_known.wait()

    def _notify(self, call: Call, method: str, params: dict[str, Any]) -> None:
        """Send a tool's notification, from the event loop or from a sync tool's worker thread."""
        if method == "notifications/progress":
            call.reported_progress = True
        self._from_any_thread(call.send, jsonrpc.notification_message(method, params))

    def _from_any_thread(self, function: Callable[..., None], *args: Any) -> None:
        """Run `function` on the event loop: called there, or from a sync function's worker thread."""
        if threading.get_ident() == self._loop_thread:
            function(*args)
        else:
            anyio.from_thread.run_sync(function, *args, token=self._token)

    def _close_stream(self, call: Call) -> None:
        if call.close_stream is None:
            return  # stdio, 2026-07-28, or a client too old to resume: nothing to close
        self._from_any_thread(call.close_stream)

    # --- resource subscriptions ------------------------------------------------------------

    def subscribe_resource(self, uri: str, stream: jsonrpc.RequestId | None) -> None:
        """Send `notifications/resources/updated` for `uri` until unsubscribed: on the 2026-07-28
        `stream` (a listen request's id), or to the handshake-era client (None).

        Raises ResourceNotFound when nothing serves `uri`, InvalidParams when it is refused
        (a file outside the allowed roots).
        """
        subscribed = self._resource_subscriptions.setdefault(stream, {})
        if uri in subscribed:
            return  # subscribing twice is one subscription (one notification per change)
        limit = self._server.settings.max_subscriptions
        if sum(map(len, self._resource_subscriptions.values())) >= limit:
            # Each one costs a watch (and a rebuild of it): a client may not subscribe without bound.
            raise InvalidParams(
                f"Too many subscriptions: this client is subscribed to {limit} resources (max_subscriptions);"
                " unsubscribe from some first",
                {"uri": uri},
            )
        served = self._server.resources.find(uri) is not None
        notify = functools.partial(self._resource_updated, stream)
        try:
            end = self._server.subscriptions.subscribe(uri, notify, served=served)
        except ToolError as error:
            raise InvalidParams(str(error), {"uri": uri}) from None
        if end is None:
            raise ResourceNotFound(uri, handshake=stream is None)
        subscribed[uri] = end

    def _try_subscribe(self, uri: str, stream: jsonrpc.RequestId) -> bool:
        try:
            self.subscribe_resource(uri, stream)
        except ProtocolError as error:
            logger.warning("subscriptions/listen: not subscribed to %s: %s", uri[:200], error)
            return False
        return True

    def unsubscribe_resource(self, uri: str) -> None:
        """End the handshake-era client's subscription to `uri` (none: nothing to do)."""
        end = self._resource_subscriptions.get(None, {}).pop(uri, None)
        if end is not None:
            end()

    def _end_resource_subscriptions(self, stream: jsonrpc.RequestId | None) -> None:
        for end in self._resource_subscriptions.pop(stream, {}).values():
            end()

    def _resource_updated(self, stream: jsonrpc.RequestId | None, uri: str) -> None:
        params: dict[str, Any] = {"uri": uri}
        send: Send = self._send
        if stream is not None:
            subscription = self._subscriptions.get(stream)
            if subscription is None:
                return  # not acknowledged yet: the stream is not open
            params["_meta"] = {SUBSCRIPTION_ID_KEY: stream}
            send = subscription.stream
        self._from_any_thread(send, jsonrpc.notification_message("notifications/resources/updated", params))

    def _list_changed(self, kind: str) -> None:
        """Tell the client the tools, resources or prompts changed (`notifications/{kind}/list_changed`)."""
        if not self._server.list_changed:
            return
        method = f"notifications/{kind}/list_changed"
        # Handshake era: to every initialized client. 2026-07-28: only on the subscription
        # streams that asked for it, each tagged with its subscription id.
        if self._handshake is not None and self._initialized_notified:
            self._send(jsonrpc.notification_message(method, {}))
        for request_id, subscription in self._subscriptions.items():
            if _LIST_CHANGES[kind] in subscription.wanted:
                meta = {"_meta": {SUBSCRIPTION_ID_KEY: request_id}}
                subscription.stream(jsonrpc.notification_message(method, meta))

    # --- shutdown ----------------------------------------------------------------------

    @property
    def saturated(self) -> bool:
        """True while so many calls are pending that the transport should stop reading."""
        return not self._room.is_set()

    async def wait_for_room(self) -> None:
        await self._room.wait()

    async def finish(self, grace: float) -> None:
        """Give calls in flight `grace` seconds to finish, then cancel the rest."""
        # The client can no longer answer: a call waiting for it ends now, with an error result.
        self._client_requests.close()
        try:
            with anyio.move_on_after(grace):
                await self._idle.wait()
        finally:  # cancelled while waiting (an HTTP client closed its stream): the same, at once
            for call in list(self._in_flight.values()):
                call.cancel_scope.cancel()
            if self._call_tasks:  # as the task group would have: none outlives the connection
                with anyio.CancelScope(shield=True):
                    await asyncio.wait(self._call_tasks)
            for unsubscribe in self._unsubscribe:
                unsubscribe()
            for stream in list(self._resource_subscriptions):
                self._end_resource_subscriptions(stream)
            # basic/patterns/subscriptions: a server closing a stream SHOULD answer the
            # listen request with an empty result carrying the subscription id.
            for request_id, subscription in list(self._subscriptions.items()):
                meta = {**self._server.result_meta, SUBSCRIPTION_ID_KEY: request_id}
                subscription.stream(jsonrpc.result_message(request_id, {"resultType": "complete", "_meta": meta}))
            self._subscriptions.clear()


def _failure(failed: str, exc: BaseException) -> CallFailed:
    """What the client is told of an exception user code raised: a ToolError's own message, else
    `failed` with the exception's type and message, never a traceback (that goes to the log)."""
    if isinstance(exc, ToolError):
        return CallRefused(str(exc))
    logger.error("%s", failed, exc_info=exc)
    return CallFailed(f"{failed}: {type(exc).__name__}: {exc}")


def _asked_within(exc: BaseException) -> Asked | None:
    """The questions in an exception group holding nothing else (a tool's task group wraps them):
    several tasks asking at once ask in one round."""
    if not isinstance(exc, BaseExceptionGroup):
        return None
    matched, rest = exc.split(Asked)
    if rest is not None or matched is None:
        return None
    asked: list[Asked] = []
    groups: list[BaseException] = [matched]
    while groups:
        found = groups.pop(0)
        if isinstance(found, BaseExceptionGroup):
            groups.extend(found.exceptions)
        elif isinstance(found, Asked):
            asked.append(found)
    return asked[0].together(asked) if asked else None


def _log_request(
    method: str, request_id: jsonrpc.RequestId, tool: str | None, outcome: Outcome, seconds: float
) -> None:
    fields: dict[str, Any] = {"method": method, "id": request_id}
    if tool is not None:
        fields["tool"] = tool
    fields["outcome"] = outcome
    fields["duration_ms"] = round(seconds * 1000, 3)
    request_log.info("request", extra=fields)
