"""`confirm_destructive` (issue 9): the file built-ins ask the person before deleting or replacing.

Raw JSON-RPC over the real process's pipes, playing the client that answers the
server's `elicitation/create`, and the official SDK's `ClientSession` with its
`elicitation_callback` as an independent client.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import McpProcess, executable
from fixtures.builtins_support import error_text, structured
from test_asking_client import answer, call, next_request
from test_asking_rounds import ENVELOPE as ROUNDS_ENVELOPE

FORM = {"elicitation": {"form": {}}}
CONFIRM_SCHEMA = {
    "type": "object",
    "properties": {"confirm": {"default": True, "title": "Yes, do it", "type": "boolean"}},
}


def start(
    spawn: Callable[..., McpProcess], root: Path, capabilities: dict[str, Any], *flags: str, **env: str
) -> McpProcess:
    server = spawn("serve", "--root", str(root), "--builtins", "files", *flags, env=env)
    response = server.request(
        "initialize",
        {
            "protocolVersion": "2025-11-25",
            "capabilities": capabilities,
            "clientInfo": {"name": "pytest", "version": "0"},
        },
    )
    assert "result" in response, response
    server.notify("notifications/initialized")
    return server


def asked(server: McpProcess) -> list[dict[str, Any]]:
    """The server's questions read so far (recv_response keeps requests it passes by)."""
    return [message for message in server.notifications if message.get("method") == "elicitation/create"]


def asked_to_delete(spawn, root: Path, **env: str) -> tuple[McpProcess, dict[str, Any], Path]:
    """A server asking whether to delete `root/keep.txt`, which holds "precious": (server, question, file)."""
    kept = root / "keep.txt"
    kept.write_text("precious")
    flags = () if env else ("--confirm-destructive",)
    server = start(spawn, root, FORM, *flags, **env)
    call(server, "delete_path", 1, {"path": "keep.txt"})
    return server, next_request(server, "elicitation/create"), kept


def test_accept_deletes_the_folder_after_saying_what_is_in_it(spawn, tmp_path: Path) -> None:
    folder = tmp_path / "build"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.o").write_text("x")
    server = start(spawn, tmp_path, FORM, "--confirm-destructive")
    call(server, "delete_path", 1, {"path": "build", "recursive": True})
    question = next_request(server, "elicitation/create")
    assert question["params"] == {
        "message": f"Delete the folder {folder} and its 2 entries?",
        "requestedSchema": CONFIRM_SCHEMA,
    }
    assert folder.exists()  # nothing happens before the answer
    answer(server, question, {"action": "accept", "content": {"confirm": True}})
    result = structured(server.recv_response(1))
    assert result == {"path": str(folder), "type": "directory", "note": "The user confirmed it."}
    assert not folder.exists()


@pytest.mark.parametrize(
    ("reply", "said"),
    [
        ({"action": "decline"}, "The user declined: nothing was deleted."),
        ({"action": "cancel"}, "The user dismissed the question: nothing was deleted."),
        ({"action": "accept", "content": {"confirm": False}}, "The user declined: nothing was deleted."),
    ],
)
def test_decline_cancel_or_unticked_keeps_the_file(spawn, tmp_path: Path, reply, said) -> None:
    server, question, kept = asked_to_delete(spawn, tmp_path, MCP_TOOLHOST_CONFIRM_DESTRUCTIVE="true")
    assert question["params"]["message"] == f"Delete the file {kept} (8 bytes)?"
    answer(server, question, reply)
    message = error_text(server.recv_response(1))
    assert message == f"{said} Do not retry unless they ask for it."
    assert kept.read_text() == "precious"


def test_an_error_answer_is_no_consent(spawn, tmp_path: Path) -> None:
    server, question, kept = asked_to_delete(spawn, tmp_path)
    server.send({"jsonrpc": "2.0", "id": question["id"], "error": {"code": -32603, "message": "dialog crashed"}})
    message = error_text(server.recv_response(1))
    assert message.startswith("The user's confirmation could not be obtained: nothing was deleted."), message
    assert "dialog crashed" in message
    assert kept.read_text() == "precious"


