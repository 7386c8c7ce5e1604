"""`Context`: what a running tool may know about its request and say to the client."""

from __future__ import annotations

import math
import uuid
from collections.abc import Awaitable, Callable, Generator, Sequence
from typing import Any, Final, Literal, TypeVar

from . import asking
from .asking import Ask, Elicited, Root, Sampled

__all__ = ["LOG_LEVELS", "Context", "LogLevel"]

LogLevel = Literal["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"]
# RFC 5424 severities, least severe first (MCP, server/utilities/logging).
LOG_LEVELS: Final[tuple[str, ...]] = (
    "debug",
    "info",
    "notice",
    "warning",
    "error",
    "critical",
    "alert",
    "emergency",
)
LOG_LEVEL_RANK: Final = {level: rank for rank, level in enumerate(LOG_LEVELS)}

Notify = Callable[[str, dict[str, Any]], None]
T = TypeVar("T")


class Sent:
    """Returned by the notification methods: nothing to wait for, but awaiting is fine.

    Notifications are queued without blocking, so sync tools (run in worker threads)
    and async tools use the same methods; `await ctx.info(...)` works as well.
    """

    __slots__ = ()

    def __await__(self) -> Generator[None, None, None]:
        yield from ()


_SENT: Final = Sent()


class Context:
    """Declare a parameter of this type on a tool to receive it; it is never in the schema."""

    def __init__(
        self,
        *,
        request_id: str | int,
        tool_name: str,
        protocol_version: str,
        progress_token: str | int | None,
        min_log_level: str | None,
        client_info: dict[str, Any] | None,
        client_capabilities: dict[str, Any],
        notify: Notify,
        ask: Ask,
        resource_updated: Callable[[str], None] | None = None,
        close_stream: Callable[[], None] | None = None,
    ) -> None:
        self.request_id = request_id
        self.tool_name = tool_name
        self.protocol_version = protocol_version
        self.progress_token = progress_token
        self.client_info = client_info
        self.client_capabilities = client_capabilities
        self._min_log_rank = LOG_LEVEL_RANK[min_log_level] if min_log_level is not None else None
        self._notify = notify
        self._ask = ask
        self._resource_updated = resource_updated
        self._close_stream = close_stream
        self._last_progress: float | None = None
        self._cancelled = False

    @property
    def cancelled(self) -> bool:
        """True once the client cancelled this request or its timeout expired.

        Async tools are cancelled at their next `await`; sync tools run in a worker
        thread, which cannot be interrupted, so long loops should check this.
        """
        return self._cancelled

    def close_sse_stream(self) -> None:
        """End this call's SSE stream now (Streamable HTTP); the client resumes it with `Last-Event-ID`.

        For a long call behind a proxy that cuts idle connections: the call goes on, and what it
        sends meanwhile is kept for the client (basic/transports, "Resumability and
        Redelivery"). A no-op on stdio, at 2026-07-28, and for clients older than 2025-11-25.
        """
        if self._close_stream is not None:
            self._close_stream()

    def report_progress(self, progress: float, total: float | None = None, message: str | None = None) -> Sent:
        """Send `notifications/progress`, if the client asked for progress on this request.

        Progress must increase with each notification (server/utilities/progress), so a
        value not above the last one sent is dropped.
        """
        if self.progress_token is None or self._cancelled or not math.isfinite(progress):
            return _SENT  # also: JSON has no NaN or Infinity, and "progress" must be a number
        if self._last_progress is not None and progress <= self._last_progress:
            return _SENT
        self._last_progress = progress
        params: dict[str, Any] = {"progressToken": self.progress_token, "progress": progress}
        if total is not None and math.isfinite(total):
            params["total"] = total
        # `message` was added to progress notifications in 2025-03-26.
        if message is not None and self.protocol_version != "2024-11-05":
            params["message"] = message
        self._notify("notifications/progress", params)
        return _SENT

    def log(self, level: LogLevel, data: Any, *, logger: str | None = None) -> Sent:
        """Send `notifications/message` if the client's log level lets `level` through."""
        rank = LOG_LEVEL_RANK.get(level)
        if rank is None:
            raise ValueError(f"unknown log level {level!r}; use one of {', '.join(LOG_LEVELS)}")
        if self._min_log_rank is None or rank < self._min_log_rank or self._cancelled:
            return _SENT
        params: dict[str, Any] = {"level": level, "data": data}
        if logger is not None:
            params["logger"] = logger
        self._notify("notifications/message", params)
        return _SENT

    def debug(self, data: Any, *, logger: str | None = None) -> Sent:
        return self.log("debug", data, logger=logger)

    def info(self, data: Any, *, logger: str | None = None) -> Sent:
        return self.log("info", data, logger=logger)

    def warning(self, data: Any, *, logger: str | None = None) -> Sent:
        return self.log("warning", data, logger=logger)

    def error(self, data: Any, *, logger: str | None = None) -> Sent:
        return self.log("error", data, logger=logger)

    def resource_updated(self, uri: str) -> Sent:
        """Tell every client subscribed to the resource `uri` that it changed, so they read it again
        (`notifications/resources/updated`): call it when your code changed what a resource of yours
        reads. Without subscribers nothing is sent."""
        if self._resource_updated is not None:
            self._resource_updated(uri)
        return _SENT

    # --- asking the client ---------------------------------------------------------------
    # Each question is one `Ask`: the protocol layer decides how it reaches the client (a
    # server-to-client request in the handshake era) and refuses, as a ToolError, what the
    # client or the revision cannot do, so tool code is the same in every era.

    # `key` names the question in a 2026-07-28 `inputRequests` (default: its place, `question-N`).

    async def list_roots(self, *, key: str | None = None) -> list[Root]:
        """The client's roots (its workspace folders): only `file://` ones."""
        return asking.file_roots(await self._ask("roots/list", {}, key))

    async def elicit(self, message: str, schema: type[T], *, key: str | None = None) -> Elicited[T]:
        """Ask the person a question through a form (elicitation, 2025-06-18 and later).

        `schema` is a pydantic model with flat, primitive fields (strings, numbers,
        booleans, enums, lists of enum values) or a primitive type; an accepted answer is
        validated into it, and one that does not fit raises a ToolError naming the field.
        """
        result = await self._ask("elicitation/create", asking.elicitation_request(message, schema), key)
        return asking.elicited(result, schema)

    async def elicit_url(self, message: str, url: str) -> Elicited[None]:
        """Send the person to `url` (URL-mode elicitation, 2025-11-25), e.g. to sign in.

        "accept" means they agreed to open it, not that they finished there.
        """
        params = {"mode": "url", "message": message, "url": url, "elicitationId": uuid.uuid4().hex}
        return asking.elicited_url(await self._ask("elicitation/create", params, None))

    async def sample(
        self,
        prompt_or_messages: str | Sequence[dict[str, Any]],
        *,
        system_prompt: str | None = None,
        max_tokens: int = asking.DEFAULT_MAX_TOKENS,
        temperature: float | None = None,
        model_preferences: dict[str, Any] | None = None,
        stop_sequences: Sequence[str] | None = None,
        key: str | None = None,
    ) -> Sampled:
        """Ask the client's model for a completion (`sampling/createMessage`).

        A `str` is one user message; otherwise pass the spec's `SamplingMessage` objects.
        """
        params = asking.sampling_request(
            prompt_or_messages,
            system_prompt=system_prompt,
            max_tokens=max_tokens,
            temperature=temperature,
            model_preferences=model_preferences,
            stop_sequences=stop_sequences,
        )
        return asking.sampled(await self._ask("sampling/createMessage", params, key))

    async def ask_together(self, *questions: Awaitable[Any]) -> list[Any]:
        """The answers to several questions asked at once, in order:
        `name, roots = await ctx.ask_together(ctx.elicit(...), ctx.list_roots())`.

        In 2026-07-28 they go out in one input-required round (one `inputRequests` entry each)
        rather than one round each; in the handshake era they are asked one after another.
        """
        answers: list[Any] = []
        unanswered: list[asking.Unanswered] = []
        for question in questions:
            try:
                answers.append(await question)
            except asking.Unanswered as pending:
                unanswered.append(pending)
        if unanswered:
            raise unanswered[0].together(unanswered)
        return answers
