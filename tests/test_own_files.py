"""The file tools never change the server's own files: its config, the code it loads, its records.

Through the real process, started in a project folder that is also its root (the default),
as a developer runs it: `--tools tools.py --plugins plugins --audit-log logs/audit.jsonl --reload`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import McpProcess
from fixtures.builtins_support import error_text, serving, structured

TOOLS = 'from mcp_toolhost import tool\n\n\n@tool\ndef hello() -> str:\n    """Say hello."""\n    return "hello"\n'
PLUGIN = 'from mcp_toolhost import tool\n\n\n@tool\ndef plugged() -> str:\n    """A plugin tool."""\n    return "p"\n'
EVIL = (
    'import os\nfrom mcp_toolhost import tool\n\n\n@tool\ndef evil() -> str:\n    """Run anything."""\n    return "x"\n'
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "plugins").mkdir(parents=True)
    (project / "plugins" / "plugged.py").write_text(PLUGIN)
    (project / "tools.py").write_text(TOOLS)
    (project / "conf").mkdir()
    (project / "conf" / "server.toml").write_text('log_level = "warning"\n')
    (project / "logs").mkdir()
    (project / "logs" / "audit.jsonl.2").write_text("{}\n")
    (project / "notes.txt").write_text("notes\n")
    return project


@pytest.fixture
def server(project: Path) -> Iterator[McpProcess]:
    args = ("--tools", "tools.py", "--plugins", "plugins", "--audit-log", "logs/audit.jsonl", "--reload")
    env = {"MCP_TOOLHOST_STATE_DIR": str(project / "state")}
    with serving("--config", "conf/server.toml", *args, cwd=project, env=env) as process:
        yield process


def _contents(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.mark.parametrize(
    ("tool", "arguments", "what"),
    [
        ("write_file", {"path": "plugins/evil.py", "content": EVIL}, "is in a plugin folder"),
        ("write_file", {"path": "plugins/plugged.py", "content": EVIL}, "is in a plugin folder"),
        (
            "edit_file",
            {"path": "tools.py", "edits": [{"old_text": '"hello"', "new_text": '"pwned"'}]},
            "is a --tools file",
        ),
        ("write_file", {"path": "conf/server.toml", "content": 'allow_commands = ["sh"]\n'}, "is the config file"),
        ("write_file", {"path": "mcp-toolhost.toml", "content": 'roots = ["/"]\n'}, "a start here would read"),
        ("write_file", {"path": "logs/audit.jsonl", "content": ""}, "is the audit log"),
        ("write_file", {"path": "logs/audit.jsonl.2", "content": ""}, "is a backup of the audit log"),
        ("delete_path", {"path": "logs", "recursive": True}, "holds the audit log"),
        ("delete_path", {"path": "plugins/plugged.py"}, "is in a plugin folder"),
        ("move_file", {"source": "plugins", "destination": "elsewhere"}, "is a plugin folder"),
        ("move_file", {"source": "notes.txt", "destination": "plugins/notes.py"}, "is in a plugin folder"),
        ("move_file", {"source": "notes.txt", "destination": "tools.py", "overwrite": True}, "is a --tools file"),
        ("create_directory", {"path": "plugins/package"}, "is in a plugin folder"),
        ("write_file", {"path": "state/999.json", "content": "{}"}, "is in the state folder"),
    ],
)
def test_own_files_are_not_changed(
    server: McpProcess, project: Path, tool: str, arguments: dict[str, object], what: str
) -> None:
    before = _contents(project)
    text = error_text(server.call(tool, arguments))
    assert what in text, text
    assert "the file tools do not" in text and "server's own files" in text
    after = _contents(project)
    assert {name: data for name, data in after.items() if not name.startswith(("logs/audit.jsonl", "state/"))} == {
        name: data for name, data in before.items() if not name.startswith(("logs/audit.jsonl", "state/"))
    }
    assert not (project / "elsewhere").exists() and not (project / "mcp-toolhost.toml").exists()
    names = {tool["name"] for tool in server.list_tools()}
    assert "evil" not in names and {"hello", "plugged"} <= names


def test_the_rest_of_the_root_is_written_and_own_files_are_read(server: McpProcess, project: Path) -> None:
    written = structured(server.call("write_file", {"path": "src/new.py", "content": "x = 1\n"}))
    assert written["created"] is True and (project / "src" / "new.py").read_text() == "x = 1\n"
    moved = server.call("move_file", {"source": "notes.txt", "destination": "docs/notes.txt"})
    assert "result" in moved and not moved["result"].get("isError"), moved
    read = structured(server.call("read_file", {"path": "tools.py"}))
    assert read["content"] == TOOLS
    edits = [{"old_text": '"hello"', "new_text": '"hi"'}]
    preview = structured(server.call("edit_file", {"path": "tools.py", "edits": edits, "dry_run": True}))
    assert '+    return "hi"' in preview["diff"] and (project / "tools.py").read_text() == TOOLS
    assert server.call("hello")["result"]["content"][0]["text"] == "hello"  # the --tools file still serves


def test_a_symlink_to_an_own_file_is_refused_where_it_leads(server: McpProcess, project: Path) -> None:
    (project / "innocent.py").symlink_to(project / "tools.py")
    text = error_text(server.call("write_file", {"path": "innocent.py", "content": EVIL}))
    assert "is a --tools file" in text
    assert (project / "tools.py").read_text() == TOOLS
    deleted = structured(server.call("delete_path", {"path": "innocent.py"}))  # the link itself, not the file
    assert deleted["type"] == "symlink" and (project / "tools.py").read_text() == TOOLS
