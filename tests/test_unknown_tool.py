"""A call to a tool that is not served says why and how to serve it, or the near misses."""

import pytest
from conftest import FIXTURES, run_cli

TOOLS = str(FIXTURES / "core_tools.py")
MODERN = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
}


def refusal(server, name, *, stateless):
    """The -32602 message for a tools/call of `name`, in either protocol era."""
    if stateless:
        response = server.request("tools/call", {"name": name, "arguments": {}, "_meta": MODERN})
    else:
        response = server.call(name)
    assert response["error"]["code"] == -32602, response
    return response["error"]["message"]


@pytest.mark.parametrize("stateless", [False, True], ids=["handshake", "2026-07-28"])
def test_hidden_built_ins_say_which_flag_hides_them(spawn, tmp_path, stateless):
    server = spawn("serve", "--root", str(tmp_path), "--read-only", "--builtins", "files,system,data")
    if not stateless:
        server.initialize()
    assert refusal(server, "write_file", stateless=stateless) == (
        "Tool 'write_file' is not served: it is hidden by --read-only (read_only in the config), as it changes things"
    )
    assert refusal(server, "run_command", stateless=stateless) == (
        "Tool 'run_command' is not served: it needs --allow-command NAME (allow_commands in the config)"
        " for each program it may run"
    )
    assert refusal(server, "http_request", stateless=stateless) == (
        "Tool 'http_request' is not served: its built-in group 'http' is not served;"
        " add it: --builtins files,system,data,http (builtins in the config)"
    )
    assert refusal(server, "read_fil", stateless=stateless) == (
        "Unknown tool: read_fil; did you mean read_file, read_media_file or search_files?"
    )
    assert refusal(server, "frobnicate", stateless=stateless) == "Unknown tool: frobnicate"
    assert server.request("ping")["result"] == {}  # and it keeps serving


def test_built_ins_turned_off_say_so(spawn):
    server = spawn("serve", "--no-builtins", "--tools", TOOLS)
    server.initialize()
    assert refusal(server, "read_file", stateless=False) == (
        "Tool 'read_file' is not served: the built-in tools are off (--no-builtins, or builtins = [] in the config)"
    )
    assert refusal(server, "ad", stateless=False) == "Unknown tool: ad; did you mean add?"


def test_tools_disabled_by_the_lists_name_the_pattern(spawn, tmp_path):
    config = tmp_path / "mcp-toolhost.toml"
    config.write_text('disable_tools = ["point", "fa*"]\n')
    server = spawn("serve", "--no-builtins", "--tools", TOOLS, "--config", str(config))
    server.initialize()
    assert refusal(server, "fail", stateless=False) == (
        "Tool 'fail' is not served: it is disabled by --disable-tool 'fa*' (disable_tools in the config)"
    )
    server = spawn("serve", "--no-builtins", "--tools", TOOLS, "--enable-tool", "add", "--enable-tool", "wait")
    server.initialize()
    assert refusal(server, "point", stateless=False) == (
        "Tool 'point' is not served: it matches no --enable-tool pattern ('add', 'wait'; enable_tools in the config)"
    )


@pytest.mark.parametrize(
    ("flag", "tool", "reason"),
    [
        (
            "--disable-tool=alpha.*",
            "alpha_add",
            "it is disabled by --disable-tool 'alpha.*' (disable_tools in the config)",
        ),
        (
            "--disable-plugin=word*",
            "count_words",
            "its plugin 'wordcount' is disabled by --disable-plugin 'word*' (disable_plugins in the config)",
        ),
    ],
)
def test_plugin_tools_disabled_by_the_lists_name_the_pattern(spawn, flag, tool, reason):
    server = spawn("serve", "--no-builtins", "--plugins", str(FIXTURES / "plugins" / "mixed"), flag)
    server.initialize()
    assert refusal(server, tool, stateless=False) == f"Tool {tool!r} is not served: {reason}"


def test_the_cli_call_gives_the_same_reason():
    done = run_cli("call", "write_file", "--read-only")
    assert done.returncode == 1 and done.stdout == b""
    assert b"Tool 'write_file' is not served: it is hidden by --read-only" in done.stderr
