"""The files under the roots as resources, toolhost://tools, subscriptions and the built-in prompts,
through the real process in both protocol eras."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, McpProcess
from test_plugins_reload import _put, _wait_for

ENVELOPE = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
}
SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId"
UPDATED = "notifications/resources/updated"


def uri(path: Path) -> str:
    return path.as_uri()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A root holding text, a binary file, a name with a space and non-ASCII letters, and symlinks out."""
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "notes.txt").write_text("one\ntwo\n")
    (root / "sub" / "pixel.bin").write_bytes(b"\x89PNG\x00\x01")
    (root / "sub" / "caf\u00e9 menu.md").write_text("# menu\n")
    (tmp_path / "secret.txt").write_text("top secret")
    (root / "link_out").symlink_to(tmp_path / "secret.txt")
    (root / "folder_out").symlink_to(tmp_path, target_is_directory=True)
    return root


def started(spawn: Any, root: Path, *args: str, version: str | None = "2025-11-25", **env: str) -> McpProcess:
    server: McpProcess = spawn("serve", "--root", str(root), "--builtins", "files", *args, env=env or None)
    if version is not None:
        server.initialize(version)
    return server


def ok(response: dict[str, Any]) -> Any:
    assert "result" in response, response
    return response["result"]


def read(server: McpProcess, target: str, stateless: bool = False) -> dict[str, Any]:
    params: dict[str, Any] = {"uri": target}
    if stateless:
        params["_meta"] = ENVELOPE
    return server.request("resources/read", params)


def next_update(server: McpProcess) -> dict[str, Any]:
    return _wait_for(server, UPDATED)


# --- Listing and reading ---------------------------------------------------------------


def test_every_file_under_the_root_is_listed_page_by_page_symlinks_skipped(spawn, tree):
    server = started(spawn, tree, MCP_TOOLHOST_PAGE_SIZE="2")
    listed: list[dict[str, Any]] = []
    params: dict[str, Any] = {}
    while True:
        result = ok(server.request("resources/list", params))
        assert len(result["resources"]) <= 2
        listed += result["resources"]
        if "nextCursor" not in result:
            break
        params = {"cursor": result["nextCursor"]}
    files = [entry for entry in listed if entry["uri"].startswith("file:")]
    expected = [tree / "notes.txt", tree / "sub" / "caf\u00e9 menu.md", tree / "sub" / "pixel.bin"]
    assert [entry["uri"] for entry in files] == [uri(path) for path in expected]
    assert "caf%C3%A9%20menu.md" in files[1]["uri"]
    assert files[0] == {
        "uri": uri(tree / "notes.txt"),
        "name": "notes.txt",
        "description": str(tree / "notes.txt"),
        "mimeType": "text/plain",
        "size": 8,
    }
    assert "toolhost://tools" in [entry["uri"] for entry in listed]
    bad = server.request("resources/list", {"cursor": "not-a-cursor"})
    assert bad["error"]["code"] == -32602, bad


def test_the_listing_stops_at_max_listed_files(spawn, tree):
    server = started(spawn, tree, MCP_TOOLHOST_MAX_LISTED_FILES="1")
    files = [r for r in ok(server.request("resources/list"))["resources"] if r["uri"].startswith("file:")]
    assert [r["name"] for r in files] == ["notes.txt"]
    assert ok(read(server, uri(tree / "sub" / "pixel.bin")))["contents"]  # an unlisted file is still read


def test_text_and_blob_are_told_apart_by_content(spawn, tree):
    server = started(spawn, tree)
    (text,) = ok(read(server, uri(tree / "notes.txt")))["contents"]
    assert text == {"uri": uri(tree / "notes.txt"), "text": "one\ntwo\n", "mimeType": "text/plain"}
    (blob,) = ok(read(server, uri(tree / "sub" / "pixel.bin")))["contents"]
    assert base64.b64decode(blob["blob"]) == b"\x89PNG\x00\x01" and "text" not in blob, blob
    (menu,) = ok(read(server, uri(tree / "sub" / "caf\u00e9 menu.md")))["contents"]
    assert (menu["text"], menu["mimeType"]) == ("# menu\n", "text/markdown")
    localhost = uri(tree / "notes.txt").replace("file://", "file://localhost")
    assert ok(read(server, localhost))["contents"][0]["text"] == "one\ntwo\n"


