"""Hostile inputs to the file, data and HTTP built-ins, through the real process (issue 8).

Each test is a finding that once took the server down, read outside the roots, leaked
a secret or failed a call that should have worked.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import McpProcess
from fixtures.builtins_support import error_text, structured

# Python's `re` needs hours for these (exponential or high-degree backtracking).
EVIL_LINE = "a" * 64 + "!"
EVIL_REGEX = "(a+)+$"
EVIL_GLOB = "*a" * 12 + "*b"
PROMPT = 5.0  # seconds; far more than RE2 needs, far less than Python's `re` would


@pytest.fixture
def files(spawn: Callable[..., McpProcess], tmp_path: Path) -> McpProcess:
    server = spawn("serve", "--root", str(tmp_path), "--builtins", "files,data")
    server.initialize()
    return server


def call_beside_ping(server: McpProcess, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """Call `name` with a `ping` right behind it; both must be answered within PROMPT seconds."""
    params = {"name": name, "arguments": arguments}
    server.send({"jsonrpc": "2.0", "id": "call", "method": "tools/call", "params": params})
    server.send({"jsonrpc": "2.0", "id": "ping", "method": "ping"})
    answers = {}
    while len(answers) < 2:
        message = server.recv(timeout=PROMPT)
        answers[message["id"]] = message
    assert answers["ping"]["result"] == {}, answers["ping"]
    response: dict[str, Any] = answers["call"]
    return response


# --- Item 1: patterns the model writes cannot freeze the server --------------------------


def test_a_backtracking_content_regex_is_answered_at_once(files: McpProcess, tmp_path: Path) -> None:
    (tmp_path / "evil.txt").write_text(EVIL_LINE + "\n" + "a" * 10 + "\n")
    found = structured(call_beside_ping(files, "search_files", {"path": ".", "glob": "*", "content_regex": EVIL_REGEX}))
    assert [match["line"] for match in found["matches"]] == [2], found


def test_a_backtracking_glob_is_answered_at_once(files: McpProcess, tmp_path: Path) -> None:
    (tmp_path / ("a" * 200)).write_text("")
    found = structured(call_beside_ping(files, "search_files", {"path": ".", "glob": EVIL_GLOB}))
    assert found["matches"] == []
    listed = structured(call_beside_ping(files, "list_directory", {"path": ".", "pattern": EVIL_GLOB}))
    assert listed["entries"] == []


def test_a_backtracking_schema_pattern_is_answered_at_once(files: McpProcess) -> None:
    schema = {"type": "object", "properties": {"name": {"pattern": EVIL_REGEX}}, "patternProperties": {EVIL_REGEX: {}}}
    data = {"name": EVIL_LINE, EVIL_LINE: 1}
    checked = structured(call_beside_ping(files, "json_validate", {"data": data, "schema": schema}))
    assert [error["keyword"] for error in checked["errors"]] == ["pattern"], checked
    closed = {"additionalProperties": False, "patternProperties": {EVIL_REGEX: {}}}
    extra = structured(call_beside_ping(files, "json_validate", {"data": {EVIL_LINE: 1}, "schema": closed}))
    assert [error["keyword"] for error in extra["errors"]] == ["additionalProperties"], extra


def test_a_pattern_re2_cannot_take_is_a_clear_error(files: McpProcess) -> None:
    message = error_text(files.call("search_files", {"path": ".", "glob": "*", "content_regex": r"(a)\1"}))
    assert "Invalid content_regex" in message and "backreferences" in message, message
    schema = {"pattern": "(?=a)"}
    message = error_text(files.call("json_validate", {"data": "a", "schema": schema}))
    assert "Invalid schema pattern '(?=a)'" in message and "lookaround" in message, message
