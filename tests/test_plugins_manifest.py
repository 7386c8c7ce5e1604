"""Manifests wrap programs as tools: argv mapping, hostile arguments, the sandbox, validation.

Every program here runs for real under `mcp-toolhost serve`; the fixture scripts in
`fixtures/plugins/sandbox` report what they received.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
from pathlib import Path

import pytest
from conftest import FIXTURES, TIMEOUT, run_cli, wait_until_gone

SANDBOX = FIXTURES / "plugins" / "sandbox"

MANIFEST = f"""
[plugin]
name = "sandboxed"

[[tool]]
name = "show_argv"
description = "Print the arguments the program received, as JSON."
command = ["{sys.executable}", "{SANDBOX / "argv.py"}", "fixed", "{{word}}", "{{count}}", "{{verbose}}",
           "--name={{name}}", "{{tags}}", "{{level}}", "--", "{{rest}}"]
output = {{ format = "json" }}

[tool.parameters.word]
type = "string"
description = "Positional, before '--': may not start with '-'."

[tool.parameters.count]
type = "integer"
flag = "--count"
required = false

[tool.parameters.verbose]
type = "boolean"
flag = "-v"
default = false

[tool.parameters.name]
type = "string"
default = "anon"

[tool.parameters.tags]
type = "array"
items = {{ type = "string" }}
flag = "--tag"
default = []

[tool.parameters.level]
type = "string"
enum = ["low", "high"]
flag = "--level="
required = false

[tool.parameters.rest]
type = "array"
items = {{ type = "string" }}
default = []

[[tool]]
name = "joined"
description = "Parameters inside text, a number as a positional, a flag's value."
command = ["{sys.executable}", "{SANDBOX / "argv.py"}", "{{folder}}{{name}}", "{{n}}", "--count={{c}}", "{{level}}"]
output = {{ format = "json" }}

[tool.parameters.folder]
type = "string"
default = ""

[tool.parameters.name]
type = "string"

[tool.parameters.n]
type = "integer"
default = 1

[tool.parameters.c]
type = "integer"
required = false

[tool.parameters.level]
type = "string"
flag = "--level"
required = false

[[tool]]
name = "echo"
description = "The shell's echo, but no shell: its argument is one literal argv element."
command = ["echo", "{{text}}"]

[tool.parameters.text]
type = "string"

[[tool]]
name = "probe"
description = "What the sandbox leaves the program: environment, limits, directory."
command = ["{sys.executable}", "{SANDBOX / "probe.py"}"]
output = {{ format = "json" }}
env = {{ FIXED = "set by the manifest" }}
pass_env = ["PASSED_THROUGH"]
limits = {{ cpu_seconds = 7, memory_mb = 768, open_files = 64 }}

[[tool]]
name = "probe_in_sub"
description = "The same probe, run in a folder relative to the manifest."
command = ["{sys.executable}", "{SANDBOX / "probe.py"}"]
output = {{ format = "json" }}
cwd = "sub"

[[tool]]
name = "linger"
description = "Starts a grandchild and waits to be killed."
command = ["{sys.executable}", "{SANDBOX / "linger.py"}", "{{fifo}}"]
timeout = 2

[tool.parameters.fifo]
type = "string"

[[tool]]
name = "flood"
description = "Prints until the output cap stops it."
command = ["{sys.executable}", "{SANDBOX / "flood.py"}"]
output = {{ max_bytes = 5000 }}

