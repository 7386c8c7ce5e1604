"""The in-process client (`mcp_toolhost.testing`) answers tools that ask, through callbacks given to
`connect`, as the official SDK client takes them (issue 9)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import FIXTURES

from mcp_toolhost import ToolHost
from mcp_toolhost.testing import ClientError, connect

pytestmark = pytest.mark.anyio
ERAS = pytest.mark.parametrize("protocol_version", ["2025-11-25", "2026-07-28"])


def ask_host() -> ToolHost:
    host = ToolHost()
    host.add_module(str(FIXTURES / "ask_tools.py"))
    return host


def text(result: dict[str, Any]) -> str:
    return str(result["content"][0]["text"])


async def test_callbacks_answer_elicitation_sampling_and_roots():
    asked: list[tuple[str, Any]] = []

    async def on_elicit(params: dict[str, Any]) -> dict[str, Any]:
        asked.append(("elicit", params["message"]))
        return {"action": "accept", "content": {"ok": True}}

    async def on_sample(params: dict[str, Any]) -> dict[str, Any]:
        asked.append(("sample", params["maxTokens"]))
        return {"role": "assistant", "content": {"type": "text", "text": "Shipped"}, "model": "m"}

    async def on_roots(params: dict[str, Any]) -> dict[str, Any]:
        asked.append(("roots", params))
        return {"roots": [{"uri": "file:///work", "name": "work"}]}

    callbacks = {"elicitation_callback": on_elicit, "sampling_callback": on_sample, "list_roots_callback": on_roots}
    async with connect(ask_host(), **callbacks) as client:
        declared = {"elicitation": {"form": {}, "url": {}}, "sampling": {}, "roots": {"listChanged": True}}
        assert client.capabilities == declared
        assert text(await client.call_tool("deploy", {"env": "prod"})) == "Shipped [m, None]"
        roots = await client.call_tool("roots")
        assert roots["structuredContent"] == {"result": ["file:///work"]}, roots
    # roots/list is asked once after `initialized` (the server's own question), then by the tool.
    assert asked == [("roots", {}), ("elicit", "Deploy to prod?"), ("sample", 200), ("roots", {})], asked
    assert client.notifications == []  # the answered requests are not kept as notifications


async def test_in_2026_07_28_call_tool_answers_the_rounds_with_the_callbacks():
    asked: list[str] = []

    async def on_elicit(params: dict[str, Any]) -> dict[str, Any]:
        asked.append(params["message"])
        return {"action": "accept", "content": {"value": {"Name?": "Ada", "Age?": 36}[params["message"]]}}

    async def on_roots(params: dict[str, Any]) -> dict[str, Any]:
        asked.append("roots")
        return {"roots": [{"uri": "file:///work"}]}

    callbacks = {"elicitation_callback": on_elicit, "list_roots_callback": on_roots}
    async with connect(ask_host(), protocol_version="2026-07-28", **callbacks) as client:
        assert text(await client.call_tool("two_questions")) == "Ada is 36"
        roots = await client.call_tool("roots")
        assert roots["resultType"] == "complete" and roots["structuredContent"] == {"result": ["file:///work"]}
    assert asked == ["Name?", "Age?", "roots"]  # each asked once: earlier answers are replayed
    assert client.notifications == []


@ERAS
async def test_a_declined_question_reaches_the_tool(protocol_version):
    async def decline(params: dict[str, Any]) -> dict[str, Any]:
        return {"action": "decline"}

    async with connect(ask_host(), protocol_version=protocol_version, elicitation_callback=decline) as client:
        assert text(await client.call_tool("deploy", {"env": "prod"})) == "not deployed (decline)"


async def test_a_callback_that_raises_is_an_error_response_the_tool_reports():
    async def broken(params: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("no person at the keyboard")

    async with connect(ask_host(), elicitation_callback=broken) as client:
        result = await client.call_tool("deploy", {"env": "prod"})
    assert result["isError"] is True
    says = "The client answered elicitation/create with an error: 'no person at the keyboard' (code -32603)"
    assert text(result) == says, result


async def test_in_2026_07_28_a_callback_that_raises_fails_the_call_tool_that_asked():
    async def broken(params: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("no person at the keyboard")

    async with connect(ask_host(), protocol_version="2026-07-28", elicitation_callback=broken) as client:
        with pytest.raises(RuntimeError, match="no person at the keyboard"):
            await client.call_tool("deploy", {"env": "prod"})


async def test_without_callbacks_the_client_declares_nothing_and_the_tool_is_told():
    async with connect(ask_host()) as client:
        assert client.capabilities == {}
        result = await client.call_tool("deploy", {"env": "prod"})
    assert result["isError"] is True
    assert "did not declare the elicitation capability" in text(result), result


async def test_without_callbacks_a_2026_call_that_asks_is_32021():
    async with connect(ask_host(), protocol_version="2026-07-28") as client:
        with pytest.raises(ClientError, match="did not declare the elicitation capability") as refused:
            await client.call_tool("deploy", {"env": "prod"})
    assert refused.value.code == -32021 and refused.value.data == {
        "requiredCapabilities": {"elicitation": {"form": {}}}
    }


async def test_an_error_in_the_block_comes_out_as_itself_not_in_an_exception_group():
    async def yes(params: dict[str, Any]) -> dict[str, Any]:
        return {"action": "accept", "content": {"ok": True}}

    with pytest.raises(AssertionError, match="the test's own"):
        async with connect(ask_host(), elicitation_callback=yes):
            raise AssertionError("the test's own")


@ERAS
async def test_a_prompt_and_a_resource_that_ask_are_answered_by_the_callbacks(protocol_version):
    async def on_elicit(params: dict[str, Any]) -> dict[str, Any]:
        return {"action": "accept", "content": {"ok": True} if "Deploy" in params["message"] else {"value": True}}

    async def on_sample(params: dict[str, Any]) -> dict[str, Any]:
        return {"role": "assistant", "content": {"type": "text", "text": "v2"}, "model": "m"}

    async def on_roots(params: dict[str, Any]) -> dict[str, Any]:
        return {"roots": [{"uri": "file:///work"}]}

    callbacks = {"elicitation_callback": on_elicit, "sampling_callback": on_sample, "list_roots_callback": on_roots}
    async with connect(ask_host(), protocol_version=protocol_version, **callbacks) as client:
        prompt = await client.get_prompt("deploy", {"env": "prod"})
        assert prompt["messages"][0]["content"]["text"] == "Announce the deployment to prod: v2"
        resource = await client.read_resource("ask://weather")
        assert resource["contents"][0]["text"] == "weather: accept True ['file:///work']"
