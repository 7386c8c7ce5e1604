"""stdout is sacred: nothing but protocol messages reaches it, whoever writes."""

import json

from conftest import FIXTURES, run_cli

TOOLS = str(FIXTURES / "core_tools.py")
NOISY_AT_IMPORT = FIXTURES / "noisy_import.py"


def assert_only_protocol_lines(raw_lines):
    for line in raw_lines:
        message = json.loads(line)  # raises on any stray text
        assert message["jsonrpc"] == "2.0", line


def test_prints_fd1_writes_children_and_warnings_go_to_stderr(spawn):
    server = spawn("serve", "--no-builtins", "--tools", TOOLS, "--tools", str(NOISY_AT_IMPORT))
    server.initialize()
    result = server.call("noisy")["result"]
    assert result["content"][0]["text"] == "quiet on stdout"
    server.call("fail", {"message": "logged with a traceback"})
    server.close_stdin()
    assert server.wait() == 0
    assert_only_protocol_lines(server.raw_stdout)
    stderr = server.stderr
    for text in (
        "print at import time",
        "print from a tool",
        "sys.stdout.write from a tool",
        "os.write to fd 1 from a tool",
        "child process writing to fd 1",
        "a warning from a tool",
    ):
        assert text in stderr, f"{text!r} not on stderr:\n{stderr}"


def test_call_command_keeps_tool_output_off_stdout():
    done = run_cli("call", "noisy", "--no-builtins", "--tools", TOOLS, "--tools", str(NOISY_AT_IMPORT))
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"quiet on stdout\n"
    assert b"print from a tool" in done.stderr and b"print at import time" in done.stderr


def test_list_tools_json_is_clean_json_even_with_noisy_imports():
    done = run_cli("list-tools", "--json", "--no-builtins", "--tools", str(NOISY_AT_IMPORT))
    assert done.returncode == 0, done.stderr
    assert [tool["name"] for tool in json.loads(done.stdout)["tools"]] == ["hush"]


def test_logs_go_to_stderr_as_json_when_asked(spawn):
    server = spawn("serve", "--no-builtins", "--log-level", "debug", "--log-format", "json")
    server.initialize()
    server.close_stdin()
    assert server.wait() == 0
    assert_only_protocol_lines(server.raw_stdout)
    records = [json.loads(line) for line in server.stderr.splitlines() if line.startswith("{")]
    assert any(record.get("event", "").startswith("initialized") for record in records), server.stderr


def test_requests_from_a_file_and_answers_to_a_file(tmp_path):
    """Scripts redirect regular files, which cannot be polled: served all the same."""
    import subprocess

    from conftest import executable

    requests = tmp_path / "requests.jsonl"
    requests.write_text(
        '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{}}}\n'
        '{"jsonrpc":"2.0","id":2,"method":"ping"}\n'
    )
    answers = tmp_path / "answers.jsonl"
    with requests.open("rb") as stdin, answers.open("wb") as stdout:
        done = subprocess.run([executable(), "serve", "--no-builtins"], stdin=stdin, stdout=stdout, timeout=30)
    assert done.returncode == 0
    assert [json.loads(line)["id"] for line in answers.read_text().splitlines()] == [1, 2]


def test_stdin_from_dev_null_exits_cleanly():
    import subprocess

    from conftest import executable

    done = subprocess.run(
        [executable(), "serve", "--no-builtins"], stdin=subprocess.DEVNULL, capture_output=True, timeout=30
    )
    assert done.returncode == 0 and done.stdout == b"", done.stderr


def test_utf8_both_ways_whatever_the_locale(spawn):
    env = {"LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": "ascii", "PYTHONUTF8": "0"}
    server = spawn("serve", "--no-builtins", "--tools", str(FIXTURES / "core_tools.py"), env=env)
    server.initialize()
    text = "héllo ✓ 😀 \u2028 \\n \t end"
    response = server.call("refuse", {"message": text})
    assert response["result"]["content"][0]["text"] == text
    assert all(line.count(b"\n") == 1 and line.endswith(b"\n") for line in server.raw_stdout)


def test_server_exits_when_the_client_closes_its_stdout():
    import os
    import subprocess

    from conftest import executable

    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        [executable(), "serve", "--no-builtins"], stdin=subprocess.PIPE, stdout=write_end, stderr=subprocess.PIPE
    )
    os.close(write_end)
    try:
        server.stdin.write(b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n')
        server.stdin.flush()
        assert os.read(read_end, 100).startswith(b'{"jsonrpc":"2.0","id":1')  # serving
        os.close(read_end)  # the client stops listening; the server's stdin stays open
        server.stdin.write(b'{"jsonrpc":"2.0","id":2,"method":"ping"}\n')
        server.stdin.flush()
        assert server.wait(timeout=10) == 0
    finally:
        server.kill()
        server.wait()
