"""`@prompt` functions through the real process: list, get with and without arguments, errors, in both eras."""

import pytest
from test_user_resources import FUNCTIONS, MODERN


@pytest.fixture
def server(spawn):
    server = spawn("serve", "--no-builtins", "--tools", FUNCTIONS)
    server.initialize()
    return server


def get(server, name, arguments=None, *, stateless=False):
    params = {"name": name, **({"arguments": arguments} if arguments is not None else {})}
    if stateless:
        params["_meta"] = MODERN
    return server.request("prompts/get", params)


def test_prompts_are_listed_with_argument_descriptions_from_the_docstring(server):
    result = server.request("prompts/list")["result"]
    by_name = {prompt["name"]: prompt for prompt in result["prompts"]}
    assert sorted(by_name) == ["confirm", "daily", "explain_note", "greet", "review", "wrong"]
    assert by_name["review"] == {
        "name": "review",
        "description": "Review a piece of code.",
        "arguments": [
            {"name": "code", "description": "The code to review.", "required": True},
            {"name": "language", "description": "The language it is written in.", "required": False},
        ],
    }
    assert by_name["greet"]["title"] == "Greeting"
    assert by_name["daily"]["arguments"] == []


def test_titles_are_left_out_for_revisions_before_2025_06_18(spawn):
    server = spawn("serve", "--no-builtins", "--tools", FUNCTIONS)
    server.initialize("2025-03-26")
    greet = next(p for p in server.request("prompts/list")["result"]["prompts"] if p["name"] == "greet")
    assert "title" not in greet


@pytest.mark.parametrize("stateless", [False, True], ids=["handshake", "2026-07-28"])
def test_a_str_becomes_one_user_message(server, stateless):
    result = get(server, "review", {"code": "x = 1"}, stateless=stateless)["result"]
    assert result["messages"] == [
        {"role": "user", "content": {"type": "text", "text": "Please review this python code:\nx = 1"}}
    ]
    assert result["description"] == "Review a piece of code."
    if stateless:
        assert result["resultType"] == "complete"


def test_a_prompt_without_arguments(server):
    assert get(server, "daily")["result"]["messages"][0]["content"]["text"] == "What is on today?"


def test_messages_and_content_blocks_keep_their_roles_and_arguments_are_coerced(server):
    messages = get(server, "greet", {"style": "formal", "times": "2"})["result"]["messages"]
    assert messages == [
        {"role": "user", "content": {"type": "text", "text": "Greet me in a formal way, 2 times."}},
        {"role": "assistant", "content": {"type": "image", "data": "iVBORw==", "mimeType": "image/png"}},
        {"role": "user", "content": {"type": "text", "text": "Thanks."}},
    ]


@pytest.mark.parametrize("stateless", [False, True], ids=["handshake", "2026-07-28"])
def test_a_missing_required_argument_is_invalid_params(server, stateless):
    error = get(server, "review", {}, stateless=stateless)["error"]
    assert error["code"] == -32602
    assert error["message"] == "Prompt 'review': Invalid arguments: code: Field required"
    assert error["data"] == {"errors": [{"path": "code", "message": "Field required"}]}


def test_an_unknown_prompt_is_invalid_params_with_the_near_misses(server):
    error = get(server, "reveiw")["error"]
    assert error == {"code": -32602, "message": "Unknown prompt: reveiw; did you mean review?"}
    assert get(server, "x", stateless=True)["error"]["code"] == -32602


def test_bad_params_are_invalid_params(server):
    assert server.request("prompts/get", {})["error"]["message"] == 'prompts/get: "name" must be a string'
    error = get(server, "review", ["x"])["error"]
    assert error == {"code": -32602, "message": 'prompts/get: "arguments" must be an object of strings'}


def test_a_prompt_returning_something_else_says_what_to_return(server):
    error = get(server, "wrong")["error"]
    assert error["code"] == -32603
    assert error["message"] == (
        "prompt 'wrong' returned int; return a str, content blocks"
        " or messages ({'role': 'user', 'content': str | Content})"
    )
    assert server.request("ping")["result"] == {}


def test_prompts_are_paged(spawn):
    server = spawn("serve", "--no-builtins", "--tools", FUNCTIONS, env={"MCP_TOOLHOST_PAGE_SIZE": "3"})
    server.initialize()
    first = server.request("prompts/list")["result"]
    second = server.request("prompts/list", {"cursor": first["nextCursor"]})["result"]
    names = [p["name"] for p in first["prompts"] + second["prompts"]]
    assert names == ["confirm", "daily", "explain_note", "greet", "review", "wrong"]
    assert "nextCursor" not in second


@pytest.mark.parametrize("stateless", [False, True], ids=["handshake", "2026-07-28"])
def test_a_tool_error_from_a_prompt_is_invalid_params_with_its_message(server, stateless):
    error = get(server, "explain_note", {"name": "zeta"}, stateless=stateless)["error"]
    assert error == {
        "code": -32602,
        "message": "Prompt 'explain_note': No note named 'zeta' to explain; give one resources/list names.",
    }
    assert server.request("ping")["result"] == {}
