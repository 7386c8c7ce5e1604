"""What `call`, `list-tools` and `describe` print, on a terminal and through a pipe, and the
global options every command takes."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import termios

import click
import pytest
from conftest import FIXTURES, TIMEOUT, executable, run_cli

from mcp_toolhost.cli import main

TOOLS = str(FIXTURES / "core_tools.py")
OWN = ("--no-builtins", "--tools", TOOLS)
ESC = b"\x1b["


def run_piped(*args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    """Run with stdout a pipe, without the caller's COLUMNS and NO_COLOR unless given."""
    base = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR")}
    return subprocess.run(
        [executable(), *args], capture_output=True, env={**base, **env}, timeout=TIMEOUT * 4, check=False
    )


def run_in_terminal(*args: str, columns: int = 80, **env: str) -> tuple[int, str]:
    """Run with stdout a terminal `columns` wide; returns the exit status and what it printed."""
    main_fd, child_fd = pty.openpty()
    fcntl.ioctl(child_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    base = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR")}
    proc = subprocess.Popen(
        [executable(), *args], stdin=subprocess.DEVNULL, stdout=child_fd, stderr=subprocess.DEVNULL, env={**base, **env}
    )
    os.close(child_fd)
    chunks = []
    while True:  # until the terminal closes (EIO once the child and its output are gone)
        try:
            chunk = os.read(main_fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main_fd)
    status = proc.wait(TIMEOUT)
    return status, b"".join(chunks).decode().replace("\r\n", "\n")


# --- call ------------------------------------------------------------------------------


def test_structured_content_is_indented_json_and_not_repeated(tmp_path):
    (tmp_path / "notes.txt").write_text("buy milk\nfix the TODO list\n")
    done = run_piped("call", "read_file", "--root", str(tmp_path), "-a", f"path={tmp_path / 'notes.txt'}")
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode()
    assert text.startswith('{\n  "path": ') and text.count('"content"') == 1
    assert json.loads(text)["content"] == "buy milk\nfix the TODO list\n"


def test_a_wrapped_value_prints_as_itself():
    assert run_piped("call", "add", *OWN, "-a", "a=2", "-a", "b=40").stdout == b"42\n"


def test_binary_content_is_summarised_not_dumped():
    done = run_piped("call", "mixed", *OWN)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().splitlines() == [
        "a caption",
        "[audio audio/wav, 4 bytes]",
        "[link report.pdf: file:///tmp/report.pdf]",
        "some notes",
        "[resource file:///tmp/blob.bin, 2 bytes]",
    ]
    assert run_piped("call", "pixel", *OWN).stdout == b"[image image/png, 8 bytes]\n"


def test_json_prints_the_call_tool_result_as_one_document():
    done = run_piped("call", "point", *OWN, "-a", "x=1", "-a", "y=2", "--json")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(b"\n") == 1
    assert json.loads(done.stdout) == {
        "content": [{"type": "text", "text": '{"x":1,"y":2}'}],
        "structuredContent": {"x": 1, "y": 2},
    }
    failed = run_piped("call", "fail", *OWN, "-a", "message=boom", "--json")
    assert failed.returncode == 1 and json.loads(failed.stdout)["isError"] is True
    both = run_piped("call", "point", *OWN, "--json", "--raw")
    assert both.returncode == 2 and b"--json and --raw" in both.stderr


def test_json_is_coloured_on_a_terminal_only_and_never_with_no_color():
    args = ("call", "point", *OWN, "-a", "x=1", "-a", "y=2")
    status, shown = run_in_terminal(*args)
    assert status == 0 and ESC.decode() in shown
    assert json.loads(_strip_ansi(shown)) == {"x": 1, "y": 2}
    status, plain = run_in_terminal(*args, NO_COLOR="1")
    assert status == 0 and ESC.decode() not in plain and json.loads(plain) == {"x": 1, "y": 2}
    assert ESC not in run_piped(*args).stdout


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


# --- list-tools --------------------------------------------------------------------------


@pytest.mark.parametrize("columns", [30, 72])
def test_list_tools_wraps_at_words_to_the_terminal_width(columns):
    status, shown = run_in_terminal("list-tools", *OWN, columns=columns)
    assert status == 0
    lines = shown.rstrip("\n").splitlines()
    assert max(len(line) for line in lines) <= columns
    piped = run_piped("list-tools", *OWN).stdout.decode().splitlines()
    # The same words, none cut: each tool's line, joined up again, is its whole line when piped.
    assert " ".join(" ".join(lines).split()) == " ".join(" ".join(piped).split())
    assert len(lines) > len(piped)


def test_list_tools_through_a_pipe_keeps_one_whole_line_a_tool_unless_columns_is_set():
    piped = run_piped("list-tools", *OWN).stdout.decode().splitlines()
    add = next(line for line in piped if line.startswith("add "))
    assert add.endswith("Add numbers - Add two integers. [read-only, idempotent]")
    narrow = run_piped("list-tools", *OWN, COLUMNS="40").stdout.decode().splitlines()
    assert max(len(line) for line in narrow) <= 40 and len(narrow) > len(piped)


# --- describe and call TOOL --help -------------------------------------------------------


DESCRIBED_ADD = """\
add - Add numbers

Add two integers.

Parameters:
  a  (integer; required)
      The first addend.
  b  (integer; default 0)
      The second addend

Output (structuredContent):
  result  (integer; required)

Annotations:
  readOnlyHint: true
  idempotentHint: true

Call it: mcp-toolhost call add -a a=VALUE [-a b=VALUE]
"""


@pytest.mark.parametrize("command", [("describe", "add"), ("call", "add", "--help")])
def test_describe_shows_parameters_output_schema_and_annotations(command):
    done = run_piped(*command, *OWN)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode() == DESCRIBED_ADD


def test_describe_json_is_the_tools_list_entry():
    done = run_piped("describe", "add", "--json", *OWN)
    entry = json.loads(done.stdout)
    assert entry["name"] == "add" and entry["inputSchema"]["required"] == ["a"]


def test_describe_of_a_tool_not_served_says_why():
    done = run_piped("describe", "write_file", "--read-only")
    assert done.returncode == 1 and done.stdout == b""
    assert b"Tool 'write_file' is not served: it is hidden by --read-only" in done.stderr
    done = run_piped("call", "ad", "--help", *OWN)
    assert done.returncode == 1 and b"Unknown tool: ad; did you mean add?" in done.stderr


def test_call_help_without_a_tool_is_the_command_help():
    done = run_piped("call", "--help")
    assert done.returncode == 0 and b"Usage: mcp-toolhost call [OPTIONS] TOOL" in done.stdout
    missing = run_piped("call")
    assert missing.returncode == 2 and b"Missing argument 'TOOL'" in missing.stderr


# --- global options ----------------------------------------------------------------------


GLOBAL = ("--log-level", "info", "--log-format", "json", "--no-builtins", "--tools", TOOLS)


def leaf_commands() -> list[tuple[str, ...]]:
    """Every command line that runs something: a group's commands in place of the group.

    `config schema`, `config init` and `uninstall` read no settings (they print or write the
    config file's form, or remove our entry from a client's file), so they take none.
    """
    leaves = []
    for name, command in sorted(main.commands.items()):
        if isinstance(command, click.Group):
            leaves += [(name, sub) for sub in sorted(command.commands) if (name, sub) not in NO_SETTINGS]
        else:
            leaves += [(name,)] if (name,) not in NO_SETTINGS else []
    return leaves


NO_SETTINGS = {("config", "schema"), ("config", "init"), ("uninstall",)}


@pytest.mark.parametrize("command", leaf_commands(), ids=" ".join)
def test_every_command_takes_the_global_options(command):
    done = run_cli(*command, *GLOBAL, "--help")
    assert done.returncode == 0, done.stderr.decode()
    assert b"--log-level" in done.stdout and b"--config" in done.stdout


def test_manifest_schema_and_new_plugin_apply_the_global_options(tmp_path):
    done = run_cli("manifest-schema", "--log-level", "debug", "--log-format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["title"] == "mcp-toolhost manifest"
    made = run_cli("new-plugin", "greeter", "--log-level", "info", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "greeter").is_dir()
