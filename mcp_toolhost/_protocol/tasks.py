"""Tasks: the 2026-07-28 extension `io.modelcontextprotocol/tasks` (SEP-2663).

A `tools/call` to a tool declaring `task_support`, from a client declaring the extension, is
answered at once with a `CreateTaskResult` (`resultType: "task"`, the task's id and status)
and runs in the background as any call runs (timeout, metrics, audit, cancellation). The client
polls `tasks/get`, which inlines the `CallToolResult` once done (`result`), or the JSON-RPC error
of a call that failed (`error`), or the questions the tool waits on (`inputRequests`), which
the client answers with `tasks/update`; `tasks/cancel` cancels it. A tool's error result is a
`completed` task; `failed` is for protocol errors only (SEP-2663, "Error semantics").

Tasks belong to the connection that created them (on Streamable HTTP's 2026-07-28 side, the one
connection every request shares): their ids are 128 random bits, so only the client that was
told one can name it. A connection keeps at most `max_tasks`, each for `task_ttl` seconds.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import anyio

from ..errors import InternalError, InvalidParams, MissingClientCapability
from . import jsonrpc
from .envelope import RequestScope

if TYPE_CHECKING:
    from .._tools.function import Function
    from ..config import Settings
    from .connection import Answer, Connection

__all__ = ["EXTENSION", "Task", "Tasks", "cancel_task", "get_task", "update_task"]

EXTENSION: Final = "io.modelcontextprotocol/tasks"
"""The extension's key in `capabilities.extensions`, the client's and the server's."""
_POLL_INTERVAL_MS: Final = 500
"""How often a client should poll `tasks/get` (`pollIntervalMs`, a hint)."""
_TERMINAL: Final = frozenset({"completed", "failed", "cancelled"})


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def declared(scope: RequestScope) -> bool:
    """True if the request's client declared the tasks extension (in its 2026-07-28 envelope)."""
    extensions = scope.client_capabilities.get("extensions")
    return scope.stateless and isinstance(extensions, dict) and EXTENSION in extensions


def _undeclared(what: str) -> MissingClientCapability:
    # SEP-2663, "Required Capabilities", after SEP-2575's "Missing Required Capabilities": -32021,
    # naming the extension so that the client can declare it and retry.
    return MissingClientCapability(
        f"{what} needs the {EXTENSION} extension: declare it in the request's client capabilities"
        f" (_meta, io.modelcontextprotocol/clientCapabilities: extensions)",
        {"extensions": {EXTENSION: {}}},
    )


@dataclass(slots=True)
class Task:
    """One tool call running (or run) in the background, and what `tasks/get` tells of it."""

    id: str
    ttl: float
    expires: float
    created: str = field(default_factory=_now)
    updated: str = ""
    status: str = "working"
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    questions: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The questions the tool waits on, by key: `inputRequests`."""
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    answered: anyio.Event = field(default_factory=anyio.Event)
    asked: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.updated = self.created

    @property
    def done(self) -> bool:
        return self.status in _TERMINAL

    def _set(self, status: str) -> None:
        self.status, self.updated = status, _now()

    async def ask(self, method: str, params: dict[str, Any], key: str | None) -> dict[str, Any]:
        """A tool's question to the client: the task waits in `input_required` until `tasks/update` answers it."""
        key = key if key is not None and key not in self.questions else f"question-{next(self.asked)}"
        self.questions[key] = {"method": method, "params": params}
        self._set("input_required")
        try:
            while key not in self.answers:
                await self.answered.wait()
            return self.answers.pop(key)
        finally:
            self.questions.pop(key, None)
            if not self.questions and not self.done:
                self._set("working")

    def answer(self, responses: dict[str, Any]) -> None:
        """`tasks/update`: the answers to questions asked; other keys are ignored (a question answered twice too)."""
        given = {key: value for key, value in responses.items() if key in self.questions and isinstance(value, dict)}
        if given:
            self.answers.update(given)
            self.answered.set()
            self.answered = anyio.Event()

    def finish(self, answer: bytes | None) -> None:
        """The call's JSON-RPC answer (None: it was cancelled) becomes the task's end."""
        if answer is None:
            self._set("cancelled")
            return
        message = jsonrpc.decode(answer)
        if "error" in message:
            self.error = message["error"]
            self._set("failed")
        else:
            self.result = message["result"]
            self._set("completed")

    def info(self) -> dict[str, Any]:
        """The `Task` fields every task message carries (SEP-2663: flat, never under a `task` key)."""
        return {
            "taskId": self.id,
            "status": self.status,
            "createdAt": self.created,
            "lastUpdatedAt": self.updated,
            "ttlMs": round(self.ttl * 1000),
            "pollIntervalMs": _POLL_INTERVAL_MS,
        }

    def detailed(self) -> dict[str, Any]:
        """`tasks/get`'s `DetailedTask`: the info, with the result, the error or the questions pending."""
        detailed = self.info()
        if self.status == "completed":
            detailed["result"] = self.result
        elif self.status == "failed":
            detailed["error"] = self.error
        elif self.status == "input_required":
            detailed["inputRequests"] = dict(self.questions)
        return detailed


