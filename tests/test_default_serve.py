"""Plain `mcp-toolhost`, as Claude Desktop starts it: built-ins on, the working directory as root
unless that is `/`, the home directory or above it."""

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TIMEOUT, executable, run_cli

GUIDANCE = (
    'Give one: start the server with --root DIR, set roots = ["DIR"] in its config file, or use a client that'
    " offers roots (MCP roots/list)."
)


def test_bare_command_serves_the_builtins_rooted_in_the_working_directory(spawn, tmp_path):
    (tmp_path / "notes.txt").write_text("first line\nsecond line\n")
    server = spawn(cwd=tmp_path)  # no sub-command at all
    server.initialize()
    names = {tool["name"] for tool in server.list_tools()}
    assert {"read_file", "write_file", "http_request", "json_query", "system_info", "get_env"} <= names
    assert "run_command" not in names  # off until a program is allowed
    roots = server.call("list_allowed_directories")["result"]["structuredContent"]
    assert str(tmp_path.resolve()) in json.dumps(roots)
    read = server.call("read_file", {"path": "notes.txt"})["result"]
    assert not read.get("isError") and "second line" in json.dumps(read["structuredContent"])
    outside = server.call("read_file", {"path": "/etc/hostname"})["result"]
    assert outside["isError"] is True


@pytest.mark.parametrize(
    ("where", "why"),
    [
        ("/", "is the file system's root"),
        ("home", "is the home directory"),
        ("above home", "is above the home directory"),
        ("account home", "is the home directory"),  # $HOME empty: the account's home still counts
    ],
)
def test_no_root_when_started_in_a_folder_too_broad_to_serve(spawn, tmp_path, where, why):
    home = tmp_path / "home" / "you"
    home.mkdir(parents=True)
    (home / "notes.txt").write_text("private\n")
    env = {"HOME": str(home)}
    cwd = {"/": Path("/"), "home": home, "above home": home.parent}.get(where)
    if where == "account home":
        import pwd

        env["HOME"], cwd = "", Path(pwd.getpwuid(os.getuid()).pw_dir)
        if not cwd.is_dir() or cwd.resolve() == Path("/"):
            pytest.skip(f"this account's home {cwd} is not an ordinary folder")
    server = spawn("--allow-command", sys.executable, cwd=cwd, env=env)
    server.initialize()
    note = server.wait_for_stderr("the file tools will refuse every path.")
    assert GUIDANCE in note, note
    listed = server.call("list_allowed_directories")["result"]
    assert not listed.get("isError") and listed["structuredContent"]["directories"] == [], listed
    reason = listed["structuredContent"]["reason"]
    assert f"the working directory {cwd.resolve()} {why}" in reason and GUIDANCE in reason, reason
    refused = {
        "read_file": {"path": str(home / "notes.txt")},
        "write_file": {"path": "new.txt", "content": "x"},
        "list_directory": {"path": "."},
        "json_query": {"path": "data.json", "expression": "a"},
        "run_command": {"command": [sys.executable, "-c", "pass"]},
    }
    for name, arguments in refused.items():
        result = server.call(name, arguments)["result"]
        assert result.get("isError") is True and result["content"][0]["text"] == reason, (name, result)
    assert not (cwd / "new.txt").exists()


def test_a_root_given_is_served_wherever_the_server_starts(spawn, tmp_path):
    (tmp_path / "notes.txt").write_text("mine\n")
    server = spawn("--root", str(tmp_path), cwd=Path("/"))
    server.initialize()
    listed = server.call("list_allowed_directories")["result"]["structuredContent"]
    assert listed == {"directories": [str(tmp_path.resolve())], "source": "configured (--root, roots)"}, listed
    read = server.call("read_file", {"path": "notes.txt"})["result"]
    assert read["structuredContent"]["content"] == "mine\n", read
    assert "refuse every path" not in server.stderr


def test_a_project_folder_below_home_is_still_the_root(spawn, tmp_path):
    project = tmp_path / "home" / "you" / "project"
    project.mkdir(parents=True)
    (project / "notes.txt").write_text("project\n")
    server = spawn(cwd=project, env={"HOME": str(project.parent)})
    server.initialize()
    listed = server.call("list_allowed_directories")["result"]["structuredContent"]
    assert listed == {"directories": [str(project.resolve())], "source": "the working directory"}, listed
    read = server.call("read_file", {"path": "notes.txt"})["result"]
    assert read["structuredContent"]["content"] == "project\n", read


def test_call_from_the_file_system_root_is_refused_with_the_guidance():
    done = run_cli("call", "read_file", "--arg", "path=etc/hostname", cwd=Path("/"))
    assert done.returncode == 1 and done.stdout == b"", done
    assert GUIDANCE.encode() in done.stderr, done.stderr


def test_a_user_tool_replacing_a_builtin_is_warned_about(spawn, tmp_path):
    tools = tmp_path / "mine.py"
    tools.write_text(
        "from mcp_toolhost import tool\n\n@tool\ndef read_file(path: str) -> str:\n    '''Mine.'''\n    return 'mine'\n"
    )
    server = spawn("serve", "--tools", str(tools), cwd=tmp_path)
    server.initialize()
    assert server.call("read_file", {"path": "x"})["result"]["content"][0]["text"] == "mine"
    server.close_stdin()
    assert server.wait() == 0
    assert "built-in tool read_file is replaced by" in server.stderr


def test_bare_command_on_a_terminal_says_what_it_is_on_stderr_only():
    terminal, stdin = pty.openpty()
    proc = subprocess.Popen([executable()], stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(stdin)
    try:
        assert select.select([proc.stderr], [], [], TIMEOUT)[0], "nothing on stderr"
        line = proc.stderr.readline().decode()
        assert "MCP server" in line and "--help" in line and "list-tools" in line, line
        os.write(terminal, b"\x04")  # Ctrl-D: end of input on a terminal
        stdout, _ = proc.communicate(timeout=TIMEOUT)
        assert stdout == b"" and proc.returncode == 0
    finally:
        os.close(terminal)
        proc.kill()
        proc.wait()


@pytest.mark.parametrize(("where", "why"), [("/", "is the file system's root"), ("home", "is the home directory")])
def test_2026_07_28_no_root_when_started_in_a_folder_too_broad_to_serve(spawn, tmp_path, where, why):
    home = tmp_path / "home" / "you"
    home.mkdir(parents=True)
    (home / "notes.txt").write_text("private\n")
    cwd = Path("/") if where == "/" else home
    server = spawn(cwd=cwd, env={"HOME": str(home)})
    envelope = {  # a stateless call of a client that offers no roots
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    listed = server.call("list_allowed_directories", _meta=envelope)["result"]
    assert listed["resultType"] == "complete" and listed["structuredContent"]["directories"] == [], listed
    reason = listed["structuredContent"]["reason"]
    assert f"the working directory {cwd.resolve()} {why}" in reason and GUIDANCE in reason, reason
    refused = server.call("read_file", {"path": str(home / "notes.txt")}, _meta=envelope)["result"]
    assert refused["isError"] is True and refused["content"][0]["text"] == reason, refused
