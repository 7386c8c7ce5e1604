"""Plain `mcp-toolhost`, as Claude Desktop starts it: built-ins on, the working directory as root."""

import json
import os
import pty
import select
import subprocess

from conftest import TIMEOUT, executable


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
