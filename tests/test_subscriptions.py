"""Tool-list changes reach clients: handshake notifications and 2026-07-28 subscription streams."""

import anyio
import pytest

from mcp_toolhost import Tool, ToolHost
from mcp_toolhost.testing import ClientError, connect

pytestmark = pytest.mark.anyio

SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId"
ENVELOPE = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
}


def added() -> str:
    """A tool that appears later."""
    return "here"


def changeable_host() -> ToolHost:
    host = ToolHost()
    host.list_changed = True
    return host


def methods(client) -> list[str]:
    return [n.get("method") for n in client.notifications]


async def test_handshake_clients_are_told_after_initialized():
    host = changeable_host()
    async with connect(host) as client:
        host.add_tool(Tool(added))
        assert methods(client) == ["notifications/tools/list_changed"]
        assert [t["name"] for t in await client.list_tools()] == ["added"]


async def test_subscription_is_acknowledged_then_tagged_and_closed_by_cancel():
    host = changeable_host()
    async with connect(host, initialize=False) as client:
        client.send(
            {
                "jsonrpc": "2.0",
                "id": "sub",
                "method": "subscriptions/listen",
                "params": {"_meta": ENVELOPE, "notifications": {"toolsListChanged": True, "promptsListChanged": True}},
            }
        )
        ack = client.notifications[0]
        assert ack["method"] == "notifications/subscriptions/acknowledged"
        # Honoured: what was asked for (not resourcesListChanged, which was not).
        honoured = {"toolsListChanged": True, "promptsListChanged": True}
        assert ack["params"] == {"notifications": honoured, "_meta": {SUBSCRIPTION_ID: "sub"}}
        host.add_tool(Tool(added))
        change = client.notifications[1]
        assert change == {
            "jsonrpc": "2.0",
            "method": "notifications/tools/list_changed",
            "params": {"_meta": {SUBSCRIPTION_ID: "sub"}},
        }
        client.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "sub"}})
        host.registry.remove("added")
        await anyio.lowlevel.checkpoint()
        assert len(client.notifications) == 2  # nothing after the stream was closed


async def test_subscription_without_tool_changes_is_acknowledged_empty():
    host = ToolHost()  # a tool set that never changes
    async with connect(host, initialize=False) as client:
        client.send(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "subscriptions/listen",
                "params": {"_meta": ENVELOPE, "notifications": {"toolsListChanged": True}},
            }
        )
        assert client.notifications[0]["params"]["notifications"] == {}


async def test_listen_needs_the_envelope():
    async with connect(ToolHost(), initialize=False) as client:
        with pytest.raises(ClientError) as error:
            await client.request("subscriptions/listen", {"notifications": {}})
        assert error.value.code == -32602


async def test_a_batch_of_changes_is_announced_once():
    host = changeable_host()
    async with connect(host) as client:
        with host.registry.batch():
            host.add_tool(Tool(added))
            host.registry.remove("added")
            host.add_tool(Tool(added))
        assert methods(client) == ["notifications/tools/list_changed"]