def test_a_client_gone_while_asked_deletes_nothing(spawn, tmp_path: Path) -> None:
    server, _, kept = asked_to_delete(spawn, tmp_path)
    server.close_stdin()
    assert server.wait() == 0
    assert kept.read_text() == "precious"


def test_a_question_unanswered_before_the_timeout_deletes_nothing_even_if_accepted_late(spawn, tmp_path) -> None:
    server, question, kept = asked_to_delete(spawn, tmp_path, MCP_TOOLHOST_CONFIRM_DESTRUCTIVE="1",
                                             MCP_TOOLHOST_TOOL_TIMEOUT="0.5")  # fmt: skip
    assert "timed out after 0.5 seconds" in error_text(server.recv_response(1))
    withdrawn = [m for m in server.notifications if m.get("method") == "notifications/cancelled"] or [server.recv()]
    assert withdrawn[0]["params"]["requestId"] == question["id"], withdrawn  # the question is withdrawn
    answer(server, question, {"action": "accept"})  # too late: dropped
    assert server.request("ping")["result"] == {}
    assert kept.read_text() == "precious"


def test_write_file_asks_before_overwriting_only(spawn, tmp_path: Path) -> None:
    old = tmp_path / "old.txt"
    old.write_text("hello")
    server = start(spawn, tmp_path, FORM, "--confirm-destructive")
    created = structured(server.call("write_file", {"path": "new.txt", "content": "fresh"}))
    appended = structured(server.call("write_file", {"path": "old.txt", "content": "!", "mode": "append"}))
    assert "note" not in created and "note" not in appended
    assert asked(server) == []  # a new file and an append lose nothing
    call(server, "write_file", 1, {"path": "old.txt", "content": "bye"})
    question = next_request(server, "elicitation/create")
    assert question["params"]["message"] == f"Overwrite the file {old} (6 bytes) with 3 bytes of new content?"
    answer(server, question, {"action": "decline"})
    assert error_text(server.recv_response(1)).startswith("The user declined: nothing was written.")
    assert old.read_text() == "hello!"


