"""Hostile review of the operations surface (issue 11): the audit log and the client config
files of `install`/`config init`, attacked through the real process and CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, McpProcess, run_cli

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


# --- install, uninstall, config init ---------------------------------------------------


def install(config_file: Path, *args: str) -> tuple[int, str]:
    done = run_cli("install", "cursor", "--config-file", str(config_file), *args, timeout=20)
    return done.returncode, done.stderr.decode()


def test_a_client_config_nested_too_deeply_is_refused_untouched(tmp_path):
    deep = tmp_path / "mcp.json"
    text = '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    deep.write_text(text)
    status, errors = install(deep)
    assert (status, "nested too deeply" in errors, "Traceback" in errors) == (2, True, False), errors
    assert deep.read_text() == text


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_as_client_config_is_refused_at_once(tmp_path):
    fifo = tmp_path / "mcp.json"
    os.mkfifo(fifo)
    status, errors = install(fifo)  # reading it used to wait forever for a writer
    assert status == 2 and "not a regular file" in errors, errors


def test_what_holds_symlinked_config_duplicate_keys_and_config_init_over_a_symlink(tmp_path):
    # A symlinked config file (dotfile managers) is edited through the link, which stays.
    real = tmp_path / "dotfiles" / "mcp.json"
    real.parent.mkdir()
    real.write_text('{"mcpServers": {"other": {"command": "x"}}}\n')
    link = tmp_path / "mcp.json"
    link.symlink_to(real)
    assert install(link)[0] == 0
    assert link.is_symlink() and "toolhost" in json.loads(real.read_text())["mcpServers"]
    # Duplicate keys: the member a client's JSON parser keeps (the last) is the one edited.
    duplicated = tmp_path / "dup.json"
    duplicated.write_text('{"mcpServers": {"toolhost": {"command": "old"}, "toolhost": {"command": "evil"}}}')
    assert install(duplicated)[0] == 0
    assert json.loads(duplicated.read_text())["mcpServers"]["toolhost"]["command"] != "evil"
    # config init: refuses an existing name, and --force replaces a symlink, not the file it names.
    victim = tmp_path / "victim"
    victim.write_text("keep")
    (tmp_path / "cfg.toml").symlink_to(victim)
    assert run_cli("config", "init", str(tmp_path / "cfg.toml")).returncode == 2
    assert run_cli("config", "init", str(tmp_path / "cfg.toml"), "--force").returncode == 0
    assert victim.read_text() == "keep" and not (tmp_path / "cfg.toml").is_symlink()


def test_audited_secrets_nested_deep_stay_masked_and_too_deep_arguments_are_not_recorded(spawn, tmp_path):
    audit = tmp_path / "audit.jsonl"
    server = audited(spawn, audit)
    for depth in (400, 900):
        value: dict[str, object] = {"password": "hunter2", "note": "Bearer abcdefghijklmnop1234567890"}
        for _ in range(depth):
            value = {"x": value}
        assert "result" in server.call("add", {"a": 1, "b": value})
    server.close_stdin()
    assert server.wait() == 0, server.stderr
    text = audit.read_text()
    assert "hunter2" not in text and "abcdefghijklmnop" not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines[0]["arguments"] != "[not recorded: nested too deeply]" and "[redacted]" in json.dumps(lines[0])
    assert lines[1]["arguments"] == "[not recorded: nested too deeply]"
