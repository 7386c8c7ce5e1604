"""Questions named by the tool (`key=`) and asked together (`ctx.ask_together`), in both eras."""

from __future__ import annotations

import pytest
from conftest import FIXTURES
from test_asking_rounds import call

from mcp_toolhost import ToolHost
from mcp_toolhost.testing import connect

TOOLS = str(FIXTURES / "together_tools.py")


def said(text: str) -> dict:
    return {"action": "accept", "content": {"value": text}}


SAMPLED = {"role": "assistant", "content": {"type": "text", "text": "hi"}, "model": "m"}
ROOTS = {"roots": [{"uri": "file:///tmp"}]}


def test_questions_asked_together_share_one_round_under_their_keys(spawn):
    server = spawn("serve", "--no-builtins", "--tools", TOOLS)
    first = call(server, "onboard", {})["result"]
    assert first["resultType"] == "input_required"
    asked = {key: request["method"] for key, request in first["inputRequests"].items()}
    assert asked == {
        "user_name": "elicitation/create",
        "greeting": "sampling/createMessage",
        "question-3": "roots/list",
    }
    # Two answered: the third is asked again, alone.
    partly = {"user_name": said("Ada"), "greeting": SAMPLED, "stray": said("ignored")}
    second = call(server, "onboard", {}, inputResponses=partly, requestState=first["requestState"])["result"]
    assert list(second["inputRequests"]) == ["question-3"]
    third = call(server, "onboard", {}, inputResponses={"question-3": ROOTS}, requestState=second["requestState"])
    assert list(third["result"]["inputRequests"]) == ["question-4"]
    done = call(
        server, "onboard", {}, inputResponses={"question-4": said("blue")}, requestState=third["result"]["requestState"]
    )["result"]
    assert done["content"][0]["text"] == "Ada, hi, 1 roots, blue"


def test_tasks_asking_at_once_share_one_round(spawn):
    server = spawn("serve", "--no-builtins", "--tools", TOOLS)
    first = call(server, "in_tasks", {})["result"]
    assert set(first["inputRequests"]) == {"first", "second"}
    answers = {"first": said("one"), "second": said("two")}
    done = call(server, "in_tasks", {}, inputResponses=answers, requestState=first["requestState"])["result"]
    assert done["content"][0]["text"] == "one two"


@pytest.mark.anyio
@pytest.mark.parametrize("protocol_version", ["2025-11-25", "2026-07-28"])
async def test_the_same_tool_asks_one_question_after_another_or_in_rounds(protocol_version):
    host = ToolHost()
    host.add_module(TOOLS)
    asked: list[str] = []

    async def elicit(params):
        asked.append(params["message"])
        return said({"Name?": "Ada", "Color?": "blue"}[params["message"]])

    async def sample(params):
        asked.append("sample")
        return SAMPLED

    async def roots(params):
        asked.append("roots")
        return ROOTS

    callbacks = {"elicitation_callback": elicit, "sampling_callback": sample, "list_roots_callback": roots}
    async with connect(host, protocol_version=protocol_version, **callbacks) as client:
        result = await client.call_tool("onboard")
    assert result["content"][0]["text"] == "Ada, hi, 1 roots, blue"
    # (In the handshake era the server also lists the roots once the client is initialized.)
    assert asked[-4:] == ["Name?", "sample", "roots", "Color?"], asked