[[tool]]
name = "fail"
description = "Exits with status 3 after writing to stderr."
command = ["{sys.executable}", "-c", "import sys; sys.stderr.write('it went wrong'); sys.exit(3)"]
"""


@pytest.fixture
def server(spawn, tmp_path):
    (tmp_path / "manifests" / "sub").mkdir(parents=True)
    manifest = tmp_path / "manifests" / "sandboxed.toml"
    manifest.write_text(MANIFEST)
    (tmp_path / "victim").mkdir()
    process = spawn(
        "serve", "--manifest", str(manifest), cwd=tmp_path, env={"SECRET": "s3cr3t", "PASSED_THROUGH": "yes"}
    )
    process.initialize()
    return process


def _argv(server, **arguments) -> list[str]:
    response = server.call("show_argv", arguments)
    result = response["result"]
    assert not result.get("isError"), result
    return result["structuredContent"]["result"]


def _error_text(response: dict) -> str:
    result = response["result"]
    assert result.get("isError") is True, result
    return result["content"][0]["text"]


def test_parameters_map_onto_argv(server):
    assert _argv(server, word="hello") == ["fixed", "hello", "--name=anon", "--"]
    assert _argv(
        server, word="w", count=3, verbose=True, name="x", tags=["a", "b"], level="high", rest=["r1", "r2"]
    ) == ["fixed", "w", "--count", "3", "-v", "--name=x", "--tag", "a", "--tag", "b", "--level=high", "--", "r1", "r2"]


def test_hostile_arguments_stay_literal_argv(server, tmp_path):
    hostile = ["; rm -rf victim", "$(touch pwned)", "`touch pwned2`", "a && touch pwned3 | cat > out", "'\"\\\n"]
    for value in hostile:
        assert _argv(server, word=value) == ["fixed", value, "--name=anon", "--"]
    # Leading '-' values: literal after '--', and as the value of an option.
    assert _argv(server, word="w", name="-rf", rest=["-rf", "--help"]) == [
        "fixed",
        "w",
        "--name=-rf",
        "--",
        "-rf",
        "--help",
    ]
    assert _argv(server, word="w", tags=["--delete"])[3:5] == ["--tag", "--delete"]
    # A real program with no shell: echo prints the text, it does not run it.
    echoed = server.call("echo", {"text": "$(touch pwned4); `touch pwned5`; rm -rf victim"})
    assert echoed["result"]["content"][0]["text"] == "$(touch pwned4); `touch pwned5`; rm -rf victim"
    assert (tmp_path / "victim").is_dir()
    assert not list(tmp_path.glob("pwned*")) and not (tmp_path / "out").exists()


def test_option_like_positional_values_are_refused(server):
    for value in ("-rf", "--help"):
        text = _error_text(server.call("show_argv", {"word": value}))
        assert "word: must not start with '-'" in text, text
    assert "must not contain NUL" in _error_text(server.call("show_argv", {"word": "a\0b"}))
    assert "is not one of ['low', 'high']" in _error_text(server.call("show_argv", {"word": "w", "level": "max"}))
    assert "Additional properties" in _error_text(server.call("show_argv", {"word": "w", "shell": "sh"}))


def test_every_substituted_argument_is_checked_for_a_leading_dash(server):
    # A number is an argument too, and text can start with a later parameter.
    assert "n: must not start with '-'" in _error_text(server.call("joined", {"name": "ok", "n": -1}))
    for arguments in ({"folder": "", "name": "-la"}, {"name": "-la"}):
        text = _error_text(server.call("joined", arguments))
        assert "name: makes the argument '-la' (from '{folder}{name}') start with '-'" in text, text
    text = _error_text(server.call("joined", {"folder": "-", "name": "la"}))
    assert "folder: makes the argument '-la'" in text, text
    # What the manifest itself starts with '-', and a flag's value, stay allowed.
    result = server.call("joined", {"name": "a", "c": -3, "level": "-x"})["result"]
    assert result["structuredContent"]["result"] == ["a", "1", "--count=-3", "--level", "-x"], result


def test_path_parameters_are_confined_to_the_roots(spawn, tmp_path):
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "sub").mkdir(parents=True)
    outside.mkdir()
    (root / "inside.txt").write_text("in")
    (root / "escape").symlink_to(outside)
    manifest = tmp_path / "paths.toml"
    manifest.write_text(
        f"""
[[tool]]
name = "show_paths"
description = "Print the arguments it received."
command = ["{sys.executable}", "{SANDBOX / "argv.py"}", "{{file}}", "{{more}}"]
output = {{ format = "json" }}

[tool.parameters.file]
type = "path"

