"""Input-required rounds: how a tool, a prompt or a resource asks the client in 2026-07-28,
which has no server-to-client requests (basic/patterns/input-required, SEP-2322).

A call that asks a question it has no answer for ends there with an
`InputRequiredResult`: the question (or the questions asked together) in `inputRequests`
and the answers so far in a sealed `requestState`. The client answers and sends the
request again with `inputResponses` and the `requestState`; the function runs again from
its start, each question it asks gets its recorded answer by key (its own, or its place,
`question-N`), until it asks a new one or finishes. So a function's code before its first
question runs once per round.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from .._tools.asking import Unanswered
from ..errors import InvalidParams, ToolError
from .request_state import Answer, StateSeal

__all__ = ["ROUND_METHODS", "Asked", "Question", "Replay", "input_required_result", "replay_for"]

ROUND_METHODS: Final = {"tools/call": "tool", "prompts/get": "prompt", "resources/read": "resource"}
"""The requests whose result may be an `InputRequiredResult` (their params extend
`InputResponseRequestParams`: `inputResponses` and `requestState`), with what each runs."""
# What is left out of the request a state is bound to: the round's own fields, and `_meta`
# (the envelope, a progress token) which a client may change between rounds.
_ROUND_FIELDS: Final = frozenset({"inputResponses", "requestState", "_meta"})


class Asked(Unanswered):
    """Raised in a function at a question that has no answer yet: this round ends with it.

    `questions` holds one question, or several asked together (`Context.ask_together`, or
    tasks of the function's own task group).
    """

    def __init__(self, questions: list[Question], answers: dict[str, Answer]) -> None:
        super().__init__(", ".join(method for _, method, _ in questions))
        self.questions = questions
        self.answers = answers

    def together(self, unanswered: Sequence[Unanswered]) -> Asked:
        """The questions of several `Asked` as one round (their answers so far are the same)."""
        asked = [one for one in unanswered if isinstance(one, Asked)]
        return Asked([question for one in asked for question in one.questions], self.answers)


Question = tuple[str, str, dict[str, Any]]
"""A question's key in `inputRequests`, its method and its params."""


def _key(index: int) -> str:
    """The server-assigned key of the call's question number `index` (from 0)."""
    return f"question-{index + 1}"


class Replay:
    """The answers a request got in earlier rounds, handed to its questions by key."""

    def __init__(self, method: str, request: dict[str, Any], answers: dict[str, Answer]) -> None:
        self.method = method
        self.request = request
        """What the sealed state is bound to: the params without the round's own fields."""
        self._answers = answers
        self._asked = 0

    def ask(self, method: str, params: dict[str, Any], key: str | None = None) -> dict[str, Any]:
        """The recorded answer to this question (its `key`, else its place: `question-N`); raises Asked."""
        key = _key(self._asked) if key is None else key
        self._asked += 1
        if key not in self._answers:
            raise Asked([(key, method, params)], self._answers)
        recorded, result = self._answers[key]
        if recorded != method:
            kind = ROUND_METHODS[self.method]
            raise ToolError(
                f"This round the {kind} asked {method} where the earlier round asked {recorded}: a {kind} that asks "
                "is run again from its start on each round, so it must ask the same questions in the same order."
            )
        return result


def replay_for(seal: StateSeal, method: str, params: dict[str, Any]) -> Replay:
    """The answers a request of `method` (one of ROUND_METHODS) brings: none on a first round,
    else those of its `requestState` and the client's answers to the questions asked last.

    The state must have been sealed for this method and the same request (the tool or
    prompt name and arguments, or the resource URI): another one's is -32602. A question
    left unanswered is asked again; keys the server did not ask are ignored.
    """
    request = {key: value for key, value in params.items() if key not in _ROUND_FIELDS}
    state = params.get("requestState")
    if state is None:
        return Replay(method, request, {})
    opened = seal.open(state, method, request)
    responses = params.get("inputResponses")
    if responses is None:
        responses = {}
    if not isinstance(responses, dict):
        raise InvalidParams(f'{method}: "inputResponses" must be an object keyed like the inputRequests')
    answers = dict(opened.answers)
    for key, pending in opened.pending:
        answer = responses.get(key)
        if answer is None:  # not answered: the function will ask it again
            continue
        if not isinstance(answer, dict):
            raise InvalidParams(f'{method}: inputResponses["{key}"] must be the result object of {pending}')
        answers[key] = (pending, answer)
    return Replay(method, request, answers)


def input_required_result(seal: StateSeal, asked: Asked, replay: Replay) -> dict[str, Any]:
    """The `InputRequiredResult` asking `asked`'s questions; a ToolError if the state is too large."""
    pending = [(key, method) for key, method, _ in asked.questions]
    return {
        "resultType": "input_required",
        "inputRequests": {key: {"method": method, "params": params} for key, method, params in asked.questions},
        "requestState": seal.seal(replay.method, replay.request, asked.answers, pending),
    }
