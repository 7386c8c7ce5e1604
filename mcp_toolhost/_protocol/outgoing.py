"""Questions to the client: which ones a client can answer, and (handshake era) the requests
the server sends it, in their own id space, answered over the same connection.

The 2026-07-28 revision has no server-to-client requests: there a question becomes an
input-required round (basic/patterns/input-required, rounds.py); `Ask` keeps tool code
independent of which of the two carries it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio

from ..errors import ToolError
from . import jsonrpc
from .versions import at_least

__all__ = ["ClientRequests", "refusal", "required_capabilities"]

_WHAT = {"roots/list": "list its roots", "elicitation/create": "ask the user", "sampling/createMessage": "sample"}


def refusal(method: str, params: dict[str, Any], version: str, capabilities: dict[str, Any]) -> str | None:
    """Why the client cannot answer `method`, or None if it declared it can."""
    if method == "roots/list":
        missing = None if "roots" in capabilities else "the roots capability"
    elif method == "sampling/createMessage":
        missing = None if "sampling" in capabilities else "the sampling capability"
    else:
        missing = _elicitation_missing(params.get("mode"), version, capabilities.get("elicitation"))
    if missing is None:
        return None
    return (
        f"The client cannot {_WHAT[method]}: it did not declare {missing}. "
        "Go on without it, or ask the user to use a client that supports it."
    )


def required_capabilities(method: str, params: dict[str, Any]) -> dict[str, Any]:
    """The client capability a question of `method` needs, as `ClientCapabilities` writes it."""
    if method == "roots/list":
        return {"roots": {}}
    if method == "sampling/createMessage":
        return {"sampling": {}}
    return {"elicitation": {"url": {}} if params.get("mode") == "url" else {"form": {}}}


def _elicitation_missing(mode: object, version: str, declared: object) -> str | None:
    # client/elicitation: added in 2025-06-18; URL mode in 2025-11-25, where "an empty
    # capabilities object is equivalent to declaring support for form mode only".
    if mode == "url":
        if not at_least(version, "2025-11-25"):
            return f"URL-mode elicitation (revision 2025-11-25 or later; this session speaks {version})"
        return None if isinstance(declared, dict) and "url" in declared else "URL-mode elicitation"
    if not at_least(version, "2025-06-18"):
        return f"elicitation (revision 2025-06-18 or later; this session speaks {version})"
    if not isinstance(declared, dict):
        return "the elicitation capability"
    return None if "form" in declared or "url" not in declared else "form-mode elicitation"


@dataclass(slots=True)
class _Pending:
    method: str
    send: Callable[[bytes], None]
    """The stream the question went out on: its cancellation goes there too."""
    done: anyio.Event = field(default_factory=anyio.Event)
    result: dict[str, Any] | None = None
    error: str | None = None


class ClientRequests:
    """Server-to-client requests of one connection, waiting for their responses.

    Runs on the event loop thread only (sync tools reach it through `anyio.from_thread`).
    """

    def __init__(self, send: Callable[[bytes], None]) -> None:
        self._send = send
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._closed = False

    async def request(
        self, method: str, params: dict[str, Any], send: Callable[[bytes], None] | None = None
    ) -> dict[str, Any]:
        """Send a request (on `send`, else the connection's), wait for its result; an error response raises ToolError.

        Cancelled while waiting (the tool call was cancelled or timed out), the request
        is cancelled towards the client too (basic/utilities/cancellation). A sync tool's
        `anyio.from_thread.run(ctx.elicit, ...)` runs in the call's cancel scope, so the same
        holds for it.
        """
        if self._closed:
            raise ToolError(f"The connection is closing: the client cannot answer {method} any more")
        request_id = next(self._ids)
        pending = _Pending(method, send or self._send)
        self._pending[request_id] = pending
        pending.send(jsonrpc.request_message(request_id, method, params))
        try:
            await pending.done.wait()
        except anyio.get_cancelled_exc_class():
            if self._pending.pop(request_id, None) is not None:
                reason = "The tool call that asked was cancelled or timed out"
                pending.send(
                    jsonrpc.notification_message("notifications/cancelled", {"requestId": request_id, "reason": reason})
                )
            raise
        if pending.error is not None:
            raise ToolError(pending.error)
        assert pending.result is not None
        return pending.result

    def resolve(self, message: dict[str, Any]) -> bool:
        """Hand a response to the request waiting for it; False if none is (it is dropped)."""
        request_id = message.get("id")
        if not isinstance(request_id, int) or isinstance(request_id, bool):  # True == 1 as a dict key
            return False  # our ids are ints
        pending = self._pending.pop(request_id, None)
        if pending is None:
            return False
        error = message.get("error")
        result = message.get("result")
        if "error" in message:
            text = error.get("message") if isinstance(error, dict) else None
            code = error.get("code") if isinstance(error, dict) else None
            pending.error = f"The client answered {pending.method} with an error: {text or error!r} (code {code})"
        elif isinstance(result, dict):
            pending.result = result
        else:
            pending.error = f"The client answered {pending.method} with a result that is not an object"
        pending.done.set()
        return True

    def close(self) -> None:
        """The connection is ending: nothing waits for an answer any more, nor asks again."""
        self._closed = True
        for pending in self._pending.values():
            pending.error = f"The connection closed before the client answered {pending.method}"
            pending.done.set()
        self._pending.clear()