[tool.parameters.more]
type = "array"
items = {{ type = "path" }}
default = []
"""
    )
    server = spawn("serve", "--no-builtins", "--root", str(root), "--manifest", str(manifest), cwd=tmp_path)
    server.initialize()
    [tool] = server.list_tools()
    assert tool["inputSchema"]["properties"]["file"]["type"] == "string", tool
    assert tool["inputSchema"]["properties"]["more"]["items"] == {"type": "string"}, tool
    result = server.call("show_paths", {"file": "inside.txt", "more": ["sub", str(root / "sub" / "..")]})["result"]
    assert result["structuredContent"]["result"] == [str(root / "inside.txt"), str(root / "sub"), str(root)], result
    for path in ("/etc/hostname", "../outside", "escape/x", "~/x"):
        text = _error_text(server.call("show_paths", {"file": path}))
        assert text.startswith("Invalid arguments: file: Access denied"), text
    text = _error_text(server.call("show_paths", {"file": "inside.txt", "more": ["sub", "/etc"]}))
    assert "more[1]: Access denied: '/etc' is outside the allowed directories" in text, text


def test_secrets_a_manifest_hands_its_program_are_masked_in_what_it_prints(spawn, tmp_path):
    script = "import os, sys; print(os.environ['DEPLOY_TOKEN']); sys.exit(os.environ['DB_URL'])"
    manifest = tmp_path / "leaky.toml"
    manifest.write_text(
        f"""
[[tool]]
name = "leak_out"
description = "Print the token it was handed."
command = ["{sys.executable}", "-c", "{script}"]
pass_env = ["DEPLOY_TOKEN", "DB_URL"]
output = {{ exit_codes = [0, 1] }}

[[tool]]
name = "leak_err"
description = "Fail with the connection string it was handed."
command = ["{sys.executable}", "-c", "{script.replace("print(os.environ['DEPLOY_TOKEN']); ", "")}"]
pass_env = ["DB_URL"]
"""
    )
    secrets = {"DEPLOY_TOKEN": "tok_0123456789abcdef", "DB_URL": "postgres://app:hunter2hunter2@db/app"}
    server = spawn("serve", "--no-builtins", "--manifest", str(manifest), cwd=tmp_path, env=secrets)
    server.initialize()
    out = json.dumps(server.call("leak_out"))
    err = json.dumps(server.call("leak_err"))
    for seen in (out, err):
        assert "tok_0123456789abcdef" not in seen and "hunter2hunter2" not in seen, seen
    assert "[redacted]" in out and "[redacted]" in err, (out, err)


def test_path_parameters_are_refused_without_a_root(spawn, tmp_path):
    manifest = tmp_path / "path.toml"
    manifest.write_text(
        f"""
[[tool]]
name = "show_path"
description = "Print the argument it received."
command = ["{sys.executable}", "{SANDBOX / "argv.py"}", "{{file}}"]

[tool.parameters.file]
type = "path"
"""
    )
    # Started in / with no --root, as Claude Desktop does: no root at all, not the whole disk.
    server = spawn("serve", "--no-builtins", "--manifest", str(manifest), cwd=Path("/"))
    server.initialize()
    text = _error_text(server.call("show_path", {"file": "etc/hostname"}))
    assert text.startswith("Invalid arguments: file: No allowed directory: none is configured"), text
    assert "--root DIR" in text, text

def test_environment_is_scrubbed_and_limits_apply(server, tmp_path):
    report = server.call("probe")["result"]["structuredContent"]
    env = report["env"]
    assert "SECRET" not in env  # the server's environment does not leak
    assert env["PASSED_THROUGH"] == "yes" and env["FIXED"] == "set by the manifest"
    assert set(env) <= {"PATH", "PASSED_THROUGH", "FIXED", "LC_CTYPE"}  # Python may set LC_CTYPE itself
    assert report["limits"] == {
        "RLIMIT_CPU": 7,
        "RLIMIT_AS": 768 * 1024 * 1024,
        "RLIMIT_NOFILE": 64,
        "RLIMIT_CORE": 0,
    }
    assert report["pgid"] == report["pid"]  # a session and process group of its own
    assert report["cwd"] == str(tmp_path)  # the server's working directory
    in_sub = server.call("probe_in_sub")["result"]["structuredContent"]
    assert in_sub["cwd"] == str(tmp_path / "manifests" / "sub")  # relative to the manifest


def test_a_manifest_without_limits_gets_the_default_limits(server):
    """probe_in_sub sets no `limits`: the settings' defaults (60 s, 2 GiB, 256 files) apply, and no core dumps."""
    report = server.call("probe_in_sub")["result"]["structuredContent"]

    def default(which: int, value: int) -> int:  # a limit is never raised above the server's own hard limit
        hard = resource.getrlimit(which)[1]
        return value if hard == resource.RLIM_INFINITY else min(value, hard)

    assert report["limits"] == {
        "RLIMIT_CPU": default(resource.RLIMIT_CPU, 60),
        "RLIMIT_AS": default(resource.RLIMIT_AS, 2 * 1024**3),
        "RLIMIT_NOFILE": default(resource.RLIMIT_NOFILE, 256),
        "RLIMIT_CORE": 0,
    }


