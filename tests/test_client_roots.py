"""The client's roots become the file tools' roots (issue 9): they replace the working directory,
narrow configured roots and never widen them.

Raw JSON-RPC over the real process's pipes, answering the server's `roots/list` by hand (in
2026-07-28: as an input request), and the official SDK's `ClientSession` and `mcp.Client` with
`list_roots_callback` as independent clients.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, McpProcess, executable
from test_asking_client import answer, call, next_request

ROOTS = {"roots": {"listChanged": True}}
CONFIGURED = "configured (--root, roots)"
CLIENT = "the client's roots (roots/list)"
CLIENT_INSIDE = "the client's roots (roots/list) inside the configured ones"


def open_session(server: McpProcess, capabilities: dict[str, Any]) -> None:
    response = server.request(
        "initialize",
        {"protocolVersion": "2025-11-25", "capabilities": capabilities, "clientInfo": {"name": "t", "version": "0"}},
    )
    assert "result" in response, response
    server.notify("notifications/initialized")


def offer(server: McpProcess, *folders: Path | str) -> None:
    """Answer the server's next `roots/list` with `folders` (paths, or URIs as they are)."""
    uris = [folder.as_uri() if isinstance(folder, Path) else folder for folder in folders]
    answer(server, next_request(server, "roots/list"), {"roots": [{"uri": uri} for uri in uris]})


def tool(server: McpProcess, name: str, request_id: int, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
    call(server, name, request_id, arguments)
    result: dict[str, Any] = server.recv_response(request_id)["result"]
    return result


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, Path]:
    made = {name: tmp_path / name for name in ("work", "other", "work/sub")}
    for name, folder in made.items():
        folder.mkdir(parents=True)
        (folder / "notes.txt").write_text(f"{name}\n")
    return {name: folder.resolve() for name, folder in made.items()}


def test_without_a_root_the_clients_root_is_served_even_from_slash(spawn, folders):
    server = spawn("--builtins", "files", cwd=Path("/"))
    open_session(server, ROOTS)
    call(server, "list_allowed_directories", 1)  # sent before the roots are known: it waits for them
    offer(server, folders["work"])
    listed = server.recv_response(1)["result"]["structuredContent"]
    assert listed == {"directories": [str(folders["work"])], "source": CLIENT}, listed
    assert tool(server, "read_file", 2, {"path": "notes.txt"})["structuredContent"]["content"] == "work\n"
    written = tool(server, "write_file", 3, {"path": "new.txt", "content": "x"})
    assert not written.get("isError") and (folders["work"] / "new.txt").read_text() == "x", written
    outside = tool(server, "read_file", 4, {"path": str(folders["other"] / "notes.txt")})
    assert outside["isError"] is True and "Access denied" in outside["content"][0]["text"], outside


def test_a_client_root_inside_a_configured_root_narrows_it(spawn, folders, tmp_path):
    server = spawn("--builtins", "files", "--root", str(tmp_path))
    open_session(server, ROOTS)
    offer(server, folders["work/sub"])
    listed = tool(server, "list_allowed_directories", 1)["structuredContent"]
    assert listed == {"directories": [str(folders["work/sub"])], "source": CLIENT_INSIDE}, listed
    assert tool(server, "read_file", 2, {"path": "notes.txt"})["structuredContent"]["content"] == "work/sub\n"
    wider = tool(server, "read_file", 3, {"path": str(folders["work"] / "notes.txt")})
    assert wider["isError"] is True and "Access denied" in wider["content"][0]["text"], wider


def test_a_client_root_outside_every_configured_root_is_ignored_with_a_warning(spawn, folders):
    server = spawn("--builtins", "files", "--root", str(folders["work"]))
    open_session(server, ROOTS)
    offer(server, folders["other"])
    listed = tool(server, "list_allowed_directories", 1)["structuredContent"]
    assert listed == {"directories": [str(folders["work"])], "source": CONFIGURED}, listed
    warning = server.wait_for_stderr(f"client root {folders['other']} is outside every configured root")
    assert "ignored" in warning, warning
    refused = tool(server, "read_file", 2, {"path": str(folders["other"] / "notes.txt")})
    assert refused["isError"] is True, refused


