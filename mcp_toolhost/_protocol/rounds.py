"""Input-required rounds: how a tool asks the client in 2026-07-28, which has no
server-to-client requests (basic/patterns/input-required, SEP-2322).

A call that asks a question it has no answer for ends there with an
`InputRequiredResult`: the question in `inputRequests` and the answers so far in a
sealed `requestState`. The client answers and sends the call again with
`inputResponses` and the `requestState`; the tool runs again from its start, each
question it asks gets its recorded answer in order, until it asks a new one or
finishes. So a tool's code before its first question runs once per round.
"""

from __future__ import annotations

from typing import Any

from ..errors import InvalidParams, ToolError
from .request_state import Answer, StateSeal

__all__ = ["Asked", "Replay", "input_required_result", "replay_for"]


class Asked(BaseException):
    """Raised in a tool at a question that has no answer yet: this round ends with it.

    A BaseException, like a cancellation, so that a tool's `except Exception` lets it pass.
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
    """The answers a call got in earlier rounds, handed to its questions in order."""

    def __init__(self, answers: list[Answer]) -> None:
        self._answers = answers
        self._next = 0

    def ask(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if self._next >= len(self._answers):
            raise Asked(method, params, self._answers)
        recorded, result = self._answers[self._next]
        if recorded != method:
            raise ToolError(
                f"This round the tool asked {method} where the earlier round asked {recorded}: a tool that asks "
                "is run again from its start on each round, so it must ask the same questions in the same order."
            )
        self._next += 1
        return result


def replay_for(seal: StateSeal, params: dict[str, Any], tool: str, arguments: dict[str, Any]) -> Replay:
    """The answers a `tools/call` brings: none on a first round, else those of its `requestState`
    and the client's answer to the question asked last."""
    state = params.get("requestState")
    if state is None:
        return Replay([])
    opened = seal.open(state, tool, arguments)
    responses = params.get("inputResponses")
    if responses is None:
        responses = {}
    if not isinstance(responses, dict):
        raise InvalidParams('tools/call: "inputResponses" must be an object keyed like the inputRequests')
    key = _key(len(opened.answers))
    answer = responses.get(key)
    if answer is None:  # not answered: the tool will ask it again
        return Replay(opened.answers)
    if not isinstance(answer, dict):
        raise InvalidParams(f'tools/call: inputResponses["{key}"] must be the result object of {opened.pending}')
    return Replay([*opened.answers, (opened.pending, answer)])


def input_required_result(seal: StateSeal, asked: Asked, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """The `InputRequiredResult` asking the client `asked`'s question; a ToolError if the state is too large."""
    return {
        "resultType": "input_required",
        "inputRequests": {_key(len(asked.answers)): {"method": asked.method, "params": asked.params}},
        "requestState": seal.seal(tool, arguments, asked.answers, asked.method),
    }
