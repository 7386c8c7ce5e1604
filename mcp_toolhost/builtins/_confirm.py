"""`confirm_destructive`: the person says yes before a built-in tool destroys data.

Imported on first use (it loads pydantic), only when the setting is on. The file tools
are sync, so they ask through `anyio.from_thread`: they run in an anyio worker thread,
and the question runs in the call's cancel scope (a timeout or cancel ends it).
"""

from __future__ import annotations

import anyio.from_thread
import pydantic

from .._protocol.outgoing import refusal
from .._tools.context import Context
from ..errors import ToolError

__all__ = ["ask_first"]

_NOT_ASKED = "Not confirmed by the user (confirm_destructive is on), as they could not be asked: "


class Confirmation(pydantic.BaseModel):
    # One boolean, ticked: clients render it, and accept alone means yes (client/elicitation,
    # "BooleanSchema" with a default). Accept with it unticked means no.
    confirm: bool = pydantic.Field(default=True, title="Yes, do it")


def ask_first(ctx: Context | None, question: str, untouched: str) -> str:
    """Ask `question`; the note for the result, or a ToolError when the person says no.

    `untouched` says what stays as it was ("nothing was deleted"). A client that cannot
    be asked (it did not declare elicitation, or its revision has none) does not stop
    the tool: it proceeds as without the setting, and the note says so, so that the model
    can tell the person. A question put but not answered (an error response, the
    connection closing) is no consent: nothing is done.

    In 2026-07-28 the question is an input-required round: the tool runs again from its
    start with the answer, so what comes before the question only looks (paths, sizes).
    """
    if ctx is None:
        return _NOT_ASKED + "there was no client to ask."
    cannot = refusal("elicitation/create", {}, ctx.protocol_version, ctx.client_capabilities)
    if cannot is not None:
        return _NOT_ASKED + cannot
    try:
        answer = anyio.from_thread.run(ctx.elicit, question, Confirmation)
    except ToolError as exc:
        raise ToolError(f"The user's confirmation could not be obtained: {untouched}. {exc}") from None
    if answer.action == "accept" and answer.data is not None and answer.data.confirm:
        return "The user confirmed it."
    # An error result, so that the model does not take it as done, nor retry blindly.
    if answer.action == "cancel":
        raise ToolError(f"The user dismissed the question: {untouched}. Do not retry unless they ask for it.")
    raise ToolError(f"The user declined: {untouched}. Do not retry unless they ask for it.")
