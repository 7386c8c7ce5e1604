"""What every built-in tool declares: its name, schemas, annotations; and what serving them costs at start."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from conftest import run_cli
from fixtures.builtins_support import serving

GROUPS = {
    "files": {
        "read_file",
        "read_media_file",
        "read_multiple_files",
        "write_file",
        "edit_file",
        "list_directory",
        "directory_tree",
        "search_files",
        "file_info",
        "create_directory",
        "move_file",
        "delete_path",
        "list_allowed_directories",
    },
    "http": {"http_request"},
    "data": {"json_query", "json_validate", "convert_data"},
    "system": {"run_command", "system_info"},
    "env": {"get_env", "list_env"},
}
ALL = set().union(*GROUPS.values())


@pytest.fixture(scope="module")
def tools(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict]]:
    root = tmp_path_factory.mktemp("schemas")
    with serving("--root", str(root), "--allow-command", "echo") as process:
        yield {tool["name"]: tool for tool in process.list_tools()}


def test_plain_serve_serves_every_built_in(tools: dict[str, dict]) -> None:
    assert set(tools) == ALL


@pytest.mark.parametrize("name", sorted(ALL))
def test_schemas_are_valid_draft_2020_12(tools: dict[str, dict], name: str) -> None:
    tool = tools[name]
    jsonschema.Draft202012Validator.check_schema(tool["inputSchema"])
    assert tool["inputSchema"]["type"] == "object"
    if name != "read_media_file":  # returns image or audio content blocks instead
        jsonschema.Draft202012Validator.check_schema(tool["outputSchema"])
        assert tool["outputSchema"]["type"] == "object"
    assert tool["title"] and tool["description"]


@pytest.mark.parametrize("name", sorted(ALL))
def test_annotations_are_complete(tools: dict[str, dict], name: str) -> None:
    hints = tools[name]["annotations"]
    assert isinstance(hints["readOnlyHint"], bool) and isinstance(hints["openWorldHint"], bool)
    if not hints["readOnlyHint"]:  # the other two only mean something for tools that change things
        assert isinstance(hints["destructiveHint"], bool) and isinstance(hints["idempotentHint"], bool)


def test_open_world_tools(tools: dict[str, dict]) -> None:
    assert {name for name, tool in tools.items() if tool["annotations"]["openWorldHint"]} == {
        "http_request",
        "run_command",
    }


def test_parameters_documented(tools: dict[str, dict]) -> None:
    for name, tool in tools.items():
        for parameter, schema in tool["inputSchema"].get("properties", {}).items():
            assert schema.get("description"), f"{name}.{parameter} has no description"


@pytest.mark.parametrize(
    ("groups", "expected"), [("env,data", GROUPS["env"] | GROUPS["data"]), ("http", {"http_request"})]
)
def test_builtins_flag_picks_groups(tmp_path: Path, groups: str, expected: set[str]) -> None:
    done = run_cli("list-tools", "--json", "--root", str(tmp_path), "--builtins", groups)
    assert done.returncode == 0, done.stderr
    assert {tool["name"] for tool in json.loads(done.stdout)["tools"]} == expected


def test_no_builtins_serves_none(tmp_path: Path) -> None:
    done = run_cli("list-tools", "--json", "--no-builtins", cwd=tmp_path)
    assert done.returncode == 0 and json.loads(done.stdout)["tools"] == []


def test_unknown_group_is_a_usage_error(tmp_path: Path) -> None:
    done = run_cli("list-tools", "--builtins", "files,nope", cwd=tmp_path)
    assert done.returncode != 0 and b"Unknown built-in group(s): nope" in done.stderr


def test_a_user_tool_replaces_the_built_in_of_the_same_name(spawn, tmp_path: Path) -> None:
    (tmp_path / "mine.py").write_text(
        "from mcp_toolhost import tool\n\n@tool\ndef read_file(path: str) -> str:\n    return 'mine'\n"
    )
    server = spawn("serve", "--root", str(tmp_path), "--builtins", "files", "--tools", str(tmp_path / "mine.py"))
    server.initialize()
    assert server.call("read_file", {"path": "x"})["result"]["content"] == [{"type": "text", "text": "mine"}]


def test_config_file_and_flags_add_up(spawn, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    config = tmp_path / "mcp-toolhost.toml"
    config.write_text(f'roots = ["{first}"]\nread_only = true\n')
    server = spawn("serve", "--config", str(config), "--root", str(second), "--builtins", "files")
    server.initialize()
    assert server.call("list_allowed_directories")["result"]["structuredContent"] == {
        "directories": [str(first), str(second)],
        "source": "configured (--root, roots)",
    }
    assert "write_file" not in {tool["name"] for tool in server.list_tools()}


def test_serving_the_built_ins_loads_no_heavy_library_at_start() -> None:
    code = (
        "import sys\n"
        "from mcp_toolhost.app import build_host\n"
        "from mcp_toolhost.config import Settings\n"
        "host = build_host(Settings(allow_commands=('echo',)))\n"
        "assert len(host.registry) == 21, len(host.registry)\n"
        "heavy = {'httpx', 'httpcore', 'jsonschema', 'jmespath', 'aiofiles', 'pydantic', 'csv', 'difflib'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
