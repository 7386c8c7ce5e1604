"""`completion/complete` for prompt arguments and resource template variables, through the real process."""

import pytest
from test_user_resources import FUNCTIONS, MODERN


@pytest.fixture
def server(spawn):
    server = spawn("serve", "--no-builtins", "--tools", FUNCTIONS)
    server.initialize()
    return server


def complete(server, ref, name, value, **extra):
    return server.request("completion/complete", {"ref": ref, "argument": {"name": name, "value": value}, **extra})


PROMPT = {"type": "ref/prompt", "name": "greet"}
TEMPLATE = {"type": "ref/resource", "uri": "notes://{name}/{page}"}


@pytest.mark.parametrize("stateless", [False, True], ids=["handshake", "2026-07-28"])
def test_a_listed_prompt_argument_completes_by_prefix(server, stateless):
    extra = {"_meta": MODERN} if stateless else {}
    result = complete(server, PROMPT, "style", "f", **extra)["result"]
    assert result["completion"] == {"values": ["formal", "friendly", "funny"], "total": 3, "hasMore": False}
    assert complete(server, PROMPT, "style", "fr", **extra)["result"]["completion"]["values"] == ["friendly"]


def test_a_template_variable_completes_from_a_function_of_the_prefix(server):
    result = complete(server, TEMPLATE, "name", "al")["result"]
    assert result == {"completion": {"values": ["alpha", "alpine"], "total": 2, "hasMore": False}}


def test_a_completer_taking_two_parameters_gets_the_context_arguments(server):
    result = complete(server, TEMPLATE, "page", "", context={"arguments": {"name": "beta"}})["result"]
    assert result["completion"]["values"] == ["beta-0", "beta-1", "beta-2"]


def test_an_argument_without_completions_completes_to_nothing(server):
    result = complete(server, PROMPT, "times", "1")["result"]
    assert result == {"completion": {"values": [], "total": 0, "hasMore": False}}


@pytest.mark.parametrize("stateless", [False, True], ids=["handshake", "2026-07-28"])
def test_unknown_prompt_or_template_and_bad_params_are_invalid_params(server, stateless):
    extra = {"_meta": MODERN} if stateless else {}
    error = complete(server, {"type": "ref/prompt", "name": "gret"}, "style", "", **extra)["error"]
    assert error == {"code": -32602, "message": "Unknown prompt: gret; did you mean greet?"}
    error = complete(server, {"type": "ref/resource", "uri": "nope://{x}"}, "x", "", **extra)["error"]
    assert error["code"] == -32602 and error["message"].startswith("Unknown resource template: nope://{x}")
    error = complete(server, {"type": "ref/tool", "name": "x"}, "x", "", **extra)["error"]
    assert error["code"] == -32602 and '"ref.type" must be "ref/prompt" or "ref/resource"' in error["message"]
    error = server.request("completion/complete", {"ref": PROMPT, "argument": {"name": "style"}, **extra})["error"]
    assert error["code"] == -32602 and '"argument" needs a string "name" and a string "value"' in error["message"]


def test_at_most_100_values_with_total_and_has_more(spawn, tmp_path):
    tools = tmp_path / "many.py"
    tools.write_text(
        "from mcp_toolhost import ToolError, prompt\n"
        "@prompt(completions={'word': [f'w{i:03}' for i in range(250)]})\n"
        "def pick(word: str) -> str:\n"
        "    return word\n"
        "@prompt(completions={'word': lambda prefix: 1 / 0})\n"
        "def broken(word: str) -> str:\n"
        "    return word\n"
        "def refuse(prefix):\n"
        "    raise ToolError('type at least one letter')\n"
        "@prompt(completions={'word': refuse})\n"
        "def picky(word: str) -> str:\n"
        "    return word\n"
    )
    server = spawn("serve", "--no-builtins", "--tools", str(tools))
    server.initialize()
    completion = complete(server, {"type": "ref/prompt", "name": "pick"}, "word", "w")["result"]["completion"]
    assert (len(completion["values"]), completion["total"], completion["hasMore"]) == (100, 250, True)
    assert completion["values"][0] == "w000"
    error = complete(server, {"type": "ref/prompt", "name": "broken"}, "word", "")["error"]
    assert error == {"code": -32603, "message": "Completion 'broken.word' failed: ZeroDivisionError: division by zero"}
    # A ToolError refuses the request as made: invalid params with its message, as prompts/get answers.
    error = complete(server, {"type": "ref/prompt", "name": "picky"}, "word", "")["error"]
    assert error == {"code": -32602, "message": "Completion 'picky.word': type at least one letter"}
    assert server.request("ping")["result"] == {}


def test_completions_for_a_name_the_function_does_not_take_are_refused_at_start(spawn, tmp_path):
    tools = tmp_path / "typo.py"
    tools.write_text(
        "from mcp_toolhost import resource\n"
        "@resource('notes://{name}', completions={'nmae': ['a']})\n"
        "def note(name: str) -> str:\n"
        "    return name\n"
    )
    server = spawn("serve", "--no-builtins", "--tools", str(tools))
    assert server.wait() != 0
    assert "resource 'notes://{name}': completions for 'nmae', which it does not take" in server.stderr