@pytest.mark.parametrize("stateless", [False, True], ids=["handshake", "2026-07-28"])
def test_uris_outside_the_roots_are_refused_and_never_read(spawn, tree, stateless):
    server = started(spawn, tree, version=None if stateless else "2025-11-25")
    outside = tree.parent / "secret.txt"
    for target, why in [
        (uri(outside), "outside the allowed directories"),
        (uri(tree / "link_out"), "resolves to"),
        (uri(tree / "folder_out" / "secret.txt"), "outside the allowed directories"),
        (uri(tree) + "/../secret.txt", "outside the allowed directories"),
        ("file://elsewhere.example" + str(outside), "another host"),
    ]:
        response = read(server, target, stateless)
        assert response["error"]["code"] == -32602, (target, response)
        assert why in response["error"]["message"], response
        assert "top secret" not in json.dumps(response)
    missing = read(server, uri(tree / "gone.txt"), stateless)
    assert missing["error"]["code"] == (-32602 if stateless else -32002), missing


def test_the_file_template_completes_paths_under_the_roots(spawn, tree):
    server = started(spawn, tree)
    templates = ok(server.request("resources/templates/list"))["resourceTemplates"]
    assert "file:///{path}" in [t["uriTemplate"] for t in templates]
    ref = {"type": "ref/resource", "uri": "file:///{path}"}

    def complete(value: str) -> dict[str, Any]:
        params = {"ref": ref, "argument": {"name": "path", "value": value}}
        result: dict[str, Any] = ok(server.request("completion/complete", params))["completion"]
        return result

    inside = str(tree).lstrip("/")
    assert complete(inside + "/")["values"] == [f"{inside}/notes.txt", f"{inside}/sub/"]  # the symlinks lead out
    assert complete(inside + "/sub/c")["values"] == [f"{inside}/sub/caf\u00e9 menu.md"]
    assert complete(str(tree.parent).lstrip("/") + "/")["values"] == [f"{inside}/"]  # only the root, not secret.txt
    for number in range(105):
        (tree / "sub" / f"f{number:03}").touch()
    many = complete(inside + "/sub/f")
    assert (len(many["values"]), many["total"], many["hasMore"]) == (100, 105, True)


# --- toolhost://tools ------------------------------------------------------------------


def test_toolhost_tools_is_the_live_registry_as_json(spawn, tree):
    server = started(spawn, tree, "--tools", str(FIXTURES / "core_tools.py"))
    (contents,) = ok(read(server, "toolhost://tools"))["contents"]
    assert contents["mimeType"] == "application/json"
    tools = {tool["name"]: tool for tool in json.loads(contents["text"])["tools"]}
    assert tools["add"]["title"] == "Add numbers"
    assert tools["add"]["source"] == str(FIXTURES / "core_tools.py")
    assert tools["add"]["annotations"]["readOnlyHint"] is True
    assert tools["add"]["inputSchema"]["properties"]["b"]["description"] == "The second addend"
    assert tools["read_file"]["source"] == "built-in files"
    assert set(tools) == {tool["name"] for tool in server.list_tools()}


# --- Subscriptions ---------------------------------------------------------------------


@pytest.mark.parametrize("polling", ["false", "true"], ids=["os-events", "polling"])
def test_a_subscribed_file_change_is_notified_until_unsubscribed(spawn, tree, polling):
    server = started(spawn, tree, MCP_TOOLHOST_RELOAD_POLLING=polling)
    capabilities = server.initialize()["capabilities"]
    assert capabilities["resources"]["subscribe"] is True
    notes, menu = tree / "notes.txt", tree / "sub" / "caf\u00e9 menu.md"
    assert ok(server.request("resources/subscribe", {"uri": uri(notes)})) == {}
    assert ok(server.request("resources/subscribe", {"uri": uri(menu)})) == {}
    notes.write_text("three\n")  # answered once watched: a change right after is seen
    assert next_update(server)["params"] == {"uri": uri(notes)}
    assert ok(server.request("resources/unsubscribe", {"uri": uri(notes)})) == {}
    notes.write_text("four\n")  # no longer subscribed
    menu.write_text("# new menu\n")
    assert next_update(server)["params"] == {"uri": uri(menu)}  # and nothing about notes before it
    assert ok(server.request("resources/unsubscribe", {"uri": uri(notes)})) == {}  # twice is fine


