"""Input-required rounds: how a tool, a prompt or a resource asks the client in 2026-07-28,
which has no server-to-client requests (basic/patterns/input-required, SEP-2322).

A call that asks a question it has no answer for ends there with an
`InputRequiredResult`: the question in `inputRequests` and the answers so far in a
sealed `requestState`. The client answers and sends the request again with
`inputResponses` and the `requestState`; the function runs again from its start, each
question it asks gets its recorded answer in order, until it asks a new one or
finishes. So a function's code before its first question runs once per round.
"""

from __future__ import annotations

from typing import Any, Final

from ..errors import InvalidParams, ToolError
from .request_state import Answer, StateSeal

__all__ = ["ROUND_METHODS", "Asked", "Replay", "input_required_result", "replay_for"]

ROUND_METHODS: Final = {"tools/call": "tool", "prompts/get": "prompt", "resources/read": "resource"}
"""The requests whose result may be an `InputRequiredResult` (their params extend
`InputResponseRequestParams`: `inputResponses` and `requestState`), with what each runs."""
# What is left out of the request a state is bound to: the round's own fields, and `_meta`
# (the envelope, a progress token) which a client may change between rounds.
_ROUND_FIELDS: Final = frozenset({"inputResponses", "requestState", "_meta"})


class Asked(BaseException):
    """Raised in a function at a question that has no answer yet: this round ends with it.

    A BaseException, like a cancellation, so that a function's `except Exception` lets it pass.
    """

    def __init__(self, method: str, params: dict[str, Any], answers: list[Answer]) -> None:
        super().__init__(method)
        self.method = method
        self.params = params
        self.answers = answers


def _key(index: int) -> str:
    """The server-assigned key of the call's question number `index` (from 0)."""
    return f"question-{index + 1}"


class Replay:
    """The answers a request got in earlier rounds, handed to its questions in order."""

    def __init__(self, method: str, request: dict[str, Any], answers: list[Answer]) -> None:
        self.method = method
        self.request = request
        """What the sealed state is bound to: the params without the round's own fields."""
        self._answers = answers
        self._next = 0

    def ask(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if self._next >= len(self._answers):
            raise Asked(method, params, self._answers)
        recorded, result = self._answers[self._next]
        if recorded != method:
            kind = ROUND_METHODS[self.method]
            raise ToolError(
                f"This round the {kind} asked {method} where the earlier round asked {recorded}: a {kind} that asks "
                "is run again from its start on each round, so it must ask the same questions in the same order."
            )
        self._next += 1
        return result


def replay_for(seal: StateSeal, method: str, params: dict[str, Any]) -> Replay:
    """The answers a request of `method` (one of ROUND_METHODS) brings: none on a first round,
    else those of its `requestState` and the client's answer to the question asked last.

    The state must have been sealed for this method and the same request (the tool or
    prompt name and arguments, or the resource URI): another one's is -32602.
    """
    request = {key: value for key, value in params.items() if key not in _ROUND_FIELDS}
    state = params.get("requestState")
    if state is None:
        return Replay(method, request, [])
    opened = seal.open(state, method, request)
    responses = params.get("inputResponses")
    if responses is None:
        responses = {}
    if not isinstance(responses, dict):
        raise InvalidParams(f'{method}: "inputResponses" must be an object keyed like the inputRequests')
    key = _key(len(opened.answers))
    answer = responses.get(key)
    if answer is None:  # not answered: the function will ask it again
        return Replay(method, request, opened.answers)
    if not isinstance(answer, dict):
        raise InvalidParams(f'{method}: inputResponses["{key}"] must be the result object of {opened.pending}')
    return Replay(method, request, [*opened.answers, (opened.pending, answer)])


def input_required_result(seal: StateSeal, asked: Asked, replay: Replay) -> dict[str, Any]:
    """The `InputRequiredResult` asking `asked`'s question; a ToolError if the state is too large."""
    return {
        "resultType": "input_required",
        "inputRequests": {_key(len(asked.answers)): {"method": asked.method, "params": asked.params}},
        "requestState": seal.seal(replay.method, replay.request, asked.answers, asked.method),
    }