def test_only_local_file_roots_count_and_percent_encoding_is_decoded(spawn, tmp_path):
    spaced = tmp_path / "with space é"
    spaced.mkdir()
    server = spawn("--builtins", "files", cwd=Path("/"))
    open_session(server, ROOTS)
    offer(server, "file://elsewhere.example/srv", spaced, "https://example.com/x")
    listed = tool(server, "list_allowed_directories", 1)["structuredContent"]
    assert listed == {"directories": [str(spaced.resolve())], "source": CLIENT}, listed
    server.wait_for_stderr("client root file://elsewhere.example/srv is on another host (elsewhere.example): ignored")


def test_roots_list_changed_applies_the_new_roots(spawn, folders):
    server = spawn("--builtins", "files", cwd=Path("/"))
    open_session(server, ROOTS)
    offer(server, folders["work"])
    assert tool(server, "list_allowed_directories", 1)["structuredContent"]["directories"] == [str(folders["work"])]
    server.notify("notifications/roots/list_changed")
    offer(server, folders["other"])
    assert tool(server, "read_file", 2, {"path": "notes.txt"})["structuredContent"]["content"] == "other\n"
    before = tool(server, "read_file", 3, {"path": str(folders["work"] / "notes.txt")})
    assert before["isError"] is True, before


def test_a_client_without_roots_started_in_slash_gets_the_no_root_message(spawn):
    server = spawn("--builtins", "files", cwd=Path("/"))
    open_session(server, {})
    listed = tool(server, "list_allowed_directories", 1)["structuredContent"]
    assert listed["directories"] == [] and "or use a client that offers roots" in listed["reason"], listed
    refused = tool(server, "read_file", 2, {"path": "etc/hostname"})
    assert refused["isError"] is True and refused["content"][0]["text"] == listed["reason"], refused
    assert server.notifications == []  # roots/list was never asked


def test_a_client_that_never_answers_delays_a_call_only_briefly(spawn, folders, tmp_path):
    config = tmp_path / "mcp-toolhost.toml"
    config.write_text("client_roots_wait = 0.2\n")
    server = spawn("--builtins", "files", "--config", str(config), "--root", str(folders["work"]))
    open_session(server, ROOTS)
    call(server, "list_allowed_directories", 1)
    next_request(server, "roots/list")  # left unanswered
    listed = server.recv_response(1)["result"]["structuredContent"]
    assert listed == {"directories": [str(folders["work"])], "source": CONFIGURED}, listed


def path_manifest(tmp_path: Path) -> Path:
    """A manifest whose tool `show_path` prints its `type = "path"` parameter as the server confined it."""
    manifest = tmp_path / "path.toml"
    argv = FIXTURES / "plugins" / "sandbox" / "argv.py"
    manifest.write_text(
        f'[[tool]]\nname = "show_path"\ndescription = "Print it."\n'
        f'command = ["{sys.executable}", "{argv}", "{{file}}"]\noutput = {{ format = "json" }}\n\n'
        '[tool.parameters.file]\ntype = "path"\n'
    )
    return manifest


def test_manifest_path_parameters_follow_the_clients_roots(spawn, folders, tmp_path):
    server = spawn("serve", "--no-builtins", "--manifest", str(path_manifest(tmp_path)), cwd=Path("/"))
    open_session(server, ROOTS)
    offer(server, folders["work"])
    shown = tool(server, "show_path", 1, {"file": "notes.txt"})
    assert shown["structuredContent"]["result"] == [str(folders["work"] / "notes.txt")], shown
    refused = tool(server, "show_path", 2, {"file": str(folders["other"] / "notes.txt")})
    assert refused["isError"] is True and "Access denied" in refused["content"][0]["text"], refused