def test_move_file_asks_before_replacing_the_destination(spawn, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("new")
    (tmp_path / "b.txt").write_text("old")
    server = start(spawn, tmp_path, FORM, "--confirm-destructive")
    call(server, "move_file", 1, {"source": "a.txt", "destination": "b.txt", "overwrite": True})
    question = next_request(server, "elicitation/create")
    assert (
        question["params"]["message"] == f"Replace the file {tmp_path / 'b.txt'} (3 bytes) with {tmp_path / 'a.txt'}?"
    )
    answer(server, question, {"action": "accept"})  # accept alone: the box is ticked by default
    assert structured(server.recv_response(1))["note"] == "The user confirmed it."
    assert (tmp_path / "b.txt").read_text() == "new"
    assert not (tmp_path / "a.txt").exists()


def test_a_client_without_elicitation_proceeds_and_is_told(spawn, tmp_path: Path) -> None:
    (tmp_path / "gone.txt").write_text("x")
    server = start(spawn, tmp_path, {}, "--confirm-destructive")
    result = structured(server.call("delete_path", {"path": "gone.txt"}))
    assert result["note"].startswith(
        "Not confirmed by the user (confirm_destructive is on), as they could not be asked: "
        "The client cannot ask the user: it did not declare the elicitation capability."
    ), result
    assert not (tmp_path / "gone.txt").exists()
    assert asked(server) == []


def test_2026_07_28_asks_in_an_input_required_round(spawn, tmp_path: Path) -> None:
    (tmp_path / "gone.txt").write_text("x")
    (tmp_path / "kept.txt").write_text("x")
    server = spawn("serve", "--root", str(tmp_path), "--builtins", "files", "--confirm-destructive")

    # A client declaring elicitation only: one declaring roots is asked for them first (test_client_roots).
    envelope = {**ROUNDS_ENVELOPE, "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}}}

    def delete(name: str, **params: Any) -> dict[str, Any]:
        arguments = {"name": "delete_path", "arguments": {"path": name}, "_meta": envelope, **params}
        return server.request("tools/call", arguments)["result"]

    said = {"gone.txt": "The user confirmed it.", "kept.txt": "The user declined: nothing was deleted."}
    for name, reply in (("gone.txt", {"action": "accept"}), ("kept.txt", {"action": "decline"})):
        first = delete(name)
        assert first["resultType"] == "input_required", first
        question = first["inputRequests"]["question-1"]
        assert question["method"] == "elicitation/create"
        assert question["params"]["message"] == f"Delete the file {tmp_path / name} (1 byte)?"
        assert (tmp_path / name).exists()  # the round before the answer only looked
        last = delete(name, inputResponses={"question-1": reply}, requestState=first["requestState"])
        assert said[name] in last["content"][0]["text"], last
    assert not (tmp_path / "gone.txt").exists()
    assert (tmp_path / "kept.txt").exists()


def test_2026_07_28_without_elicitation_proceeds_and_is_told(spawn, tmp_path: Path) -> None:
    (tmp_path / "gone.txt").write_text("x")
    server = spawn("serve", "--root", str(tmp_path), "--builtins", "files", "--confirm-destructive")
    envelope = {**ROUNDS_ENVELOPE, "io.modelcontextprotocol/clientCapabilities": {}}
    response = server.request(
        "tools/call", {"name": "delete_path", "arguments": {"path": "gone.txt"}, "_meta": envelope}
    )
    assert "could not be asked" in structured(response)["note"], response
    assert not (tmp_path / "gone.txt").exists()


def test_confirm_destructive_off_asks_nothing(spawn, tmp_path: Path) -> None:
    (tmp_path / "gone.txt").write_text("x")
    (tmp_path / "b.txt").write_text("x")
    server = start(spawn, tmp_path, FORM)
    assert "note" not in structured(server.call("write_file", {"path": "b.txt", "content": "y"}))
    assert "note" not in structured(server.call("delete_path", {"path": "gone.txt"}))
    assert asked(server) == []
    assert not (tmp_path / "gone.txt").exists()


def test_a_folder_with_entries_without_recursive_is_refused_before_asking(spawn, tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "f").write_text("x")
    server = start(spawn, tmp_path, FORM, "--confirm-destructive")
    assert "pass recursive=true" in error_text(server.call("delete_path", {"path": "full"}))
    assert asked(server) == []


@pytest.mark.anyio
async def test_sdk_client_session_accept_deletes_and_decline_keeps(tmp_path: Path) -> None:
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client
    from mcp_types import ElicitResult

    (tmp_path / "yes.txt").write_text("1")
    (tmp_path / "no.txt").write_text("2")
    questions: list[str] = []

    async def on_elicit(context, params):
        questions.append(params.message)
        assert params.requested_schema == CONFIRM_SCHEMA
        return ElicitResult(action="accept" if "yes.txt" in params.message else "decline", content={"confirm": True})

    arguments = ["serve", "--root", str(tmp_path), "--builtins", "files", "--confirm-destructive"]
    parameters = StdioServerParameters(command=executable(), args=arguments)
    async with (
        stdio_client(parameters) as (read, write),
        ClientSession(read, write, elicitation_callback=on_elicit) as session,
    ):
        await session.initialize()
        accepted = await session.call_tool("delete_path", {"path": "yes.txt"})
        declined = await session.call_tool("delete_path", {"path": "no.txt"})
    assert not accepted.is_error and accepted.structured_content["note"] == "The user confirmed it."
    assert declined.is_error and declined.content[0].text.startswith("The user declined: nothing was deleted.")
    assert not (tmp_path / "yes.txt").exists()
    assert (tmp_path / "no.txt").read_text() == "2"
    assert questions == [
        f"Delete the file {tmp_path / 'yes.txt'} (1 byte)?",
        f"Delete the file {tmp_path / 'no.txt'} (1 byte)?",
    ]
