"""`serve --reload`: resources and prompts of plugins and `--tools` files come, change and go.

Each step waits for the list_changed notification the client receives (no sleeps).
"""

from __future__ import annotations

import pytest
from test_plugins_reload import _put, _wait_for

RESOURCES_CHANGED = "notifications/resources/list_changed"
PROMPTS_CHANGED = "notifications/prompts/list_changed"
SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId"
MODERN = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
}

V1 = '''
from mcp_toolhost import prompt, resource

@resource("motd://today")
def motd() -> str:
    return "v1"
'''

V2 = '''
from mcp_toolhost import prompt, resource

@resource("motd://today")
def motd() -> str:
    return "v2"

@prompt
def ask(topic: str) -> str:
    """Ask about a topic."""
    return f"Tell me about {topic}"
'''


def _read(server, uri: str) -> dict:
    return server.request("resources/read", {"uri": uri})


@pytest.fixture
def folder(tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    return plugins


def test_plugin_resources_and_prompts_come_change_and_go(spawn, folder):
    server = spawn("serve", "--no-builtins", "--no-entry-points", "--plugins", str(folder), "--reload")
    capabilities = server.initialize()["capabilities"]
    assert capabilities["resources"] == {"subscribe": True, "listChanged": True}
    assert capabilities["prompts"] == {"listChanged": True}

    _put(folder, "motd.py", V1)
    _wait_for(server, RESOURCES_CHANGED)
    assert _read(server, "motd://today")["result"]["contents"][0]["text"] == "v1"

    _put(folder, "motd.py", V2)
    _wait_for(server, PROMPTS_CHANGED)
    _wait_for(server, RESOURCES_CHANGED)
    assert _read(server, "motd://today")["result"]["contents"][0]["text"] == "v2"
    assert [p["name"] for p in server.request("prompts/list")["result"]["prompts"]] == ["ask"]

    server.notifications.clear()
    (folder / "motd.py").unlink()
    _wait_for(server, PROMPTS_CHANGED)
    _wait_for(server, RESOURCES_CHANGED)
    assert _read(server, "motd://today")["error"]["code"] == -32002
    assert server.request("prompts/list")["result"]["prompts"] == []


def test_a_tools_file_edit_is_told_on_a_2026_subscription_stream(spawn, tmp_path):
    tools = tmp_path / "motd.py"
    tools.write_text(V1)
    server = spawn("serve", "--no-builtins", "--tools", str(tools), "--reload")
    wanted = {"resourcesListChanged": True, "promptsListChanged": True}
    server.send(
        {
            "jsonrpc": "2.0",
            "id": "sub",
            "method": "subscriptions/listen",
            "params": {"_meta": MODERN, "notifications": wanted},
        }
    )
    ack = _wait_for(server, "notifications/subscriptions/acknowledged")
    assert ack["params"]["notifications"] == wanted

    _put(tmp_path, "motd.py", V2)
    change = _wait_for(server, PROMPTS_CHANGED)
    assert change["params"] == {"_meta": {SUBSCRIPTION_ID: "sub"}}
    assert _wait_for(server, RESOURCES_CHANGED)["params"] == {"_meta": {SUBSCRIPTION_ID: "sub"}}
    result = server.request("prompts/get", {"name": "ask", "arguments": {"topic": "tea"}, "_meta": MODERN})["result"]
    assert result["messages"][0]["content"]["text"] == "Tell me about tea"
