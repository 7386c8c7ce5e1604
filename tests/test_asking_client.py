"""Tools asking the client (issue 9, handshake era): roots, elicitation and sampling.

The 2026-07-28 era's input-required rounds are in test_asking_rounds.py; the SDK tests at the end
run in both eras.

Raw JSON-RPC over the real process's pipes, playing the client's part by hand, and the
official SDK's `ClientSession` with its callbacks as an independent client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import FIXTURES, ROOT, McpProcess, executable
from doc_examples import block
from test_asking_rounds import sdk_client

TOOLS = str(FIXTURES / "ask_tools.py")
ALL = {"roots": {"listChanged": True}, "sampling": {}, "elicitation": {"form": {}, "url": {}}}


def start(
    spawn: Callable[..., McpProcess],
    capabilities: dict[str, Any],
    version: str = "2025-11-25",
    tools: str = TOOLS,
) -> McpProcess:
    server = spawn("serve", "--no-builtins", "--tools", tools)
    response = server.request(
        "initialize",
        {"protocolVersion": version, "capabilities": capabilities, "clientInfo": {"name": "pytest", "version": "0"}},
    )
    assert response["result"]["protocolVersion"] == version, response
    server.notify("notifications/initialized")
    if "roots" in capabilities:  # the server asks at once; answer so later reads see only what a test does
        answer(server, next_request(server, "roots/list"), {"roots": []})
    return server


def next_request(server: McpProcess, method: str) -> dict[str, Any]:
    """The next server-to-client request (notifications on the way are kept)."""
    while True:
        message = server.recv()
        if "method" in message and "id" in message:
            assert message["method"] == method, message
            return message
        assert "method" in message, f"expected a request {method}, got {message}"
        server.notifications.append(message)


def answer(server: McpProcess, request: dict[str, Any], result: dict[str, Any]) -> None:
    server.send({"jsonrpc": "2.0", "id": request["id"], "result": result})


def call(server: McpProcess, name: str, request_id: int, arguments: dict[str, Any] | None = None) -> None:
    server.send(
        {
            "jsonrpc": "2.0",
            "id": request_id,
            "method": "tools/call",
            "params": {"name": name, "arguments": arguments or {}},
        }
    )


def text(response: dict[str, Any]) -> str:
    result = response["result"]
    return str(result["content"][0]["text"])


# --- elicitation -----------------------------------------------------------------------


def test_accepted_elicitation_then_sampling(spawn):
    server = start(spawn, ALL)
    call(server, "deploy", 1, {"env": "prod"})
    question = next_request(server, "elicitation/create")
    assert question["params"] == {  # no "mode": a 2025-06-18 client knows none, and "form" is the default
        "message": "Deploy to prod?",
        "requestedSchema": {
            "type": "object",
            "properties": {
                "ok": {"title": "Ok", "type": "boolean"},
                "reason": {"default": "", "title": "Reason", "type": "string"},
            },
            "required": ["ok"],
        },
    }
    answer(server, question, {"action": "accept", "content": {"ok": True}})
    sampling = next_request(server, "sampling/createMessage")
    assert sampling["params"] == {
        "messages": [{"role": "user", "content": {"type": "text", "text": "Summarize the release notes"}}],
        "maxTokens": 200,
    }
    assert sampling["id"] != question["id"]  # the server's own id space
    answer(server, sampling, {"role": "assistant", "content": {"type": "text", "text": "All good"}, "model": "m1",
                              "stopReason": "endTurn"})  # fmt: skip
    response = server.recv_response(1)
    assert text(response) == "All good [m1, endTurn]", response


@pytest.mark.parametrize("action", ["decline", "cancel"])
def test_declined_or_cancelled_elicitation(spawn, action):
    server = start(spawn, ALL)
    call(server, "deploy", 1, {"env": "prod"})
    answer(server, next_request(server, "elicitation/create"), {"action": action})
    assert text(server.recv_response(1)) == f"not deployed ({action})"


def test_an_answer_that_does_not_fit_is_an_error_naming_the_field(spawn):
    server = start(spawn, ALL)
    call(server, "deploy", 1, {"env": "prod"})
    answer(server, next_request(server, "elicitation/create"), {"action": "accept", "content": {"ok": "maybe"}})
    response = server.recv_response(1)
    assert response["result"]["isError"] is True
    assert "field 'ok'" in text(response), response


def test_form_schema_has_enums_multi_select_defaults_and_extras(spawn):
    server = start(spawn, ALL)
    call(server, "preferences", 1)
    question = next_request(server, "elicitation/create")
    properties = question["params"]["requestedSchema"]["properties"]
    assert properties["color"] == {"enum": ["red", "green"], "type": "string", "default": "red"}
    assert properties["size"]["enumNames"] == ["Small", "Medium", "Large"]  # json_schema_extra passes through
    assert properties["size"]["description"] == "Shirt size"
    assert properties["toppings"]["type"] == "array"
    assert properties["toppings"]["items"] == {"enum": ["cheese", "ham"], "type": "string"}
    assert properties["count"] == {"type": "integer", "title": "Count"}  # optional: no null anywhere
    assert "required" not in question["params"]["requestedSchema"]
    answer(server, question, {"action": "accept", "content": {"color": "green", "toppings": ["ham"], "count": 2}})
    assert text(server.recv_response(1)) == (
        "accept: Preferences(color=<Color.GREEN: 'green'>, size='m', toppings=['ham'], count=2)"
    )


def test_several_questions_in_one_call(spawn):
    server = start(spawn, ALL)
    call(server, "two_questions", 1)
    first = next_request(server, "elicitation/create")
    assert first["params"]["requestedSchema"]["properties"]["value"]["type"] == "string"
    answer(server, first, {"action": "accept", "content": {"value": "Ada"}})
    second = next_request(server, "elicitation/create")
    assert second["params"]["message"] == "Age?"
    answer(server, second, {"action": "accept", "content": {"value": 36}})
    assert text(server.recv_response(1)) == "Ada is 36"


def test_a_nested_form_is_refused_before_asking(spawn):
    server = start(spawn, ALL)
    response = server.call("nested")
    assert response["result"]["isError"] is True
    assert "field 'inner' is not a primitive" in text(response)


def test_url_mode_elicitation(spawn):
    server = start(spawn, ALL)
    call(server, "sign_in", 1)
    question = next_request(server, "elicitation/create")
    assert question["params"]["mode"] == "url"
    assert question["params"]["url"] == "https://example.com/login"
    assert question["params"]["elicitationId"]
    answer(server, question, {"action": "accept"})
    assert text(server.recv_response(1)) == "accept"


def test_form_elicitation_in_2025_06_18_with_the_empty_capability(spawn):
    server = start(spawn, {"elicitation": {}}, "2025-06-18")
    call(server, "deploy", 1, {"env": "prod"})
    question = next_request(server, "elicitation/create")
    assert set(question["params"]) == {"message", "requestedSchema"}
    answer(server, question, {"action": "decline"})
    assert text(server.recv_response(1)) == "not deployed (decline)"


def test_elicitation_needs_2025_06_18(spawn):
    server = start(spawn, {"elicitation": {}}, "2025-03-26")
    response = server.call("deploy", {"env": "prod"})
    assert "elicitation (revision 2025-06-18 or later; this session speaks 2025-03-26)" in text(response)


def test_url_mode_needs_2025_11_25(spawn):
    server = start(spawn, ALL, "2025-06-18")
    response = server.call("sign_in")
    assert response["result"]["isError"] is True
    assert "URL-mode elicitation (revision 2025-11-25 or later" in text(response)


def test_a_sync_tool_asks_through_anyio_from_thread(spawn):
    server = start(spawn, ALL)
    call(server, "sync_ask", 1)
    answer(server, next_request(server, "elicitation/create"), {"action": "accept", "content": {"value": True}})
    assert text(server.recv_response(1)) == "accept True"


def test_the_readme_example_runs_as_written(spawn, tmp_path):
    readme = (ROOT / "README.md").read_text()
    (tmp_path / "deploy_tools.py").write_text(block(readme, "python", "# deploy_tools.py"))
    server = start(spawn, ALL, tools=str(tmp_path / "deploy_tools.py"))
    call(server, "deploy", 1, {"env": "staging"})
    answer(server, next_request(server, "elicitation/create"), {"action": "accept", "content": {"ok": True}})
    sampling = next_request(server, "sampling/createMessage")
    answer(server, sampling, {"role": "assistant", "content": {"type": "text", "text": "Notes"}, "model": "m"})
    assert text(server.recv_response(1)) == "Notes"
    call(server, "deploy", 2, {"env": "prod"})
    answer(server, next_request(server, "elicitation/create"), {"action": "accept", "content": {"ok": False}})
    assert text(server.recv_response(2)) == "not deployed"


# --- refusals and failures ------------------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "arguments", "says"),
    [
        ("deploy", {"env": "prod"}, "The client cannot ask the user: it did not declare the elicitation capability"),
        ("roots", {}, "The client cannot list its roots: it did not declare the roots capability"),
        ("sign_in", {}, "did not declare URL-mode elicitation"),
    ],
)
def test_a_client_without_the_capability_gets_an_error_result(spawn, tool, arguments, says):
    server = start(spawn, {"sampling": {}})
    response = server.call(tool, arguments)
    assert response["result"]["isError"] is True
    assert says in text(response), response
    assert server.notifications == []  # nothing was asked


def test_sampling_without_the_capability(spawn):
    server = start(spawn, {"elicitation": {}})
    call(server, "deploy", 1, {"env": "prod"})
    answer(server, next_request(server, "elicitation/create"), {"action": "accept", "content": {"ok": True}})
    response = server.recv_response(1)
    assert "The client cannot sample: it did not declare the sampling capability" in text(response), response


def test_a_client_error_response_becomes_a_tool_error(spawn):
    server = start(spawn, ALL)
    call(server, "deploy", 1, {"env": "prod"})
    question = next_request(server, "elicitation/create")
    server.send({"jsonrpc": "2.0", "id": question["id"], "error": {"code": -1, "message": "User rejected sampling"}})
    response = server.recv_response(1)
    assert response["result"]["isError"] is True
    assert "User rejected sampling" in text(response), response


def test_a_response_to_an_unknown_id_is_dropped(spawn):
    server = start(spawn, {"elicitation": {}})
    call(server, "deploy", 1, {"env": "prod"})
    question = next_request(server, "elicitation/create")
    assert question["id"] == 1  # so that the stray `true` would find it if bools were taken for ints
    for stray in (question["id"] + 1000, "x", True):
        server.send({"jsonrpc": "2.0", "id": stray, "result": {"action": "accept", "content": {"ok": True}}})
    assert server.request("ping")["result"] == {}  # nothing answered the strays; still serving
    answer(server, question, {"action": "decline"})
    assert text(server.recv_response(1)) == "not deployed (decline)"


def test_a_cancelled_call_cancels_its_question_towards_the_client(spawn):
    server = start(spawn, ALL)
    call(server, "patient", 7)
    question = next_request(server, "elicitation/create")
    server.notify("notifications/cancelled", {"requestId": 7})
    cancelled = server.recv()
    assert cancelled["method"] == "notifications/cancelled", cancelled
    assert cancelled["params"]["requestId"] == question["id"]
    answer(server, question, {"action": "accept", "content": {"value": True}})  # too late: dropped
    assert server.request("ping")["result"] == {}  # and no answer to the cancelled call came before


@pytest.mark.parametrize("tool", ["impatient", "sync_impatient"])
def test_a_client_that_never_answers_hits_the_tool_timeout(spawn, tool):
    server = start(spawn, ALL)
    call(server, tool, 1)
    question = next_request(server, "elicitation/create")
    response = server.recv_response(1)
    assert "timed out after 0.5 seconds" in text(response), response
    if not server.notifications:  # the timeout ends both at once: the cancel may follow the answer
        server.notifications.append(server.recv())
    assert server.notifications == [
        {
            "jsonrpc": "2.0",
            "method": "notifications/cancelled",
            "params": {"requestId": question["id"], "reason": "The tool call that asked was cancelled or timed out"},
        }
    ]


def test_a_question_waiting_when_the_client_leaves_ends_its_call_at_once(spawn):
    server = start(spawn, ALL)
    call(server, "patient", 1)
    next_request(server, "elicitation/create")
    server.close_stdin()  # the client can no longer answer: no waiting out the shutdown grace
    response = server.recv_response(1)
    assert "The connection closed before the client answered elicitation/create" in text(response), response
    assert server.wait() == 0


# --- roots ---------------------------------------------------------------------------


def test_roots_are_asked_after_initialized_and_after_list_changed(spawn):
    server = spawn("serve", "--no-builtins", "--tools", TOOLS, "--log-level", "info")
    server.request(
        "initialize",
        {"protocolVersion": "2025-11-25", "capabilities": ALL, "clientInfo": {"name": "t", "version": "0"}},
    )
    server.notify("notifications/initialized")
    first = next_request(server, "roots/list")
    answer(server, first, {"roots": [{"uri": "file:///work/a", "name": "A"}, {"uri": "https://example.com/x"}]})
    server.wait_for_stderr("client roots: file:///work/a")  # only file:// roots count
    server.notify("notifications/roots/list_changed")
    second = next_request(server, "roots/list")
    answer(server, second, {"roots": [{"uri": "file:///work/b"}]})
    server.wait_for_stderr("client roots: file:///work/b")
    call(server, "roots", 1)
    third = next_request(server, "roots/list")
    answer(server, third, {"roots": [{"uri": "file:///work/c"}, {"uri": "git://x"}]})
    assert server.recv_response(1)["result"]["structuredContent"] == {"result": ["file:///work/c"]}


def test_roots_are_not_asked_of_a_client_without_the_capability(spawn):
    server = start(spawn, {})
    assert server.request("ping")["result"] == {}
    assert server.notifications == []


# --- the official SDK client ------------------------------------------------------------


def sdk_session(**callbacks: Any) -> Any:
    """A `ClientSession` (2025-11-25) on the real process serving the ask tools, as one context manager."""
    from contextlib import asynccontextmanager

    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    parameters = StdioServerParameters(command=executable(), args=["serve", "--no-builtins", "--tools", TOOLS])

    @asynccontextmanager
    async def session() -> Any:
        async with stdio_client(parameters) as (read, write), ClientSession(read, write, **callbacks) as opened:
            assert (await opened.initialize()).protocol_version == "2025-11-25"
            yield opened

    return session()


@pytest.mark.anyio
async def test_sdk_client_session_answers_every_kind_of_question(tmp_path):
    from mcp_types import CreateMessageResult, ElicitResult, ListRootsResult, Root, TextContent

    asked: list[str] = []

    async def on_elicit(context, params):
        asked.append(params.message)
        if params.message == "Name?":
            return ElicitResult(action="accept", content={"value": "Ada"})
        if params.message == "Age?":
            return ElicitResult(action="accept", content={"value": 36})
        return ElicitResult(action="accept", content={"ok": True})

    async def on_sample(context, params):
        asked.append(params.messages[0].content.text)
        return CreateMessageResult(
            role="assistant", content=TextContent(type="text", text="Shipped"), model="sdk-model", stop_reason="endTurn"
        )

    async def on_roots(context):
        return ListRootsResult(roots=[Root(uri=tmp_path.as_uri(), name="work")])

    callbacks = {"elicitation_callback": on_elicit, "sampling_callback": on_sample, "list_roots_callback": on_roots}
    async with sdk_session(**callbacks) as session:
        deployed = await session.call_tool("deploy", {"env": "prod"})
        assert deployed.content[0].text == "Shipped [sdk-model, endTurn]"
        two = await session.call_tool("two_questions", {})
        assert two.content[0].text == "Ada is 36"
        roots = await session.call_tool("roots", {})
        assert roots.structured_content == {"result": [tmp_path.as_uri()]}
    assert asked == ["Deploy to prod?", "Summarize the release notes", "Name?", "Age?"]


# Both eras: the SDK's `ClientSession` (2025-11-25) and its `mcp.Client` (2026-07-28 rounds).
ERAS = pytest.mark.parametrize("open_client", [sdk_session, sdk_client], ids=["2025-11-25", "2026-07-28"])


@pytest.mark.anyio
@ERAS
@pytest.mark.parametrize("action", ["decline", "cancel"])
async def test_sdk_clients_decline_or_cancel(open_client, action):
    from mcp_types import ElicitResult

    async def on_elicit(context, params):
        return ElicitResult(action=action)

    async with open_client(elicitation_callback=on_elicit) as client:
        result = await client.call_tool("deploy", {"env": "prod"})
    assert result.content[0].text == f"not deployed ({action})"


@pytest.mark.anyio
async def test_an_sdk_session_without_the_capabilities_gets_error_results():
    async with sdk_session() as client:
        deployed = await client.call_tool("deploy", {"env": "prod"})
        roots = await client.call_tool("roots", {})
    says = "The client cannot ask the user: it did not declare the elicitation capability"
    assert deployed.is_error and says in deployed.content[0].text, deployed
    assert roots.is_error and "it did not declare the roots capability" in roots.content[0].text, roots


@pytest.mark.anyio
@pytest.mark.parametrize(("tool", "required"), [("deploy", {"elicitation": {"form": {}}}), ("roots", {"roots": {}})])
async def test_a_2026_client_without_the_capability_gets_32021_naming_it(tool, required):
    """SEP-2575: a request needing a capability the client did not declare is -32021, not a result."""
    from mcp.shared.exceptions import MCPError

    async with sdk_client() as client:
        with pytest.raises(MCPError) as refused:
            await client.call_tool(tool, {"env": "prod"} if tool == "deploy" else {})
    assert refused.value.error.code == -32021
    assert refused.value.error.data == {"requiredCapabilities": required}
    assert "it did not declare" in refused.value.error.message
