"""Hostile review of resources, prompts, completion and subscriptions (issues 9 and 10),
through the real process: each case is refused clearly or answered, and the server keeps serving."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, McpProcess
from test_plugins_reload import _wait_for

UPDATED = "notifications/resources/updated"
ENVELOPE = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
}

HOSTILE = str(FIXTURES / "hostile_resources.py")
PARTS = "parts://{kind}-{year}-{slug}"


def assert_alive(server: McpProcess) -> None:
    assert server.request("ping", timeout=5)["result"] == {}


@pytest.fixture
def user(spawn: Any) -> McpProcess:
    """A server with the user resources, prompt and completers of tests/fixtures/hostile_resources.py."""
    server: McpProcess = spawn("serve", "--no-builtins", "--tools", HOSTILE)
    server.initialize()
    return server


def complete_part(server: McpProcess, argument: str, value: str, **params: Any) -> dict[str, Any]:
    ref = {"type": "ref/resource", "uri": PARTS}
    return server.request("completion/complete", {"ref": ref, "argument": {"name": argument, "value": value}}, **params)


# --- Templates -------------------------------------------------------------------------


def test_a_long_uri_against_a_template_of_several_variables_is_answered_at_once(user):
    # Matching used to backtrack: 2 KB of "a-" took seconds, 8 KB minutes, on the event loop.
    assert user.request("resources/read", {"uri": "parts://a-2026-b"}, timeout=5)["result"]["contents"][0]["text"] == (
        "a 2026 b"
    )
    answer = user.request("resources/read", {"uri": "parts://" + "a-" * 100_000 + "/"}, timeout=5)
    assert answer["error"]["code"] == -32002, answer
    assert len(answer["error"]["message"]) < 400  # the URI is cut in the message
    assert_alive(user)


def test_a_template_value_that_does_not_validate_is_invalid_params(user):
    answer = user.request("resources/read", {"uri": "parts://a-soon-b"})
    assert answer["error"]["code"] == -32602 and "year" in answer["error"]["message"], answer


# --- Completion ------------------------------------------------------------------------


def test_a_generator_completer_that_stalls_does_not_stall_the_server(user):
    user.send(
        {
            "jsonrpc": "2.0",
            "id": "stall",
            "method": "completion/complete",
            "params": {"ref": {"type": "ref/resource", "uri": PARTS}, "argument": {"name": "kind", "value": ""}},
        }
    )
    user.wait_for_stderr("stalled_names: waiting")
    assert_alive(user)  # the generator is drained in a worker thread, not on the event loop


def test_completers_that_raise_or_return_a_million_values(user):
    failed = complete_part(user, "year", "")
    assert failed["error"]["code"] == -32603 and "the name index is corrupt" in failed["error"]["message"], failed
    many = complete_part(user, "slug", "x")["result"]["completion"]
    assert (len(many["values"]), many["total"], many["hasMore"]) == (100, 1_000_000, True)
    huge = user.request(
        "completion/complete",
        {"ref": {"type": "ref/prompt", "name": "greet"}, "argument": {"name": "name", "value": "(.*)*[" * 100_000}},
    )
    assert huge["result"]["completion"]["values"] == []
    unknown = user.request(
        "completion/complete",
        {"ref": {"type": "ref/resource", "uri": "nope://" + "x" * 100_000}, "argument": {"name": "a", "value": ""}},
    )
    assert unknown["error"]["code"] == -32602 and len(unknown["error"]["message"]) < 400, unknown
    assert_alive(user)


# --- Prompts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "named"),
    [({}, "name"), ({"name": "x", "bogus": "1"}, "bogus"), ({"name": 5}, "name"), ({"name": ["x"]}, "name")],
)
def test_prompt_arguments_missing_extra_or_not_strings_are_invalid_params(user, arguments, named):
    answer = user.request("prompts/get", {"name": "greet", "arguments": arguments})
    assert answer["error"]["code"] == -32602 and named in answer["error"]["message"], answer


# --- Subscriptions ---------------------------------------------------------------------


def files_server(spawn: Any, root: Path, **env: str) -> McpProcess:
    server: McpProcess = spawn("serve", "--root", str(root), "--builtins", "files", env=env or None)
    server.initialize()
    return server


def subscribe(server: McpProcess, path: Path, method: str = "resources/subscribe") -> None:
    answer = server.request(method, {"uri": path.as_uri()})
    assert answer.get("result") == {}, answer


@pytest.mark.parametrize("polling", ["false", "true"], ids=["os-events", "polling"])
def test_a_file_subscribed_again_after_its_watch_was_let_go_is_watched(spawn, tmp_path, polling):
    for folder in "abc":
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "f.txt").write_text("1")
    (tmp_path / "a" / "g.txt").write_text("1")
    server = files_server(spawn, tmp_path, MCP_TOOLHOST_RELOAD_POLLING=polling)
    subscribe(server, tmp_path / "a" / "f.txt")
    subscribe(server, tmp_path / "b" / "f.txt")
    subscribe(server, tmp_path / "a" / "f.txt", "resources/unsubscribe")
    subscribe(server, tmp_path / "c" / "f.txt")  # the watch is rebuilt without folder a
    subscribe(server, tmp_path / "a" / "f.txt")  # was taken for still watched
    subscribe(server, tmp_path / "a" / "g.txt")  # a folder watched, but a file polling did not look at
    (tmp_path / "a" / "f.txt").write_text("2")
    assert _wait_for(server, UPDATED)["params"]["uri"] == (tmp_path / "a" / "f.txt").as_uri()
    (tmp_path / "a" / "g.txt").write_text("2")
    assert _wait_for(server, UPDATED)["params"]["uri"] == (tmp_path / "a" / "g.txt").as_uri()


def test_subscriptions_past_max_subscriptions_are_refused_in_both_eras(spawn, tmp_path):
    for name in "abc":
        (tmp_path / name).write_text("1")
    server = files_server(spawn, tmp_path, MCP_TOOLHOST_MAX_SUBSCRIPTIONS="2")
    subscribe(server, tmp_path / "a")
    subscribe(server, tmp_path / "a")  # twice is one subscription
    subscribe(server, tmp_path / "b")
    refused = server.request("resources/subscribe", {"uri": (tmp_path / "c").as_uri()})
    assert refused["error"]["code"] == -32602 and "max_subscriptions" in refused["error"]["message"], refused
    subscribe(server, tmp_path / "a", "resources/unsubscribe")
    subscribe(server, tmp_path / "c")  # room again
    # A 2026-07-28 stream counts too: the URI past the limit is left out of the acknowledgement.
    uris = [(tmp_path / name).as_uri() for name in "ab"]
    server.send(
        {
            "jsonrpc": "2.0",
            "id": "listen",
            "method": "subscriptions/listen",
            "params": {"_meta": ENVELOPE, "notifications": {"resourceSubscriptions": uris}},
        }
    )
    ack = _wait_for(server, "notifications/subscriptions/acknowledged")
    assert ack["params"]["notifications"] == {}, ack
    server.wait_for_stderr("max_subscriptions")


# --- file:// URIs ----------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A root with a file, a folder, a symlink out, a symlink loop and a FIFO; a secret beside it."""
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("hi\n")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text("secret")
    (root / "out").symlink_to(tmp_path / "outside", target_is_directory=True)
    (root / "loop1").symlink_to(root / "loop2")
    (root / "loop2").symlink_to(root / "loop1")
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "fifo")
    return root


