"""The README's examples run as written, so the docs cannot rot.

Each block is found by its first line (`# my_tools.py`) or its section, written to a temporary
folder as a reader would save it, and run through the real `mcp-toolhost` process. The plugin
walkthrough is run by test_plugins_cli.py, the examples/ folder by test_examples.py.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, executable, run_cli
from doc_examples import block, run_console

README = (ROOT / "README.md").read_text()


def section(heading: str) -> str:
    """The text of a `## heading` section, up to the next one."""
    return README.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def opening_commands() -> list[str]:
    """The two commands the README opens with, without their comments."""
    lines = re.search(r"```sh\n(.*?)```", README, re.S).group(1).splitlines()
    return [line.split("  #", 1)[0].strip() for line in lines]


def write_my_tools(folder: Path) -> None:
    (folder / "my_tools.py").write_text(block(README, "python", "# my_tools.py"))


def test_readme_opens_with_install_and_test_commands_that_make_a_venv_first():
    # Debian's and Ubuntu's system pip refuse to install outside a venv (PEP 668): both make one.
    venv = "python3 -m venv .venv && . .venv/bin/activate && "
    serve, test = opening_commands()
    assert serve == venv + "pip install . && mcp-toolhost"
    assert test == venv + "pip install -e '.[test]' && python -m pytest -q"
    assert "Python 3.11 or newer" in README and "pipx install ." in README
    assert 'requires-python = ">=3.11"' in (ROOT / "pyproject.toml").read_text()


def test_ci_runs_the_readmes_test_command_exactly_and_stops_on_any_failing_step():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    _, test = opening_commands()
    # `|| exit`: inside an && list `set -e` only stops at the last command (pytest's exit 5 included).
    assert f"{test} || exit" in ci


def test_writing_tools_example(tmp_path):
    write_my_tools(tmp_path)
    done = run_cli(
        "call", "forecast", "--no-builtins", "--tools", "my_tools.py", "--arg", "city=Lyon", "--raw", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["structuredContent"] == {"city": "Lyon", "celsius": 21.5, "sky": "clear"}
    refused = run_cli(
        "call", "forecast", "--no-builtins", "--tools", "my_tools.py", "-a", "city=Lyon", "-a", "days=9", cwd=tmp_path
    )
    assert refused.returncode == 1 and b"days must be between 1 and 7" in refused.stderr


def test_serve_command_of_writing_tools_serves_my_tools(spawn, tmp_path):
    write_my_tools(tmp_path)
    command = block(section("Writing tools"), "sh", "mcp-toolhost serve").split("#", 1)[0].split()
    assert command == ["mcp-toolhost", "serve", "--tools", "my_tools.py"]
    server = spawn(*command[1:], cwd=tmp_path)
    server.initialize()
    assert "forecast" in {tool["name"] for tool in server.list_tools()}


def test_command_line_transcript_runs_as_shown(tmp_path):
    write_my_tools(tmp_path)
    outputs = run_console(section("Command line"), tmp_path)
    assert any("call forecast --tools my_tools.py" in command for command in outputs), outputs


def test_server_in_code_example_serves_its_tool_and_my_tools(tmp_path):
    write_my_tools(tmp_path)
    (tmp_path / "server.py").write_text(block(README, "python", "from mcp_toolhost import ToolHost\n"))
    hello = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}
    calls = {2: ("add", {"a": 2, "b": 40}), 3: ("forecast", {"city": "Lyon"})}
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": hello},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        *(
            {"jsonrpc": "2.0", "id": id_, "method": "tools/call", "params": {"name": name, "arguments": arguments}}
            for id_, (name, arguments) in calls.items()
        ),
    ]
    # At the end of its input the server answers what is in flight and exits: the exit is the event.
    done = subprocess.run(
        [sys.executable, "server.py"],
        cwd=tmp_path,
        input="".join(json.dumps(message) + "\n" for message in messages).encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    answers = {answer["id"]: answer for answer in map(json.loads, done.stdout.splitlines())}
    assert answers[2]["result"]["structuredContent"] == {"result": 42}, answers
    assert answers[3]["result"]["structuredContent"]["sky"] == "clear", answers


def test_call_read_file_works_as_it_is_in_a_checkout():
    assert "`mcp-toolhost call read_file --arg path=README.md` works as it is" in README
    done = run_cli("call", "read_file", "--arg", "path=README.md", cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["content"] == README


def test_claude_desktop_snippet_names_the_script_by_absolute_path_and_serves(spawn, tmp_path):
    write_my_tools(tmp_path)
    config = json.loads(block(section("What it is"), "json", "{"))["mcpServers"]["toolhost"]
    # A GUI client does not inherit the venv's PATH: the command is the script's full path.
    assert config["command"] == "/home/you/project/.venv/bin/mcp-toolhost"
    assert "command -v mcp-toolhost" in README and "where mcp-toolhost" in README
    found = subprocess.run(
        ["bash", "-c", "command -v mcp-toolhost"],
        env={"PATH": f"{Path(executable()).parent}{os.pathsep}{os.environ['PATH']}"},
        capture_output=True,
        check=False,
    )
    assert found.stdout.decode().strip() == executable()
    args = [arg.replace("/home/you/project", str(tmp_path)) for arg in config["args"]]
    server = spawn(*args)
    server.initialize()
    answer = server.call("forecast", {"city": "Lyon"})
    assert answer["result"]["structuredContent"]["city"] == "Lyon", answer


def test_every_client_snippet_uses_an_absolute_command():
    configs = [json.loads(found) for found in re.findall(r"```json\n(\{\n  \"mcpServers\".*?)```", README, re.S)]
    assert len(configs) >= 3
    for config in configs:
        for server in config["mcpServers"].values():
            assert server["command"].startswith("/") and server["command"].endswith("/mcp-toolhost"), server


def test_configuration_file_example_is_read_from_the_working_directory(spawn, tmp_path):
    write_my_tools(tmp_path)
    (tmp_path / "mcp-toolhost.toml").write_text(block(section("Configuration"), "toml", "# mcp-toolhost.toml"))
    server = spawn("serve", "--no-builtins", cwd=tmp_path)
    result = server.initialize()
    assert result["instructions"] == "Use forecast for anything about the weather."
    assert [tool["name"] for tool in server.list_tools()] == ["forecast"]


def test_configuration_commands_example(tmp_path):
    run_console(section("Configuration"), tmp_path)
    assert (tmp_path / "mcp-toolhost.toml").read_text().startswith("# mcp-toolhost settings")


def test_testing_example(tmp_path):
    write_my_tools(tmp_path)
    example = block(README, "python", "import pytest\n\nfrom mcp_toolhost import ToolHost")
    (tmp_path / "test_example.py").write_text(example)
    (tmp_path / "conftest.py").write_text(
        "import pytest\n\n@pytest.fixture\ndef anyio_backend():\n    return 'asyncio'\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_example.py"],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()


def test_resources_prompts_and_completions_example(tmp_path, spawn):
    text = section("Resources, prompts and completions")
    (tmp_path / "notes.py").write_text(block(text, "python", "# notes.py"))
    run_console(text, tmp_path)
    server = spawn("serve", "--no-builtins", "--tools", "notes.py", cwd=tmp_path)
    server.initialize()
    ref = {"type": "ref/resource", "uri": "notes://{name}"}
    completion = server.request("completion/complete", {"ref": ref, "argument": {"name": "name", "value": "t"}})
    assert completion["result"]["completion"]["values"] == ["todo"]


def test_resource_updated_example_tells_subscribers(tmp_path, spawn):
    text = section("Resources, prompts and completions")
    (tmp_path / "shared_notes.py").write_text(block(text, "python", "# shared_notes.py"))
    server = spawn("serve", "--no-builtins", "--tools", "shared_notes.py", cwd=tmp_path)
    server.initialize()
    assert server.request("resources/subscribe", {"uri": "notes://todo"})["result"] == {}
    assert not server.call("set_note", {"name": "todo", "text": "eggs"})["result"].get("isError")
    (update,) = [n for n in server.notifications if n["method"] == "notifications/resources/updated"]
    assert update["params"] == {"uri": "notes://todo"}
    server.call("set_note", {"name": "other", "text": "x"})  # nobody subscribed to notes://other
    assert len([n for n in server.notifications if n["method"] == "notifications/resources/updated"]) == 1
    assert server.request("resources/read", {"uri": "notes://todo"})["result"]["contents"][0]["text"] == "eggs"
