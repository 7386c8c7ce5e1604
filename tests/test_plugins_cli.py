"""The commands for plugin authors, and the README's plugin walkthrough run exactly as written."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import FIXTURES, ROOT, run_cli
from doc_examples import block, console, run_console

README = (ROOT / "README.md").read_text()
WALKTHROUGH = README.split("### Five-minute walkthrough", 1)[1].split("\n### ", 1)[0]


def test_five_minute_walkthrough_runs_as_written(spawn, tmp_path):
    manifest = block(WALKTHROUGH, "toml", "# tools/grep.toml")
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "grep.toml").write_text(manifest)
    assert len(console(WALKTHROUGH)) >= 7
    outputs = run_console(WALKTHROUGH, tmp_path)
    assert not (tmp_path / "hacked").exists()

    # The walkthrough serves the plugin: a client's messages piped into `serve`, answered in JSON.
    [served] = [out for command, out in outputs.items() if command.endswith("| mcp-toolhost serve --plugins tools")]
    answers = {message["id"]: message for message in map(json.loads, served.splitlines())}
    assert answers[1]["result"]["serverInfo"]["name"] == "mcp-toolhost"
    assert answers[2]["result"]["content"] == [{"type": "text", "text": "notes.txt:1:buy milk"}]

    # And the client configuration shown starts a server that serves the tool.
    config = json.loads(block(WALKTHROUGH, "json", "{"))["mcpServers"]["grep"]
    assert config["command"].endswith("/bin/mcp-toolhost")  # a GUI client needs the full path
    args = [str(tmp_path / "tools") if arg == "/path/to/tools" else arg for arg in config["args"]]
    server = spawn(*args, cwd=tmp_path)
    server.initialize()
    answer = server.call("search", {"pattern": "TODO", "paths": ["notes.txt"]})
    assert answer["result"]["content"] == [{"type": "text", "text": "notes.txt:2:fix the TODO list"}], answer


def test_readme_plugin_test_example_passes(tmp_path):
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "grep.toml").write_text(block(WALKTHROUGH, "toml", "# tools/grep.toml"))
    plugins_section = README.split("## Plugins", 1)[1]
    (tmp_path / "test_grep.py").write_text(block(plugins_section, "python", "# test_grep.py"))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_grep.py"],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()


def test_new_plugin_scaffolds_serve_as_they_are_and_their_tests_pass(spawn, tmp_path):
    for name, kind in (("greeter", "python"), ("counter", "manifest")):
        done = run_cli("new-plugin", name, "--kind", kind, cwd=tmp_path)
        assert done.returncode == 0, done.stderr.decode()
        assert f"created {name}/test_{name}.py" in done.stdout.decode()

    server = spawn("serve", "--plugins", "greeter", "--plugins", "counter", cwd=tmp_path)
    server.initialize()
    names = {tool["name"] for tool in server.list_tools()}
    assert {"hello", "count"} <= names
    hello = server.call("hello", {"name": "Ada"})["result"]
    assert hello["content"] == [{"type": "text", "text": "Hello, Ada!"}]
    count = server.call("count", {"text": "a b\nc\n", "lines": True})["result"]
    assert count["content"][0]["text"].split() == ["2"], count

    # The generated tests pass, through mcp_toolhost.testing; both folders in one pytest run.
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "greeter", "counter"],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    assert "2 passed" in done.stdout.decode()

    again = run_cli("new-plugin", "greeter", cwd=tmp_path)
    assert again.returncode == 1 and b"already exists" in again.stderr
    bad = run_cli("new-plugin", "no good", cwd=tmp_path)
    assert bad.returncode == 1 and b"invalid plugin name" in bad.stderr


def test_docs_writes_a_reference_of_every_tool(tmp_path):
    mixed = FIXTURES / "plugins" / "mixed"
    markdown = run_cli("docs", "--plugins", str(mixed), "--disable-tool", "count_words")
    assert markdown.returncode == 0, markdown.stderr.decode()
    text = markdown.stdout.decode()
    assert "## `alpha_add`" in text
    assert "Add two integers." in text
    assert "Hints: read-only · From: `alpha`" in text
    assert "| `a` | integer | yes |  | The first. |" in text
    assert "## `beta.shared_name`" in text
    assert '"type": "integer"' in text  # alpha_add's output schema
    assert "count_words" not in text

    as_json = run_cli("docs", "--format", "json", "--plugins", str(mixed))
    tools = {tool["name"]: tool for tool in json.loads(as_json.stdout)["tools"]}
    assert tools["alpha_add"]["source"] == "alpha"
    assert tools["alpha_add"]["inputSchema"]["required"] == ["a", "b"]
    assert tools["alpha_add"]["annotations"] == {"readOnlyHint": True}
    assert tools["count_words"]["source"] == "wordcount"


def test_docs_includes_resources_templates_and_prompts_when_there_are_any():
    functions = str(FIXTURES / "resources_prompts.py")
    markdown = run_cli("docs", "--no-builtins", "--tools", functions)
    assert markdown.returncode == 0, markdown.stderr.decode()
    text = markdown.stdout.decode()
    for heading in ("# Tools\n\nNo tools.", "# Resources", "# Resource templates", "# Prompts"):
        assert f"\n{heading}\n" in f"\n{text}", heading
    assert "## `config://app`\n\n**App config**\n\nThe application's configuration.\n\n" in text
    assert "Name: `app_config` · MIME type: `application/json` · From: `" in text
    assert "## `notes://{name}/{page}`" in text and "| `page` | integer | yes |  | Its page number. |" in text
    assert "| `language` | no | The language it is written in. |" in text

    as_json = json.loads(run_cli("docs", "--format", "json", "--no-builtins", "--tools", functions).stdout)
    assert sorted(as_json) == ["prompts", "resourceTemplates", "resources", "tools"]
    (review,) = [prompt for prompt in as_json["prompts"] if prompt["name"] == "review"]
    assert review["arguments"][0] == {"name": "code", "description": "The code to review.", "required": True}
    (logo,) = [resource for resource in as_json["resources"] if resource["uri"] == "bin://logo"]
    assert "inputSchema" not in logo and logo["mimeType"] == "image/png"
    # A host of tools only documents as before: tools alone.
    tools_only = run_cli("docs", "--format", "json", "--no-builtins", "--tools", str(FIXTURES / "core_tools.py"))
    assert list(json.loads(tools_only.stdout)) == ["tools"]


def test_every_command_takes_the_plugin_options():
    for command in ("serve", "list-tools", "call", "check", "docs"):
        help_text = run_cli(command, "--help").stdout.decode()
        for flag in ("--plugins", "--manifest", "--reload", "--no-entry-points", "--disable-tool"):
            assert flag in help_text, (command, flag)
