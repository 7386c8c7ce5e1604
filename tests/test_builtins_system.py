"""run_command and system_info through the real process: allowlist, argv, scrubbed env, timeouts, kills."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TIMEOUT, McpProcess, run_cli, wait_until_gone
from fixtures.builtins_support import error_text, serving, structured

PROGRAMS = ("echo", "cat", "env", "sh", "sleep", "seq", "pwd")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("system")
    (folder / "sub").mkdir()
    return folder


@pytest.fixture(scope="module")
def server(root: Path) -> Iterator[McpProcess]:
    allow = [arg for name in PROGRAMS for arg in ("--allow-command", name)]
    env = {"MCP_TOOLHOST_RUN_COMMAND_MAX_OUTPUT_BYTES": "1000", "SERVER_SECRET_TOKEN": "s3cret"}
    with serving("--root", str(root), "--builtins", "system", *allow, env=env) as process:
        yield process


def test_run_command_is_off_without_an_allowlist(spawn, tmp_path: Path) -> None:
    server = spawn("serve", "--root", str(tmp_path), "--builtins", "system")
    server.initialize()
    assert [tool["name"] for tool in server.list_tools()] == ["system_info"]
    message = server.call("run_command", {"command": ["echo", "hi"]})["error"]["message"]
    assert message.startswith("Tool 'run_command' is not served: it needs --allow-command NAME")


def test_programs_outside_the_allowlist_are_refused(server: McpProcess, root: Path) -> None:
    for command in (["rm", "-rf", str(root)], ["/bin/rm", str(root)], ["./echo"], [], ["sh -c id"]):
        message = error_text(server.call("run_command", {"command": command}))
        assert "not an allowed command" in message or "command is empty" in message, message
    assert root.exists()
    assert "Allowed: cat, echo, env, pwd, seq, sh, sleep" in error_text(server.call("run_command", {"command": ["rm"]}))


def test_an_allowed_program_not_on_path_stops_the_server_at_start(tmp_path: Path) -> None:
    done = run_cli("list-tools", "--root", str(tmp_path), "--allow-command", "no-such-program-x")
    assert done.returncode != 0
    assert b"Allowed command 'no-such-program-x' was not found on PATH" in done.stderr


@pytest.mark.parametrize("path", [".", ""], ids=["dot", "empty"])
def test_relative_path_entries_never_resolve_an_allowed_program(spawn, tmp_path: Path, path: str) -> None:
    # A folder the model can write to holds an `echo` and a program found nowhere else.
    for name in ("echo", "mcpt-only-here"):
        (tmp_path / name).write_text("#!/bin/sh\necho hijacked\n")
        (tmp_path / name).chmod(0o755)
    env = {"PATH": f"{path}:{os.environ['PATH']}"}
    args = ("serve", "--root", str(tmp_path), "--builtins", "system", "--allow-command")
    refused = spawn(*args, "mcpt-only-here", cwd=tmp_path, env=env)
    assert refused.wait() != 0
    assert "Allowed command 'mcpt-only-here' was not found on PATH, whose relative entries" in refused.stderr
    server = spawn(*args, "echo", cwd=tmp_path, env=env)
    server.initialize()
    result = structured(server.call("run_command", {"command": ["echo", "real"]}))
    assert result["stdout"] == "real\n" and result["command"][0] == shutil.which("echo"), result


def test_an_absolute_path_allows_exactly_that_program(spawn, tmp_path: Path) -> None:
    echo = shutil.which("echo")
    assert echo is not None
    server = spawn("serve", "--root", str(tmp_path), "--builtins", "system", "--allow-command", echo)
    server.initialize()
    assert structured(server.call("run_command", {"command": [echo, "by path"]}))["stdout"] == "by path\n"
    message = error_text(server.call("run_command", {"command": ["cat"]}))
    assert message == f"'cat' is not an allowed command. Allowed: {echo} (--allow-command).", message


@pytest.mark.parametrize("given", ["./echo", "bin/echo"])
def test_a_relative_path_is_refused_at_start(tmp_path: Path, given: str) -> None:
    done = run_cli(
        "list-tools", "--root", str(tmp_path), "--builtins", "system", "--allow-command", given, cwd=tmp_path
    )
    assert done.returncode != 0
    expected = f"Allowed command '{given}' is a relative path, which would depend on the working directory"
    assert expected in done.stderr.decode(), done.stderr


def test_arguments_are_argv_elements_never_shell_text(server: McpProcess) -> None:
    tricky = ["$(id)", "`id`", ";", "rm -rf /", "*", "&&", "'quoted'", "$HOME"]
    result = structured(server.call("run_command", {"command": ["echo", *tricky]}))
    assert result["stdout"] == " ".join(tricky) + "\n"
    assert result["exit_code"] == 0 and result["timed_out"] is False
    assert result["command"] == [shutil.which("echo"), *tricky]


def test_stdin_is_fed_and_exit_codes_are_reported(server: McpProcess) -> None:
    assert structured(server.call("run_command", {"command": ["cat"], "stdin": "fed\nthrough\n"}))["stdout"] == (
        "fed\nthrough\n"
    )
    failed = structured(server.call("run_command", {"command": ["sh", "-c", "echo oops >&2; exit 3"]}))
    assert (failed["exit_code"], failed["stderr"], failed["stdout"]) == (3, "oops\n", "")


def test_cwd_defaults_to_the_first_root_and_is_confined(server: McpProcess, root: Path) -> None:
    assert structured(server.call("run_command", {"command": ["pwd"]}))["stdout"] == f"{root}\n"
    assert structured(server.call("run_command", {"command": ["pwd"], "cwd": "sub"}))["stdout"] == f"{root / 'sub'}\n"
    assert error_text(server.call("run_command", {"command": ["pwd"], "cwd": "/"})).startswith("Access denied")


def test_the_environment_is_scrubbed(server: McpProcess) -> None:
    result = structured(server.call("run_command", {"command": ["env"], "env": {"EXTRA": "1"}}))
    names = {line.split("=", 1)[0] for line in result["stdout"].splitlines()}
    assert "SERVER_SECRET_TOKEN" not in names and "PATH" in names and "EXTRA" in names
    assert names <= {"PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "EXTRA"}, names
    message = error_text(server.call("run_command", {"command": ["env"], "env": {"LD_PRELOAD": "/tmp/x.so"}}))
    assert message == "Setting LD_PRELOAD is not allowed: it changes how every program is loaded."


def child_environment(spawn, root: Path, env: dict[str, str], call_env: dict[str, str] | None = None) -> list[str]:
    """The lines `env` prints under a server started with `env`, given `call_env` by the call."""
    server = spawn("serve", "--root", str(root), "--builtins", "system", "--allow-command", "env", env=env)
    server.initialize()
    return structured(server.call("run_command", {"command": ["env"], "env": call_env or {}}))["stdout"].splitlines()


def test_the_child_environment_is_configurable(spawn, tmp_path: Path) -> None:
    env = {
        "MCP_TOOLHOST_RUN_COMMAND_PASS_ENV": '["PATH", "KEEP_ME"]',
        "MCP_TOOLHOST_RUN_COMMAND_ENV": '{"SET_FOR_ALL": "yes"}',
        "KEEP_ME": "kept",
        "DROP_ME": "dropped",
    }
    lines = child_environment(spawn, tmp_path, env)
    assert sorted(line.split("=", 1)[0] for line in lines) == ["KEEP_ME", "PATH", "SET_FOR_ALL"]
    assert "KEEP_ME=kept" in lines and "SET_FOR_ALL=yes" in lines


def test_secrets_the_server_hands_a_child_are_masked_in_its_output(spawn, tmp_path: Path) -> None:
    env = {
        "MCP_TOOLHOST_RUN_COMMAND_PASS_ENV": '["PATH", "MCPT_DB_URL", "MCPT_API_TOKEN"]',
        "MCP_TOOLHOST_RUN_COMMAND_ENV": '{"GITHUB_TOKEN": "ghp_configured1"}',
        "MCPT_DB_URL": "postgres://app:db-password-2@db/app",
        "MCPT_API_TOKEN": "passed-token-3",
    }
    lines = child_environment(spawn, tmp_path, env, {"MY_TOKEN": "the-call-gave-it"})
    assert "GITHUB_TOKEN=[redacted]" in lines and "MCPT_API_TOKEN=[redacted]" in lines, lines
    assert "MCPT_DB_URL=[redacted]" in lines and "MY_TOKEN=the-call-gave-it" in lines, lines


def test_output_is_truncated_with_a_flag_and_the_exit_code_kept(server: McpProcess) -> None:
    result = structured(server.call("run_command", {"command": ["seq", "1", "10000"]}))
    assert result["stdout_truncated"] is True and len(result["stdout"]) == 1000
    assert result["stdout"].startswith("1\n2\n3\n") and result["exit_code"] == 0


def test_a_hanging_command_is_killed_with_its_whole_process_group(server: McpProcess, root: Path) -> None:
    # The shell starts a background sleep, tells its pid, and waits: the timeout must kill both.
    script = "sleep 60 & echo $!; wait"
    started = time.monotonic()
    result = structured(server.call("run_command", {"command": ["sh", "-c", script], "timeout": 0.3}))
    assert result["timed_out"] is True and result["exit_code"] is None
    assert time.monotonic() - started < TIMEOUT / 2
    wait_until_gone(int(result["stdout"]))
    message = error_text(server.call("run_command", {"command": ["sleep", "1"], "timeout": 10_000}))
    assert message == "timeout must be more than 0 and at most 300 seconds (run_command_timeout)."


def test_cancelling_the_call_kills_the_process_group(server: McpProcess, root: Path) -> None:
    pid_file = root / "sleeper.pid"
    script = f"sleep 60 & echo $! > {pid_file}.tmp && mv {pid_file}.tmp {pid_file}; wait"
    server.send(
        {
            "jsonrpc": "2.0",
            "id": "cancel-me",
            "method": "tools/call",
            "params": {"name": "run_command", "arguments": {"command": ["sh", "-c", script]}},
        }
    )
    deadline = time.monotonic() + TIMEOUT
    while not pid_file.exists():  # the event: the program is running
        assert time.monotonic() < deadline, "the command never started"
    server.notify("notifications/cancelled", {"requestId": "cancel-me"})
    wait_until_gone(int(pid_file.read_text()))
    assert structured(server.call("run_command", {"command": ["echo", "still serving"]}))["stdout"] == "still serving\n"


def test_system_info(server: McpProcess, root: Path) -> None:
    info = structured(server.call("system_info"))
    assert info["os"]["system"] and info["python"]["version"].count(".") == 2
    assert info["cpus"] >= 1 and info["memory"]["total_bytes"] > 0
    assert [disk["root"] for disk in info["disks"]] == [str(root)]
    assert info["disks"][0]["total_bytes"] >= info["disks"][0]["free_bytes"] > 0
    assert info["server"]["uptime_seconds"] >= 0 and info["server"]["pid"] == server.proc.pid
