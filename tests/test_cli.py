"""The command line as people use it: list-tools, call, --version, and errors with exit statuses."""

import json

from conftest import FIXTURES, run_cli

from mcp_toolhost import __version__

TOOLS = str(FIXTURES / "core_tools.py")
OWN = ("--no-builtins", "--tools", TOOLS)


def test_version():
    done = run_cli("--version")
    assert done.returncode == 0 and __version__ in done.stdout.decode()


def test_list_tools_table_shows_name_title_description_and_hints():
    done = run_cli("list-tools", *OWN)
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.decode().splitlines() if line.startswith("add "))
    assert "Add numbers" in line and "Add two integers." in line and "[read-only, idempotent]" in line


def test_list_tools_json_is_the_tools_list_result(spawn):
    listed = json.loads(run_cli("list-tools", "--json", *OWN).stdout)
    server = spawn("serve", *OWN)
    server.initialize()
    assert listed == {"tools": server.list_tools()}


def test_call_with_key_value_arguments_coerced_by_schema():
    done = run_cli("call", "add", *OWN, "--arg", "a=2", "-a", "b=40")
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"42\n"


def test_string_parameters_keep_their_text():
    done = run_cli("call", "refuse", *OWN, "--arg", "message=123")
    assert done.returncode == 1
    assert done.stderr == b"123\n" and done.stdout == b""


def test_call_with_json_arguments_and_raw_output():
    done = run_cli("call", "point", *OWN, "--args", '{"x": 1, "y": 2}', "--raw")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["structuredContent"] == {"x": 1, "y": 2}
    assert done.stdout.startswith(b'{\n  "content"')  # indented, as before --json existed


def test_error_result_goes_to_stderr_and_exits_1():
    done = run_cli("call", "fail", *OWN, "--arg", "message=boom")
    assert done.returncode == 1 and done.stdout == b""
    assert b"ValueError: boom" in done.stderr


def test_unknown_tool_exits_1_with_the_reason_on_stderr():
    done = run_cli("call", "nope", *OWN)
    assert done.returncode == 1
    assert b"Unknown tool: nope" in done.stderr and done.stdout == b""


def test_bad_json_arguments_are_a_usage_error():
    done = run_cli("call", "add", *OWN, "--args", "{not json")
    assert done.returncode == 2 and b"not valid JSON" in done.stderr


def test_missing_tools_file_is_a_clear_error():
    done = run_cli("list-tools", "--no-builtins", "--tools", "does/not/exist.py")
    assert done.returncode == 1 and b"not found" in done.stderr


def test_broken_config_file_is_a_clear_error(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("tool_timeout = [")
    done = run_cli("list-tools", "--config", str(config))
    assert done.returncode == 2 and b"not valid TOML" in done.stderr
    config.write_text("tool_timout = 3\n")
    done = run_cli("list-tools", "--config", str(config))
    assert done.returncode == 2 and b"unknown setting 'tool_timout'" in done.stderr
    assert b"Usage:" not in done.stderr, "a settings problem is not a command-line usage error"


def test_tools_by_importable_module_name(spawn, tmp_path):
    package = tmp_path / "acme_tools"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "maths.py").write_text(
        "from mcp_toolhost import prompt, resource, tool\n\n"
        "@tool\ndef double(x: int) -> int:\n    '''Twice x.'''\n    return 2 * x\n\n"
        "@resource('maths://pi')\ndef pi() -> float:\n    return 3.14\n\n"
        "@prompt\ndef explain(x: int) -> str:\n    return f'Explain {x}'\n"
    )
    server = spawn("serve", "--no-builtins", "--tools", "acme_tools.maths", env={"PYTHONPATH": str(tmp_path)})
    server.initialize()
    assert server.call("double", {"x": 21})["result"]["structuredContent"] == {"result": 42}
    # @resource and @prompt in a module named to --tools too (issue 10).
    assert server.request("resources/read", {"uri": "maths://pi"})["result"]["contents"][0]["text"] == "3.14"
    prompt = server.request("prompts/get", {"name": "explain", "arguments": {"x": "2"}})["result"]
    assert prompt["messages"][0]["content"]["text"] == "Explain 2"


def test_tools_from_a_package_folder_include_those_it_imports_from_its_modules(spawn, tmp_path):
    package = tmp_path / "weather"
    package.mkdir()
    (package / "__init__.py").write_text("from .forecast import forecast\n")
    (package / "forecast.py").write_text(
        "from mcp_toolhost import tool\n\n@tool\n"
        "def forecast(city: str) -> str:\n    '''Sunny.'''\n    return city + ': sun'\n"
    )
    server = spawn("serve", "--no-builtins", "--tools", str(package))
    server.initialize()
    assert server.call("forecast", {"city": "Lyon"})["result"]["content"][0]["text"] == "Lyon: sun"