def _read_pids(fifo: Path) -> list[int]:
    """The pids the `linger` program writes into the FIFO (blocks until it does; bounded by a thread)."""
    found: list[int] = []
    reader = threading.Thread(target=lambda: found.extend(map(int, fifo.read_text().split())), daemon=True)
    reader.start()
    reader.join(TIMEOUT)
    assert found, "the program never wrote its pids"
    return found


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="needs pidfd_open (Linux 5.3+)")
def test_timeout_kills_the_whole_process_group(server, tmp_path):
    fifo = tmp_path / "pids"
    os.mkfifo(fifo)
    server.send(
        {
            "jsonrpc": "2.0",
            "id": "t",
            "method": "tools/call",
            "params": {"name": "linger", "arguments": {"fifo": str(fifo)}},
        }
    )
    program, grandchild = _read_pids(fifo)
    text = _error_text(server.recv_response("t"))
    assert "did not finish within 2 seconds; it was stopped (process group killed)" in text
    wait_until_gone(program)
    wait_until_gone(grandchild)


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="needs pidfd_open (Linux 5.3+)")
def test_cancellation_kills_the_whole_process_group(server, tmp_path):
    fifo = tmp_path / "pids"
    os.mkfifo(fifo)
    server.send(
        {
            "jsonrpc": "2.0",
            "id": "c",
            "method": "tools/call",
            "params": {"name": "linger", "arguments": {"fifo": str(fifo)}},
        }
    )
    program, grandchild = _read_pids(fifo)
    server.notify("notifications/cancelled", {"requestId": "c"})
    wait_until_gone(program)
    wait_until_gone(grandchild)
    assert server.request("ping")["result"] == {}  # and no answer to the cancelled call came before it


def test_output_is_capped_with_a_truncation_flag(server):
    result = server.call("flood")["result"]
    assert not result.get("isError"), result
    output, note = result["content"]
    assert len(output["text"]) == 5000
    assert note["text"].startswith("[output truncated: only the first 5000 bytes are shown")


def test_exit_status_outside_the_policy_is_an_error_with_stderr(server):
    text = _error_text(server.call("fail"))
    assert "exited with status 3" in text and "it went wrong" in text


def test_invalid_manifest_errors_name_file_line_and_field(tmp_path):
    cases = {
        'name = "x"\ndescription = "d"\ncommand = ["echo", "{missing}"]\n': (
            4,
            "tool 'x': command: item 1 ('{missing}') names no parameter 'missing'",
        ),
        'name = "x"\ndescription = "d"\ncommand = ["echo"]\ntimeout = "soon"\n': (5, "tool 'x': timeout: 'soon'"),
        'name = "x"\ndescription = "d"\ncommand = ["echo"]\nshell = true\n': (5, "tool 'x': unknown key 'shell'"),
        'name = "x"\ndescription = "d"\ncommand = ["{prog}"]\n[tool.parameters.prog]\ntype = "string"\n': (
            4,
            "the program (first item) cannot be a parameter",
        ),
        'name = "x"\ndescription = "d"\ncommand = ["echo", "{on}"]\n[tool.parameters.on]\ntype = "boolean"\n': (
            5,
            "tool 'x': parameters.on.flag: a boolean parameter needs a flag",
        ),
    }
    manifests = []
    for number, body in enumerate(cases):
        manifests += ["--manifest", str(tmp_path / f"bad{number}.toml")]
        (tmp_path / f"bad{number}.toml").write_text("[[tool]]\n" + body)
    (tmp_path / "notoml.toml").write_text("[[tool]\nname = 1\n")
    result = run_cli("check", "--no-entry-points", *manifests, "--manifest", str(tmp_path / "notoml.toml"))
    out = result.stdout.decode()
    assert result.returncode == 1, out
    for number, (line, message) in enumerate(cases.values()):
        assert f"bad{number}.toml:{line}: " in out and message in out, out
    assert "notoml.toml:1: not valid TOML" in out, out


