"""Hostile review of resources, prompts, completion and subscriptions (issues 9 and 10),
through the real process: each case is refused clearly or answered, and the server keeps serving."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import FIXTURES, McpProcess

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
