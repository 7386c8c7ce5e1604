"""Prompts and resources asking the client (issue 9), in both eras.

2026-07-28: `prompts/get` and `resources/read` get the input-required rounds of `tools/call`
(test_asking_rounds.py), their `requestState` bound to the method and the request. The
handshake era: server-to-client requests, as for tools (test_asking_client.py).
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from conftest import McpProcess
from test_asking_client import answer, next_request
from test_asking_client import start as start_handshake
from test_asking_rounds import ALL, ENVELOPE, INVALID, sdk_client, start

YES = {"question-1": {"action": "accept", "content": {"ok": True}}}
NOTES = {"question-2": {"role": "assistant", "content": {"type": "text", "text": "v2 is out"}, "model": "m"}}


def get(server: McpProcess, name: str, arguments: dict[str, Any], **params: Any) -> dict[str, Any]:
    return server.request("prompts/get", {"name": name, "arguments": arguments, "_meta": ENVELOPE, **params})


def read(server: McpProcess, uri: str, **params: Any) -> dict[str, Any]:
    return server.request("resources/read", {"uri": uri, "_meta": ENVELOPE, **params})


# --- 2026-07-28: input-required rounds -------------------------------------------------


def test_a_prompt_asks_over_rounds(spawn):
    server = start(spawn)
    first = get(server, "deploy", {"env": "prod"})["result"]
    assert first["resultType"] == "input_required"
    assert first["inputRequests"]["question-1"]["method"] == "elicitation/create"
    assert first["inputRequests"]["question-1"]["params"]["message"] == "Deploy to prod?"
    second = get(server, "deploy", {"env": "prod"}, inputResponses=YES, requestState=first["requestState"])["result"]
    assert second["inputRequests"]["question-2"]["method"] == "sampling/createMessage"
    done = get(server, "deploy", {"env": "prod"}, inputResponses=NOTES, requestState=second["requestState"])
    assert done["result"]["resultType"] == "complete"
    assert done["result"]["messages"] == [
        {"role": "user", "content": {"type": "text", "text": "Announce the deployment to prod: v2 is out"}}
    ]


def test_a_resource_asks_over_rounds_without_cache_hints_on_the_question(spawn, tmp_path):
    server = start(spawn)
    first = read(server, "ask://weather")["result"]
    assert first["resultType"] == "input_required"
    assert set(first) == {"resultType", "inputRequests", "requestState", "_meta"}  # no ttl hints on a question
    yes = {"question-1": {"action": "accept", "content": {"value": True}}}
    second = read(server, "ask://weather", inputResponses=yes, requestState=first["requestState"])["result"]
    assert second["inputRequests"] == {"question-2": {"method": "roots/list", "params": {}}}
    roots = {"question-2": {"roots": [{"uri": tmp_path.as_uri()}]}}
    done = read(server, "ask://weather", inputResponses=roots, requestState=second["requestState"])["result"]
    text = f"weather: accept True ['{tmp_path.as_uri()}']"
    assert done["contents"] == [{"uri": "ask://weather", "mimeType": "text/plain", "text": text}]


def test_a_state_is_accepted_only_for_the_method_and_request_it_was_sealed_for(spawn):
    server = start(spawn)
    tool_state = server.request("tools/call", {"name": "deploy", "arguments": {"env": "prod"}, "_meta": ENVELOPE})[
        "result"
    ]["requestState"]
    prompt_state = get(server, "deploy", {"env": "prod"})["result"]["requestState"]
    resource_state = read(server, "ask://weather")["result"]["requestState"]
    # The same name and arguments, another method: refused both ways.
    assert get(server, "deploy", {"env": "prod"}, requestState=tool_state)["error"] == INVALID
    tool_call = {"name": "deploy", "arguments": {"env": "prod"}, "_meta": ENVELOPE, "requestState": prompt_state}
    assert server.request("tools/call", tool_call)["error"] == INVALID
    # Other arguments, another URI.
    assert get(server, "deploy", {"env": "staging"}, requestState=prompt_state)["error"] == INVALID
    assert read(server, "ask://news", requestState=resource_state)["error"] == INVALID
    assert read(server, "ask://weather", requestState=prompt_state)["error"] == INVALID
    # Each with its own: asked again (no answer given).
    assert get(server, "deploy", {"env": "prod"}, requestState=prompt_state)["result"]["resultType"] == "input_required"
    assert read(server, "ask://weather", requestState=resource_state)["result"]["resultType"] == "input_required"


def test_a_tampered_state_and_a_bad_answer_are_invalid_params(spawn):
    server = start(spawn)
    state = get(server, "deploy", {"env": "prod"})["result"]["requestState"]
    assert get(server, "deploy", {"env": "prod"}, requestState=state + "x")["error"] == INVALID
    bad = get(server, "deploy", {"env": "prod"}, inputResponses=[], requestState=state)["error"]
    assert bad["code"] == -32602
    assert bad["message"] == 'prompts/get: "inputResponses" must be an object keyed like the inputRequests'


def test_a_state_too_large_for_a_prompt_is_an_internal_error_saying_what_to_do(spawn):
    server = start(spawn, request_state_max_bytes="300")
    first = get(server, "deploy", {"env": "prod"})["result"]
    long = {"question-1": {"action": "accept", "content": {"ok": True, "reason": secrets.token_hex(400)}}}
    error = get(server, "deploy", {"env": "prod"}, inputResponses=long, requestState=first["requestState"])["error"]
    assert error["code"] == -32603
    assert "more than request_state_max_bytes (300;" in error["message"], error
    assert server.request("ping")["result"] == {}


def test_a_client_without_the_capability_gets_an_error_saying_so(spawn):
    server = start(spawn)
    meta = {**ENVELOPE, "io.modelcontextprotocol/clientCapabilities": {}}
    error = server.request("prompts/get", {"name": "deploy", "arguments": {"env": "prod"}, "_meta": meta})["error"]
    assert error["code"] == -32021  # SEP-2575: MissingRequiredClientCapabilityError
    assert error["data"] == {"requiredCapabilities": {"elicitation": {"form": {}}}}
    assert "did not declare the elicitation capability" in error["message"], error


@pytest.mark.anyio
async def test_the_sdk_client_drives_the_rounds_of_prompts_and_resources(tmp_path):
    from mcp_types import CreateMessageResult, ElicitResult, ListRootsResult, Root, TextContent

    asked: list[str] = []

    async def on_elicit(context, params):
        asked.append(params.message)
        return ElicitResult(
            action="accept", content={"Show weather?": {"value": True}}.get(params.message, {"ok": True})
        )

    async def on_sample(context, params):
        asked.append("sample")
        return CreateMessageResult(role="assistant", content=TextContent(type="text", text="v2"), model="m")

    async def on_roots(context):
        asked.append("roots")
        return ListRootsResult(roots=[Root(uri=tmp_path.as_uri())])

    callbacks = {"elicitation_callback": on_elicit, "sampling_callback": on_sample, "list_roots_callback": on_roots}
    async with sdk_client(**callbacks) as client:
        assert client.protocol_version == "2026-07-28"
        prompt = await client.get_prompt("deploy", {"env": "prod"})
        assert prompt.messages[0].content.text == "Announce the deployment to prod: v2"
        resource = await client.read_resource("ask://weather")
        assert resource.contents[0].text == f"weather: accept True ['{tmp_path.as_uri()}']"
    assert asked == ["Deploy to prod?", "sample", "Show weather?", "roots"]


# --- the handshake era: requests to the client -----------------------------------------


def test_a_prompt_and_a_resource_ask_the_handshake_client_by_requests(spawn, tmp_path):
    server = start_handshake(spawn, ALL)
    server.send(
        {"jsonrpc": "2.0", "id": 1, "method": "prompts/get", "params": {"name": "deploy", "arguments": {"env": "qa"}}}
    )
    question = next_request(server, "elicitation/create")
    assert question["params"]["message"] == "Deploy to qa?"
    answer(server, question, {"action": "decline"})
    assert server.recv_response(1)["result"]["messages"][0]["content"]["text"] == "Do not deploy to qa (decline)."
    server.send({"jsonrpc": "2.0", "id": 2, "method": "resources/read", "params": {"uri": "ask://news"}})
    answer(server, next_request(server, "elicitation/create"), {"action": "accept", "content": {"value": False}})
    answer(server, next_request(server, "roots/list"), {"roots": [{"uri": tmp_path.as_uri()}]})
    (contents,) = server.recv_response(2)["result"]["contents"]
    assert contents["text"] == f"news: accept False ['{tmp_path.as_uri()}']"


def test_a_handshake_client_without_the_capability_gets_an_error_saying_so(spawn):
    server = start_handshake(spawn, {})
    error = server.request("prompts/get", {"name": "deploy", "arguments": {"env": "qa"}})["error"]
    assert error["code"] == -32602
    assert "did not declare the elicitation capability" in error["message"], error