def complete_path(server: McpProcess, value: str) -> list[str]:
    ref = {"type": "ref/resource", "uri": "file:///{path}"}
    answer = server.request("completion/complete", {"ref": ref, "argument": {"name": "path", "value": value}})
    values: list[str] = answer["result"]["completion"]["values"]
    return values


def test_path_completion_skips_a_symlink_loop_and_links_out_but_offers_the_rest(spawn, tree):
    server = files_server(spawn, tree)
    folder = str(tree).lstrip("/")
    # A symlink loop in the folder used to end the scan: nothing at all was offered.
    assert complete_path(server, folder + "/") == [f"{folder}/{name}" for name in ("a.txt", "fifo", "sub/")]
    for escape in ("/../", "/out/", "/%2e%2e/", "/sub/../../outside/", "/\x00", "/" + "*" * 50_000):
        assert complete_path(server, folder + escape) == [], escape


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/../outside/secret.txt", "outside the allowed directories"),
        ("/%2e%2e/outside/secret.txt", "outside the allowed directories"),
        ("%2f..%2foutside%2fsecret.txt", "outside the allowed directories"),
        ("/out/secret.txt", "outside the allowed directories"),
        ("/a.txt%00.png", "NUL"),
        ("/loop1", "not a regular file"),
        ("/fifo", "not a regular file"),
        ("/sub", "is a directory"),
    ],
)
def test_file_uris_that_escape_or_name_no_regular_file_are_refused(spawn, tree, path, says):
    server = files_server(spawn, tree)
    answer = server.request("resources/read", {"uri": "file://" + str(tree) + path})
    assert answer["error"]["code"] == -32602 and says in answer["error"]["message"], answer
    if says in ("outside the allowed directories", "NUL"):  # nothing outside is ever watched either
        refused = server.request("resources/subscribe", {"uri": "file://" + str(tree) + path})
        assert refused["error"]["code"] == -32602 and says in refused["error"]["message"], refused


def test_file_uris_with_another_host_a_query_or_double_encoding_read_nothing(spawn, tree):
    server = files_server(spawn, tree)
    for uri in (f"file://evil{tree}/a.txt", f"file://localhost:80{tree}/a.txt", f"file://{tree}/a.txt?x"):
        assert server.request("resources/read", {"uri": uri})["error"]["code"] == -32602, uri
    double = server.request("resources/read", {"uri": f"file://{tree}/%252e%252e/outside/secret.txt"})
    assert double["error"]["code"] == -32002, double  # a file literally named %2e%2e: there is none
    same = [f"file://localhost{tree}/a.txt", f"file:{tree}/a.txt", f"FILE://{tree}/a.txt"]
    assert [server.request("resources/read", {"uri": uri})["result"]["contents"][0]["text"] for uri in same] == [
        "hi\n"
    ] * 3