class Tasks:
    """The tasks of one connection, oldest first, each kept for its ttl at most."""

    def __init__(self, settings: Settings) -> None:
        self._ttl = settings.task_ttl
        self._max = settings.max_tasks
        self._tasks: OrderedDict[str, Task] = OrderedDict()

    def wanted(self, tool: Function, scope: RequestScope) -> bool:
        """True if this call runs as a task; -32021 if it must and the client cannot take one."""
        support = getattr(tool, "task_support", "forbidden")
        if support == "forbidden" or not scope.stateless:
            return False
        if declared(scope):
            return True
        if support == "required":
            raise _undeclared(f"Tool {tool.name!r} runs only as a task: it")
        return False  # "optional": run at once, as for a client that knows nothing of tasks

    def start(
        self,
        connection: Connection,
        tool: Function,
        arguments: dict[str, Any],
        scope: RequestScope,
        params: dict[str, Any],
        answer: Answer,
    ) -> dict[str, Any]:
        """Start the call as a new task; the `CreateTaskResult` to answer the `tools/call` with."""
        self._forget_expired(connection)
        if len(self._tasks) >= self._max:
            finished = next((task for task in self._tasks.values() if task.done), None)
            if finished is None:
                raise InternalError(
                    f"Too many tasks: {self._max} are running on this connection (max_tasks);"
                    " wait for some to finish, or cancel some (tasks/cancel)"
                )
            del self._tasks[finished.id]
        task = Task(secrets.token_urlsafe(16), self._ttl, time.monotonic() + self._ttl)
        self._tasks[task.id] = task
        reply, related = task.finish, _nowhere
        connection.start_call(
            task.id, tool, arguments, scope, params, reply, answer, method="tools/call", related=related, task=task
        )
        return {"resultType": "task", **task.info()}

    def _forget_expired(self, connection: Connection) -> None:
        now = time.monotonic()
        for task in [task for task in self._tasks.values() if task.expires <= now]:
            del self._tasks[task.id]
            if not task.done:  # kept no longer than its ttl: nobody could ask for its result
                connection.cancel(task.id)

    def _find(self, connection: Connection, params: dict[str, Any], scope: RequestScope, method: str) -> Task:
        if not declared(scope):
            raise _undeclared(method)
        self._forget_expired(connection)
        task_id = params.get("taskId")
        if not isinstance(task_id, str):
            raise InvalidParams(f'{method}: "taskId" must be a string')
        task = self._tasks.get(task_id)
        if task is None:
            raise InvalidParams(
                f"{method}: no task {task_id!r} on this connection (unknown, or forgotten after its ttlMs)",
                {"taskId": task_id},
            )
        return task

    def get(self, connection: Connection, params: dict[str, Any], scope: RequestScope) -> dict[str, Any]:
        return self._find(connection, params, scope, "tasks/get").detailed()

    def update(self, connection: Connection, params: dict[str, Any], scope: RequestScope) -> dict[str, Any]:
        task = self._find(connection, params, scope, "tasks/update")
        responses = params.get("inputResponses")
        if not isinstance(responses, dict):
            raise InvalidParams('tasks/update: "inputResponses" must be an object keyed like the inputRequests')
        task.answer(responses)
        return {}  # an empty ack: the task's state is seen with the next tasks/get

    def cancel(self, connection: Connection, params: dict[str, Any], scope: RequestScope) -> dict[str, Any]:
        task = self._find(connection, params, scope, "tasks/cancel")
        if not task.done:  # cancelling a finished task is no error: the same empty ack
            connection.cancel(task.id)
        return {}


# The methods, as `Server.handlers` (SEP-2663 removed v1's `tasks/result` and `tasks/list`: -32601).


def get_task(connection: Connection, params: dict[str, Any], scope: RequestScope) -> dict[str, Any]:
    return connection.tasks.get(connection, params, scope)


def update_task(connection: Connection, params: dict[str, Any], scope: RequestScope) -> dict[str, Any]:
    return connection.tasks.update(connection, params, scope)


def cancel_task(connection: Connection, params: dict[str, Any], scope: RequestScope) -> dict[str, Any]:
    return connection.tasks.cancel(connection, params, scope)


def _nowhere(data: bytes) -> None:
    """Where a task's progress and logs go: its request was answered already (SEP-2663 sends status by
    `subscriptions/listen`, not on the creating request's stream)."""
