"""Hostile review of the operations surface (issue 11): the audit log and the client config
files of `install`/`config init`, attacked through the real process and CLI."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, McpProcess

TOOLS = str(FIXTURES / "core_tools.py")


def audited(spawn: Any, audit: Path) -> McpProcess:
    server: McpProcess = spawn("serve", "--no-builtins", "--tools", TOOLS, "--audit-log", str(audit))
    server.initialize()
    return server


def test_a_symlink_planted_at_the_audit_path_is_not_followed(spawn, tmp_path):
    victim = tmp_path / "bashrc"
    victim.write_text("# mine\n")
    audit = tmp_path / "audit.jsonl"
    audit.symlink_to(victim)
    server = audited(spawn, audit)
    assert server.call("add", {"a": 1, "b": "$(touch pwned)"}).get("result") is not None
    server.wait_for_stderr("symbolic link")
    assert victim.read_text() == "# mine\n"  # nothing appended through the link
    assert audit.is_symlink()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_at_the_audit_path_neither_blocks_nor_fails_calls(spawn, tmp_path):
    audit = tmp_path / "audit.jsonl"
    os.mkfifo(audit)
    server = audited(spawn, audit)
    assert "result" in server.call("add", {"a": 1}, timeout=10)
    assert server.request("ping", timeout=5)["result"] == {}
    server.wait_for_stderr("not a regular file")
