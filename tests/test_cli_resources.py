"""`list-resources`, `list-prompts`, `read` and `get-prompt` as people use them, with exit statuses."""

import json

from conftest import FIXTURES, run_cli

FUNCTIONS = str(FIXTURES / "resources_prompts.py")
OWN = ("--no-builtins", "--tools", FUNCTIONS)


def test_list_resources_shows_uris_templates_names_and_mime_types():
    done = run_cli("list-resources", *OWN)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode().splitlines()
    assert lines[0].split() == ["bin://logo", "logo", "[image/png]"]
    config = next(line for line in lines if line.startswith("config://app "))
    assert config.split(None, 1)[1].startswith("App config - The application's configuration.")
    assert "[application/json]" in done.stdout.decode()  # on that line, or the next when wrapped
    assert any(line.startswith("notes://{name}/{page} ") for line in lines)


def test_list_resources_json_is_both_protocol_results(spawn):
    listed = json.loads(run_cli("list-resources", "--json", *OWN).stdout)
    server = spawn("serve", *OWN)
    server.initialize()
    assert listed == {
        "resources": server.request("resources/list")["result"]["resources"],
        "resourceTemplates": server.request("resources/templates/list")["result"]["resourceTemplates"],
    }


def test_list_prompts_marks_optional_arguments_and_json_is_the_result(spawn):
    done = run_cli("list-prompts", *OWN)
    assert done.returncode == 0, done.stderr
    lines = [" ".join(line.split()) for line in done.stdout.decode().splitlines()]  # column widths vary
    assert "review Review a piece of code. (code, language?)" in lines
    listed = json.loads(run_cli("list-prompts", "--json", *OWN).stdout)
    server = spawn("serve", *OWN)
    server.initialize()
    assert listed == {"prompts": server.request("prompts/list")["result"]["prompts"]}


def test_nothing_to_list_says_so():
    done = run_cli("list-resources", "--no-builtins", "--tools", str(FIXTURES / "core_tools.py"))
    assert done.stdout == b"No resources.\n"
    done = run_cli("list-prompts", "--no-builtins", "--tools", str(FIXTURES / "core_tools.py"))
    assert done.stdout == b"No prompts.\n"


def test_read_prints_text_and_templates_take_their_values():
    done = run_cli("read", "config://app", *OWN)
    assert (done.returncode, done.stdout) == (0, b'{"debug":true,"level":1}\n'), done.stderr
    assert run_cli("read", "notes://beta/4", *OWN).stdout == b"# beta, page 4\n"


def test_read_of_a_blob_needs_output_and_writes_it_atomically(tmp_path):
    done = run_cli("read", "bin://logo", *OWN)
    assert done.returncode == 1 and done.stdout == b""
    assert "[bin://logo image/png, 8 bytes] is binary; write it to a file with --output FILE" in done.stderr.decode()
    target = tmp_path / "logo.png"
    target.write_bytes(b"old")
    done = run_cli("read", "bin://logo", "--output", str(target), *OWN)
    assert done.returncode == 0, done.stderr
    assert target.read_bytes() == b"\x89PNG\r\n\x1a\n"
    assert f"Wrote 8 bytes (image/png) to {target}" in done.stderr.decode()
    assert [p.name for p in tmp_path.iterdir()] == ["logo.png"]  # no temporary file left behind


def test_read_errors_exit_1_with_the_message():
    done = run_cli("read", "nowhere://x", *OWN)
    assert done.returncode == 1
    assert done.stderr.decode().startswith("Error: Resource not found: nowhere://x;")
    done = run_cli("read", "broken://config", *OWN)
    assert done.returncode == 1
    assert "Error: Resource 'broken' failed: ValueError: the config file is missing" in done.stderr.decode()


def test_get_prompt_prints_messages_under_their_roles():
    done = run_cli("get-prompt", "greet", "--arg", "style=formal", "-a", "times=2", *OWN)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode() == (
        "[user]\nGreet me in a formal way, 2 times.\n\n[assistant]\n[image image/png, 4 bytes]\n\n[user]\nThanks.\n"
    )
    result = json.loads(run_cli("get-prompt", "review", "-a", "code=x", "--json", *OWN).stdout)
    assert result["messages"][0]["content"]["text"] == "Please review this python code:\nx"


def test_get_prompt_errors_exit_1_with_the_message():
    done = run_cli("get-prompt", "review", *OWN)
    assert done.returncode == 1
    assert done.stderr.decode() == "Error: Prompt 'review': Invalid arguments: code: Field required\n"
    done = run_cli("get-prompt", "reveiw", *OWN)
    assert done.stderr.decode() == "Error: Unknown prompt: reveiw; did you mean review?\n"
    done = run_cli("get-prompt", "review", "-a", "code", *OWN)
    assert done.returncode == 2 and "'code' is not KEY=VALUE" in done.stderr.decode()


def test_what_cannot_be_served_is_reported_by_list_and_check(tmp_path):
    tools = tmp_path / "bad.py"
    tools.write_text(
        "from mcp_toolhost import prompt, resource\n\n"
        "@resource('notes://{name}')\ndef note(title: str) -> str:\n    return title\n\n"
        "@resource('ok://fine')\ndef fine() -> str:\n    return 'fine'\n\n"
        "@prompt\ndef odd(*words: str) -> str:\n    return ''\n"
    )
    own = ("--no-builtins", "--tools", str(tools))
    done = run_cli("list-resources", *own)
    assert done.returncode == 1
    assert done.stdout.decode().startswith("ok://fine")
    assert done.stderr.decode().endswith(
        f"Error: resource template 'notes://{{name}}' ({tools}) cannot be served:"
        " resource 'notes://{name}': the function takes no parameter for {name}\n"
    )
    done = run_cli("list-prompts", *own)
    assert done.returncode == 1 and done.stdout == b"No prompts.\n"
    assert "Error: prompt 'odd'" in done.stderr.decode() and "*words is not supported" in done.stderr.decode()
    done = run_cli("check", *own)
    assert done.returncode == 1
    assert "the function takes no parameter for {name}" in done.stdout.decode()