def test_subscribing_outside_the_roots_or_to_nothing_is_refused(spawn, tree):
    server = started(spawn, tree)
    refused = server.request("resources/subscribe", {"uri": uri(tree / "link_out")})
    assert refused["error"]["code"] == -32602 and "outside the allowed" in refused["error"]["message"], refused
    unknown = server.request("resources/subscribe", {"uri": "nothing://here"})
    assert unknown["error"]["code"] == -32002, unknown
    removed = server.request("resources/subscribe", {"_meta": ENVELOPE, "uri": uri(tree / "notes.txt")})
    assert removed["error"]["code"] == -32601, removed  # 2026-07-28 subscribes on subscriptions/listen


def test_a_2026_stream_acknowledges_what_it_watches_and_stops_when_closed(spawn, tree):
    server = started(spawn, tree, version=None)
    notes = tree / "notes.txt"
    wanted = [uri(notes), uri(tree / "link_out"), "nothing://here"]
    server.send(
        {
            "jsonrpc": "2.0",
            "id": "stream",
            "method": "subscriptions/listen",
            "params": {"_meta": ENVELOPE, "notifications": {"resourceSubscriptions": wanted}},
        }
    )
    ack = server.recv()
    assert ack["method"] == "notifications/subscriptions/acknowledged", ack
    assert ack["params"] == {
        "notifications": {"resourceSubscriptions": [uri(notes)]},
        "_meta": {SUBSCRIPTION_ID: "stream"},
    }
    notes.write_text("changed\n")
    assert next_update(server)["params"] == {"uri": uri(notes), "_meta": {SUBSCRIPTION_ID: "stream"}}
    server.notify("notifications/cancelled", {"requestId": "stream"})
    notes.write_text("changed again\n")
    assert ok(server.request("ping")) == {}  # handshake era from here on: ping needs no envelope
    server.initialize()
    probe = server.request("resources/subscribe", {"uri": uri(tree / "sub" / "pixel.bin")})
    assert ok(probe) == {}
    (tree / "sub" / "pixel.bin").write_bytes(b"new")
    assert next_update(server)["params"] == {"uri": uri(tree / "sub" / "pixel.bin")}  # none for the closed stream


# --- Built-in prompts ------------------------------------------------------------------


def test_summarize_file_attaches_the_file(spawn, tree):
    server = started(spawn, tree)
    prompts = {p["name"]: p for p in ok(server.request("prompts/list"))["prompts"]}
    assert [a["name"] for a in prompts["review_diff"]["arguments"]] == ["path", "new_content"]
    messages = ok(server.request("prompts/get", {"name": "summarize_file", "arguments": {"path": "notes.txt"}}))[
        "messages"
    ]
    assert "Summarize the file" in messages[0]["content"]["text"]
    assert messages[1]["content"] == {
        "type": "resource",
        "resource": {"uri": uri(tree / "notes.txt"), "mimeType": "text/plain", "text": "one\ntwo\n"},
    }
    refused = server.request("prompts/get", {"name": "summarize_file", "arguments": {"path": str(tree / "link_out")}})
    # A refused argument is invalid params (server/prompts, "Error Handling"), not an internal error.
    assert refused["error"]["code"] == -32602, refused
    assert refused["error"]["message"].startswith("Prompt 'summarize_file': "), refused
    assert "outside the allowed directories" in refused["error"]["message"], refused
    assert "top secret" not in json.dumps(refused)