def _check_refuses(manifest: Path, text: str) -> tuple[str, str]:
    """Write `text` to `manifest`, run `check` on it alone; it fails. Returns (stdout, stderr)."""
    manifest.write_text(text)
    result = run_cli("check", "--no-entry-points", "--no-builtins", "--manifest", str(manifest))
    out, err = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 1, out
    return out, err


def test_every_problem_of_a_manifest_is_reported_once_with_suggestions(tmp_path):
    out, err = _check_refuses(
        tmp_path / "bad.toml",
        '[[tool]]\nname = "x"\ndescription = "d"\ncomand = ["echo"]\n\n'
        '[[tool]]\nname = "y"\ndescription = "d"\ncommand = ["echo", "{pth}"]\n\n'
        '[tool.parameters.path]\ntype = "path"\nflg = "-p"\n\n'
        '[[tool]]\nname = "z"\ndescription = "d"\ncommand = ["echo", "{n}"]\nstdin = "txt"\ntimeout = "soon"\n\n'
        '[tool.parameters.n]\ntype = "integer"\n\n[tool.parameters.text]\ntype = "string"\n\n'
        '[[tool]]\nname = "w"\ndescription = "d"\ncommand = ["echo"]\n\n'
        '[[tool]]\nname = "w"\ndescription = "d"\ncommand = ["echo"]\n',
    )
    expected = [
        "bad.toml:4: tool 'x': unknown key 'comand' (did you mean 'command'?)",
        "bad.toml:9: tool 'y': command: item 1 ('{pth}') names no parameter 'pth' (did you mean 'path'?)",
        "bad.toml:13: tool 'y': parameters.path: unknown key 'flg' (did you mean 'flag'?)",
        "bad.toml:19: tool 'z': stdin: 'txt' is not a parameter of this tool (did you mean 'text'?)",
        "bad.toml:20: tool 'z': timeout: 'soon' is not of type 'number'",
        "bad.toml:34: tool 'w': name: another tool is already named 'w'",
    ]
    for message in expected:
        assert out.count(message) == 1, out
    assert "tool[" not in out, out
    assert "bad.toml" not in err, err  # the report says it; the log does not repeat it


def test_every_missing_program_is_reported(tmp_path):
    out, _ = _check_refuses(
        tmp_path / "gone.toml",
        '[[tool]]\nname = "a"\ndescription = "d"\ncommand = ["no-such-program-a"]\n\n'
        '[[tool]]\nname = "b"\ndescription = "d"\ncommand = ["./no-such-program-b"]\n',
    )
    assert "tool 'a': program 'no-such-program-a' not found on PATH" in out, out
    assert "tool 'b': program './no-such-program-b' is not an executable file" in out, out


def test_non_finite_numbers_are_refused_at_load(tmp_path):
    out, _ = _check_refuses(
        tmp_path / "nan.toml",
        '[[tool]]\nname = "slow"\ndescription = "d"\ncommand = ["echo", "{n}"]\ntimeout = nan\n\n'
        '[tool.parameters.n]\ntype = "number"\nminimum = -inf\nmaximum = +inf\ndefault = nan\n',
    )
    for line, field, value in (
        (5, "timeout", "nan"),
        (9, "parameters.n.minimum", "-inf"),
        (10, "parameters.n.maximum", "inf"),
        (11, "parameters.n.default", "nan"),
    ):
        assert f"nan.toml:{line}: tool 'slow': {field}: must be a finite number, not {value}" in out, out


def test_manifest_schema_is_published():
    result = run_cli("manifest-schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    tool = schema["properties"]["tool"]["items"]
    assert {"name", "description", "command"} <= set(tool["required"])
    assert {"flag", "type", "default", "enum"} <= set(
        tool["properties"]["parameters"]["additionalProperties"]["properties"]
    )
    parameter = tool["properties"]["parameters"]["additionalProperties"]["properties"]
    assert "path" in parameter["type"]["enum"] and "path" in parameter["items"]["properties"]["type"]["enum"]
    assert "inside the allowed roots" in parameter["type"]["description"]