def test_a_2026_07_28_call_does_not_use_the_handshake_clients_roots(spawn, folders):
    server = spawn("--builtins", "files", cwd=Path("/"))
    open_session(server, ROOTS)
    offer(server, folders["work"])
    envelope = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    stateless = server.request("tools/call", {"name": "list_allowed_directories", "_meta": envelope})
    assert stateless["result"]["structuredContent"]["directories"] == [], stateless
    assert tool(server, "list_allowed_directories", 1)["structuredContent"]["directories"] == [str(folders["work"])]


@pytest.mark.anyio
@pytest.mark.filterwarnings("ignore:The roots capability is deprecated")  # in 2026-07-28 (SEP-2577), not ours
async def test_sdk_client_session_roots_are_the_file_tools_roots(folders):
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client
    from mcp_types import ListRootsResult, Root

    offered = [folders["work"]]

    async def on_roots(context):
        return ListRootsResult(roots=[Root(uri=folder.as_uri()) for folder in offered])

    parameters = StdioServerParameters(command=executable(), args=["--builtins", "files"], cwd="/")
    async with (
        stdio_client(parameters) as (read, write),
        ClientSession(read, write, list_roots_callback=on_roots) as session,
    ):
        await session.initialize()
        listed = await session.call_tool("list_allowed_directories", {})
        assert listed.structured_content == {"directories": [str(folders["work"])], "source": CLIENT}
        read_inside = await session.call_tool("read_file", {"path": "notes.txt"})
        assert read_inside.structured_content["content"] == "work\n"
        outside = await session.call_tool("read_file", {"path": str(folders["other"] / "notes.txt")})
        assert outside.is_error and "Access denied" in outside.content[0].text
        offered[:] = [folders["other"]]
        await session.send_roots_list_changed()
        changed = await session.call_tool("read_file", {"path": "notes.txt"})
        assert changed.structured_content["content"] == "other\n"


# --- 2026-07-28: the roots asked as an input request -------------------------------------