def test_review_diff_shows_the_change_as_a_unified_diff(spawn, tree):
    server = started(spawn, tree)
    arguments = {"path": "notes.txt", "new_content": "one\n2\n"}
    (message,) = ok(server.request("prompts/get", {"name": "review_diff", "arguments": arguments}))["messages"]
    text = message["content"]["text"]
    assert "--- a/notes.txt\n+++ b/notes.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+2\n" in text, text
    assert (tree / "notes.txt").read_text() == "one\ntwo\n"  # a prompt changes nothing
    new = ok(
        server.request("prompts/get", {"name": "review_diff", "arguments": {"path": "new.txt", "new_content": "x\n"}})
    )
    assert "+x\n" in new["messages"][0]["content"]["text"]
    same = server.request(
        "prompts/get", {"name": "review_diff", "arguments": {"path": "notes.txt", "new_content": "one\ntwo\n"}}
    )
    assert same["error"]["code"] == -32602, same
    assert "no change to review" in same["error"]["message"], same


def test_prompt_paths_complete_under_the_roots(spawn, tree):
    server = started(spawn, tree)
    params = {
        "ref": {"type": "ref/prompt", "name": "summarize_file"},
        "argument": {"name": "path", "value": f"{tree}/n"},
    }
    assert ok(server.request("completion/complete", params))["completion"]["values"] == [f"{tree}/notes.txt"]


# --- The client's roots ----------------------------------------------------------------


def test_the_clients_roots_narrow_the_files_listed_read_and_subscribed(spawn, tree):
    from test_asking_client import answer, next_request

    server = started(spawn, tree, version=None)
    opened = server.request(
        "initialize",
        {"protocolVersion": "2025-11-25", "capabilities": {"roots": {}}, "clientInfo": {"name": "t", "version": "0"}},
    )
    assert "result" in opened, opened
    server.notify("notifications/initialized")
    answer(server, next_request(server, "roots/list"), {"roots": [{"uri": uri(tree / "sub")}]})
    files = [r["uri"] for r in ok(server.request("resources/list"))["resources"] if r["uri"].startswith("file:")]
    assert files == [uri(tree / "sub" / "caf\u00e9 menu.md"), uri(tree / "sub" / "pixel.bin")]
    refused = read(server, uri(tree / "notes.txt"))  # inside --root, outside the client's root
    assert "outside the allowed directories" in refused["error"]["message"], refused
    subscribed = server.request("resources/subscribe", {"uri": uri(tree / "notes.txt")})
    assert subscribed["error"]["code"] == -32602, subscribed


@pytest.mark.parametrize("method", ["prompts/get", "resources/read"])
def test_a_2026_client_declaring_roots_is_asked_for_them_by_round(spawn, tree, method):
    """As a file tool is (issue 9): the client's roots narrow the configured ones in both eras."""
    server = started(spawn, tree, version=None)
    envelope = {**ENVELOPE, "io.modelcontextprotocol/clientCapabilities": {"roots": {}}}
    if method == "prompts/get":
        params = {"name": "summarize_file", "arguments": {"path": str(tree / "notes.txt")}, "_meta": envelope}
    else:
        params = {"uri": uri(tree / "notes.txt"), "_meta": envelope}
    first = ok(server.request(method, params))
    assert first["inputRequests"] == {"question-1": {"method": "roots/list", "params": {}}}
    state = first["requestState"]
    narrow = {"question-1": {"roots": [{"uri": uri(tree / "sub")}]}}
    refused = server.request(method, {**params, "inputResponses": narrow, "requestState": state})["error"]
    assert refused["code"] == -32602 and "outside the allowed directories" in refused["message"], refused
    whole = {"question-1": {"roots": [{"uri": uri(tree)}]}}
    done = ok(server.request(method, {**params, "inputResponses": whole, "requestState": state}))
    contents = done["messages"][1]["content"]["resource"] if method == "prompts/get" else done["contents"][0]
    assert contents["text"] == "one\ntwo\n"


def test_toolhost_tools_subscribers_hear_of_a_reloaded_plugin(spawn, tree, tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    server = started(spawn, tree, "--no-entry-points", "--plugins", str(plugins), "--reload")
    assert ok(server.request("resources/subscribe", {"uri": "toolhost://tools"})) == {}
    _put(plugins, "hello.py", "from mcp_toolhost import tool\n\n@tool\ndef hello() -> str:\n    return 'hi'\n")
    assert next_update(server)["params"] == {"uri": "toolhost://tools"}
    (contents,) = ok(read(server, "toolhost://tools"))["contents"]
    assert "hello" in [tool["name"] for tool in json.loads(contents["text"])["tools"]]
