"""Tools asking the client in 2026-07-28 (issue 9): input-required rounds.

The official SDK's `mcp.Client` in its default 2026-07-28 mode drives the rounds with its
callbacks; raw JSON-RPC over the real process's pipes plays a client that tampers with,
swaps or keeps the `requestState` too long.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest
from conftest import FIXTURES, McpProcess, executable

TOOLS = str(FIXTURES / "ask_tools.py")
ALL = {"roots": {}, "sampling": {}, "elicitation": {"form": {}, "url": {}}}
ENVELOPE = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": ALL,
}
INVALID = {"code": -32602, "message": "Invalid or expired requestState"}


def start(spawn: Callable[..., McpProcess], **env: str) -> McpProcess:
    variables = {f"MCP_TOOLHOST_{name.upper()}": value for name, value in env.items()}
    return spawn("serve", "--no-builtins", "--tools", TOOLS, env=variables)


def call(server: McpProcess, name: str, arguments: dict[str, Any], **params: Any) -> dict[str, Any]:
    return server.request("tools/call", {"name": name, "arguments": arguments, "_meta": ENVELOPE, **params})


# --- raw JSON-RPC ------------------------------------------------------------------------


def test_a_question_is_an_input_required_result_and_the_retry_replays_its_answer(spawn):
    server = start(spawn)
    first = call(server, "deploy", {"env": "prod"})["result"]
    assert first["resultType"] == "input_required"
    # The question is what the handshake era sends as a request (test_asking_client.py), here as data.
    assert list(first["inputRequests"]) == ["question-1"]
    question = first["inputRequests"]["question-1"]
    assert question["method"] == "elicitation/create"
    assert question["params"]["message"] == "Deploy to prod?"
    assert question["params"]["requestedSchema"]["required"] == ["ok"]
    assert first["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == "mcp-toolhost"
    yes = {"question-1": {"action": "accept", "content": {"ok": True}}}
    second = call(server, "deploy", {"env": "prod"}, inputResponses=yes, requestState=first["requestState"])["result"]
    assert second["resultType"] == "input_required"
    assert list(second["inputRequests"]) == ["question-2"]
    assert second["inputRequests"]["question-2"]["method"] == "sampling/createMessage"
    notes = {"question-2": {"role": "assistant", "content": {"type": "text", "text": "Notes"}, "model": "m"}}
    third = call(server, "deploy", {"env": "prod"}, inputResponses=notes, requestState=second["requestState"])
    assert third["result"]["resultType"] == "complete"
    assert third["result"]["content"][0]["text"] == "Notes [m, None]"


def test_a_retry_without_the_answer_asks_again(spawn):
    server = start(spawn)
    first = call(server, "deploy", {"env": "prod"})["result"]
    again = call(server, "deploy", {"env": "prod"}, requestState=first["requestState"])["result"]
    assert again["resultType"] == "input_required"
    assert list(again["inputRequests"]) == ["question-1"]


def test_a_tampered_request_state_is_refused(spawn):
    server = start(spawn)
    state = call(server, "deploy", {"env": "prod"})["result"]["requestState"]
    head, body, mac = state.split(".")
    middle = len(body) // 2  # a character all of whose bits count (the last one's low bits may not)
    flipped = body[:middle] + ("A" if body[middle] != "A" else "B") + body[middle + 1 :]
    for bad in (f"{head}.{flipped}.{mac}", state + "x", "v1..", "garbage", 42, "v1." + state[3:], "v3." + state[3:]):
        response = call(server, "deploy", {"env": "prod"}, requestState=bad)
        assert response["error"] == INVALID, (bad, response)
    assert call(server, "deploy", {"env": "prod"}, requestState=state)["result"]["resultType"] == "input_required"


def test_a_request_state_from_another_process_is_refused(spawn):
    state = call(start(spawn), "deploy", {"env": "prod"})["result"]["requestState"]
    assert call(start(spawn), "deploy", {"env": "prod"}, requestState=state)["error"] == INVALID


def test_processes_sharing_a_configured_key_accept_each_others_state(spawn):
    key = "correct horse battery staple, long enough"
    state = call(start(spawn, request_state_key=key), "deploy", {"env": "prod"})["result"]["requestState"]
    answer = {"question-1": {"action": "decline"}}
    other = start(spawn, request_state_key=key)
    response = call(other, "deploy", {"env": "prod"}, inputResponses=answer, requestState=state)
    assert response["result"]["content"][0]["text"] == "not deployed (decline)"
    assert key not in other.stderr


def test_a_short_configured_key_is_refused_without_showing_it(spawn):
    server = start(spawn, request_state_key="hunter2")
    assert server.wait() != 0
    assert "MCP_TOOLHOST_REQUEST_STATE_KEY: request_state_key: 7 characters, fewer than 32" in server.stderr
    assert "hunter2" not in server.stderr


@pytest.mark.parametrize(
    ("name", "value"), [("request_state_ttl", "0"), ("client_roots_wait", "-1"), ("request_state_max_bytes", "0")]
)
def test_a_setting_for_asking_that_is_not_positive_is_refused(spawn, name, value):
    server = start(spawn, **{name: value})
    assert server.wait() != 0
    says = f"environment variable MCP_TOOLHOST_{name.upper()}: {name}: Input should be greater than 0"
    assert says in server.stderr, server.stderr
    assert server.raw_stdout == []


def test_a_tool_asking_differently_on_a_later_round_is_an_error_result(spawn):
    server = start(spawn)
    first = call(server, "fickle", {})["result"]
    assert first["inputRequests"]["question-1"]["method"] == "elicitation/create"
    answer = {"question-1": {"action": "accept", "content": {"value": True}}}
    response = call(server, "fickle", {}, inputResponses=answer, requestState=first["requestState"])["result"]
    assert response["isError"] is True
    assert (
        "asked sampling/createMessage where the earlier round asked elicitation/create"
        in (response["content"][0]["text"])
    )


@pytest.mark.parametrize(("name", "arguments"), [("deploy", {"env": "staging"}), ("patient", {})])
def test_a_request_state_for_another_call_is_refused(spawn, name, arguments):
    server = start(spawn)
    state = call(server, "deploy", {"env": "prod"})["result"]["requestState"]
    assert call(server, name, arguments, requestState=state)["error"] == INVALID


def test_an_expired_request_state_is_refused(spawn):
    server = start(spawn, request_state_ttl="0.000001")
    state = call(server, "deploy", {"env": "prod"})["result"]["requestState"]
    assert call(server, "deploy", {"env": "prod"}, requestState=state)["error"] == INVALID


def test_a_request_state_over_the_size_limit_is_an_error_result(spawn):
    server = start(spawn, request_state_max_bytes="400")
    first = call(server, "two_questions", {})["result"]
    long_name = {"question-1": {"action": "accept", "content": {"value": secrets.token_hex(400)}}}
    response = call(server, "two_questions", {}, inputResponses=long_name, requestState=first["requestState"])
    assert response["result"]["isError"] is True
    assert "more than request_state_max_bytes (400;" in response["result"]["content"][0]["text"], response
    assert call(server, "deploy", {"env": "x"}, requestState="v1." + "A" * 500 + ".x")["error"] == INVALID


def test_a_request_state_is_bounded_unpacked_too(spawn):
    server = start(spawn, request_state_max_bytes="2000")
    first = call(server, "two_questions", {})["result"]
    compressible = {"question-1": {"action": "accept", "content": {"value": "a" * 100_000}}}
    response = call(server, "two_questions", {}, inputResponses=compressible, requestState=first["requestState"])
    assert response["result"]["isError"] is True, response  # a few hundred bytes packed, 100 kB unpacked
    assert "unpacked 4 times that" in response["result"]["content"][0]["text"], response


def test_an_answer_that_is_not_an_object_is_invalid_params(spawn):
    server = start(spawn)
    state = call(server, "deploy", {"env": "prod"})["result"]["requestState"]
    response = call(server, "deploy", {"env": "prod"}, inputResponses={"question-1": "yes"}, requestState=state)
    assert response["error"]["code"] == -32602
    says = 'inputResponses["question-1"] must be the result object of elicitation/create'
    assert says in response["error"]["message"], response


def test_a_question_asked_in_the_tools_own_task_group_is_a_round_too(spawn):
    server = start(spawn)
    first = call(server, "ask_in_task_group", {})["result"]
    assert first["resultType"] == "input_required", first
    answer = {"question-1": {"action": "accept", "content": {"value": True}}}
    done = call(server, "ask_in_task_group", {}, inputResponses=answer, requestState=first["requestState"])
    assert done["result"]["content"][0]["text"] == "answered [True]", done


def test_a_sync_tool_asks_over_rounds(spawn):
    server = start(spawn)
    first = call(server, "sync_ask", {})["result"]
    answer = {"question-1": {"action": "accept", "content": {"value": True}}}
    response = call(server, "sync_ask", {}, inputResponses=answer, requestState=first["requestState"])
    assert response["result"]["content"][0]["text"] == "accept True"


# --- the official SDK client ------------------------------------------------------------


def sdk_client(**callbacks: Any) -> Any:
    from mcp import Client, StdioServerParameters

    parameters = StdioServerParameters(command=executable(), args=["serve", "--no-builtins", "--tools", TOOLS])
    return Client(parameters, **callbacks)


@pytest.mark.anyio
async def test_sdk_client_answers_every_kind_of_question_over_rounds(tmp_path):
    from mcp_types import CreateMessageResult, ElicitResult, ListRootsResult, Root, TextContent

    asked: list[str] = []

    async def on_elicit(context, params):
        asked.append(params.message)
        content = {"Name?": {"value": "Ada"}, "Age?": {"value": 36}}.get(params.message, {"ok": True})
        return ElicitResult(action="accept", content=content)

    async def on_sample(context, params):
        asked.append(params.messages[0].content.text)
        return CreateMessageResult(
            role="assistant", content=TextContent(type="text", text="Shipped"), model="sdk-model", stop_reason="endTurn"
        )

    async def on_roots(context):
        asked.append("roots")
        return ListRootsResult(roots=[Root(uri=tmp_path.as_uri(), name="work")])

    callbacks = {"elicitation_callback": on_elicit, "sampling_callback": on_sample, "list_roots_callback": on_roots}
    async with sdk_client(**callbacks) as client:
        assert client.protocol_version == "2026-07-28"
        deployed = await client.call_tool("deploy", {"env": "prod"})
        assert deployed.content[0].text == "Shipped [sdk-model, endTurn]"
        two = await client.call_tool("two_questions", {})
        assert two.content[0].text == "Ada is 36"
        roots = await client.call_tool("roots", {})
        assert roots.structured_content == {"result": [tmp_path.as_uri()]}
    # Each question is asked once: earlier answers are replayed, not asked again.
    assert asked == ["Deploy to prod?", "Summarize the release notes", "Name?", "Age?", "roots"]