ROUNDS = {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": ROOTS}


def stateless(server: McpProcess, name: str, arguments: dict[str, Any], **params: Any) -> dict[str, Any]:
    response = server.request("tools/call", {"name": name, "arguments": arguments, "_meta": ROUNDS, **params})
    assert "result" in response, response
    result: dict[str, Any] = response["result"]
    return result


def answered(server: McpProcess, name: str, arguments: dict[str, Any], *folders: Path) -> dict[str, Any]:
    """Call `name`, which asks for the roots first, and answer with `folders`: the retry's result."""
    first = stateless(server, name, arguments)
    assert first["resultType"] == "input_required", first
    assert first["inputRequests"] == {"question-1": {"method": "roots/list", "params": {}}}, first
    roots = {"roots": [{"uri": folder.as_uri()} for folder in folders]}
    return stateless(server, name, arguments, inputResponses={"question-1": roots}, requestState=first["requestState"])


def test_2026_07_28_without_a_root_the_clients_root_is_asked_for_and_served(spawn, folders):
    server = spawn("--builtins", "files", cwd=Path("/"))
    listed = answered(server, "list_allowed_directories", {}, folders["work"])["structuredContent"]
    assert listed == {"directories": [str(folders["work"])], "source": CLIENT}, listed
    read = answered(server, "read_file", {"path": "notes.txt"}, folders["work"])
    assert read["structuredContent"]["content"] == "work\n", read
    outside = answered(server, "read_file", {"path": str(folders["other"] / "notes.txt")}, folders["work"])
    assert outside["isError"] is True and "Access denied" in outside["content"][0]["text"], outside


def test_2026_07_28_roots_are_asked_once_per_call_before_its_other_questions(spawn, folders):
    (folders["work"] / "old.txt").write_text("old")
    server = spawn("--builtins", "files", "--confirm-destructive", cwd=Path("/"))
    envelope = {**ROUNDS, "io.modelcontextprotocol/clientCapabilities": {**ROOTS, "elicitation": {}}}
    arguments = {"source": "old.txt", "destination": "notes.txt", "overwrite": True}  # two paths confined

    def move(**params: Any) -> dict[str, Any]:
        request = {"name": "move_file", "arguments": arguments, "_meta": envelope, **params}
        result: dict[str, Any] = server.request("tools/call", request)["result"]
        return result

    first = move()
    assert first["inputRequests"]["question-1"]["method"] == "roots/list", first
    roots = {"roots": [{"uri": folders["work"].as_uri()}]}
    second = move(inputResponses={"question-1": roots}, requestState=first["requestState"])
    assert list(second["inputRequests"]) == ["question-2"], second
    assert second["inputRequests"]["question-2"]["method"] == "elicitation/create", second
    done = move(inputResponses={"question-2": {"action": "accept"}}, requestState=second["requestState"])
    assert not done.get("isError") and (folders["work"] / "notes.txt").read_text() == "old", done


def test_2026_07_28_manifest_path_parameters_follow_the_clients_roots(spawn, folders, tmp_path):
    server = spawn("serve", "--no-builtins", "--manifest", str(path_manifest(tmp_path)), cwd=Path("/"))
    shown = answered(server, "show_path", {"file": "notes.txt"}, folders["work"])
    assert shown["structuredContent"]["result"] == [str(folders["work"] / "notes.txt")], shown
    refused = answered(server, "show_path", {"file": str(folders["other"] / "notes.txt")}, folders["work"])
    assert refused["isError"] is True and "Access denied" in refused["content"][0]["text"], refused


def test_2026_07_28_a_client_root_narrows_the_configured_roots_as_in_the_handshake_era(spawn, folders, tmp_path):
    server = spawn("--builtins", "files", "--root", str(tmp_path), cwd=Path("/"))
    listed = answered(server, "list_allowed_directories", {}, folders["work/sub"])["structuredContent"]
    assert listed == {"directories": [str(folders["work/sub"])], "source": CLIENT_INSIDE}, listed
    wider = answered(server, "read_file", {"path": str(folders["work"] / "notes.txt")}, folders["work/sub"])
    assert wider["isError"] is True and "Access denied" in wider["content"][0]["text"], wider
    outside = answered(server, "list_allowed_directories", {}, folders["other"].parent.parent)
    assert outside["structuredContent"] == {"directories": [str(tmp_path.resolve())], "source": CONFIGURED}


def test_2026_07_28_configured_roots_are_used_without_asking_a_client_without_roots(spawn, folders):
    server = spawn("--builtins", "files", "--root", str(folders["work"]), cwd=Path("/"))
    call = {"name": "list_allowed_directories", "arguments": {}}
    envelope = {**ROUNDS, "io.modelcontextprotocol/clientCapabilities": {}}
    listed = server.request("tools/call", {**call, "_meta": envelope})["result"]
    assert listed["structuredContent"] == {"directories": [str(folders["work"])], "source": CONFIGURED}, listed


def test_2026_07_28_a_call_that_confines_no_path_is_not_asked(spawn):
    server = spawn("--builtins", "env", cwd=Path("/"))
    result = stateless(server, "get_env", {"name": "PATH"})
    assert result["resultType"] == "complete", result


@pytest.mark.anyio
async def test_sdk_client_roots_are_the_file_tools_roots_over_rounds(folders):
    from mcp import Client, StdioServerParameters
    from mcp_types import ListRootsResult, Root

    asked: list[str] = []

    async def on_roots(context):
        asked.append("roots")
        return ListRootsResult(roots=[Root(uri=folders["work"].as_uri())])

    parameters = StdioServerParameters(command=executable(), args=["--builtins", "files"], cwd="/")
    async with Client(parameters, list_roots_callback=on_roots) as client:
        assert client.protocol_version == "2026-07-28"
        listed = await client.call_tool("list_allowed_directories", {})
        assert listed.structured_content == {"directories": [str(folders["work"])], "source": CLIENT}
        read_inside = await client.call_tool("read_file", {"path": "notes.txt"})
        assert read_inside.structured_content["content"] == "work\n"
        outside = await client.call_tool("read_file", {"path": str(folders["other"] / "notes.txt")})
        assert outside.is_error and "Access denied" in outside.content[0].text
    assert asked == ["roots"] * 3  # once per call: each 2026-07-28 call stands alone
