"""The audit log (`--audit-log FILE`), through the real process: one whole JSON line per tool call."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, McpProcess

TOOLS = str(FIXTURES / "core_tools.py")
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
MODERN = "2026-07-28"


def serve(spawn: Any, audit: Path, env: dict[str, str] | None = None) -> McpProcess:
    server: McpProcess = spawn("serve", "--no-builtins", "--tools", TOOLS, "--audit-log", str(audit), env=env)
    server.initialize()
    return server


def call_message(request_id: Any, name: str, arguments: dict[str, Any], **params: Any) -> dict[str, Any]:
    params = {"name": name, "arguments": arguments, **params}
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params}


def lines_of(path: Path) -> list[dict[str, Any]]:
    """Every line of an audit file, each of which must be whole JSON ending in a newline."""
    data = path.read_bytes()
    assert data.endswith(b"\n"), f"{path.name} ends in a cut line: {data[-200:]!r}"
    return [json.loads(line) for line in data.splitlines()]


def stopped(server: McpProcess) -> None:
    """Close stdin and wait for the exit: every call has ended, and its line is written."""
    server.close_stdin()
    assert server.wait() == 0, server.stderr


def test_500_pipelined_calls_make_500_whole_lines(spawn, tmp_path):
    audit = tmp_path / "audit.jsonl"
    server = serve(spawn, audit)
    for i in range(500):  # written without waiting: up to 500 in flight at once, ending in any order
        if i % 2:
            server.send(call_message(i, "wait", {"seconds": 0.01}))
        else:
            server.send(call_message(i, "echo", {"value": {"n": i, "pad": "x" * (i * 7)}}))
    answers = {message["id"]: message for message in (server.recv() for _ in range(500))}
    assert sorted(answers) == list(range(500))
    raw = {json.loads(line)["id"]: line for line in server.raw_stdout if b'"result"' in line}
    records = lines_of(audit)  # each answer was sent after its line: all 500 are there now
    assert sorted(record["id"] for record in records) == list(range(500))
    for record in records:
        assert STAMP.match(record["time"]), record
        assert record["client"] == {"name": "pytest", "version": "0"}
        assert record["protocolVersion"] == "2025-11-25"
        assert record["tool"] == ("wait" if record["id"] % 2 else "echo")
        assert record["outcome"] == "ok"
        assert record["durationMs"] >= 0
        assert record["resultBytes"] == len(raw[record["id"]]) - 1  # the answer less its newline
        n = record["id"]
        assert record["arguments"] == ({"seconds": 0.01} if n % 2 else {"value": {"n": n, "pad": "x" * (n * 7)}})
    assert stat.S_IMODE(audit.stat().st_mode) == 0o600


def test_a_calls_line_is_written_before_its_answer_arrives(spawn, tmp_path):
    # The lines of one loop turn are written together, before that turn's answers (AuditLog.flush).
    audit = tmp_path / "audit.jsonl"
    server = serve(spawn, audit)
    for i in range(200):
        server.send(call_message(i, "echo", {"value": i}))
    for _ in range(200):
        answered = server.recv()["id"]
        assert answered in {record["id"] for record in lines_of(audit)}, answered


def test_two_servers_appending_to_one_file_never_mix_their_lines(spawn, tmp_path):
    audit = tmp_path / "audit.jsonl"
    servers = [serve(spawn, audit), serve(spawn, audit)]
    for i in range(200):  # both write at once: 8 KiB lines, more than a pipe's atomic write (4 KiB)
        servers[i % 2].send(call_message(i, "echo", {"value": f"{i}:" + "z" * 8192}))
    for server in servers:
        for _ in range(100):
            server.recv()
    records = lines_of(audit)
    assert sorted(record["id"] for record in records) == list(range(200))
    assert all(record["arguments"]["value"] == f"{record['id']}:" + "z" * 8192 for record in records)


def test_rotation_keeps_every_line_in_exactly_one_file(spawn, tmp_path):
    audit = tmp_path / "audit.jsonl"
    env = {"MCP_TOOLHOST_AUDIT_MAX_BYTES": "1024", "MCP_TOOLHOST_AUDIT_BACKUPS": "100"}
    server = serve(spawn, audit, env)
    for i in range(150):
        server.send(call_message(i, "echo", {"value": "v" * (i % 40)}))
    for _ in range(150):
        server.recv()
    stopped(server)
    files = sorted(tmp_path.glob("audit.jsonl*"))
    assert len(files) > 10, [f.name for f in files]
    seen: list[int] = []
    for path in files:
        assert path.stat().st_size <= 1024, f"{path.name}: {path.stat().st_size} bytes"
        seen += [record["id"] for record in lines_of(path)]
    assert sorted(seen) == list(range(150))  # none lost, none twice


@pytest.mark.parametrize("backups", [2, 0])
def test_rotation_keeps_only_audit_backups_files(spawn, tmp_path, backups):
    audit = tmp_path / "audit.jsonl"
    env = {"MCP_TOOLHOST_AUDIT_MAX_BYTES": "1024", "MCP_TOOLHOST_AUDIT_BACKUPS": str(backups)}
    server = serve(spawn, audit, env)
    for i in range(60):  # one at a time: the lines are in the order of the calls
        server.request("tools/call", {"name": "echo", "arguments": {"value": i}}, request_id=i)
    stopped(server)
    kept = ["audit.jsonl", *(f"audit.jsonl.{n}" for n in range(1, backups + 1))]
    assert sorted(path.name for path in tmp_path.iterdir()) == kept
    newest = [record["id"] for path in tmp_path.iterdir() for record in lines_of(path)]
    assert 59 in newest and 0 not in newest


def test_a_file_rotated_by_someone_else_is_followed(spawn, tmp_path):
    audit = tmp_path / "audit.jsonl"
    server = serve(spawn, audit)
    server.call("add", {"a": 1})
    audit.rename(tmp_path / "moved.jsonl")  # logrotate, say
    server.call("wait", {"seconds": 1.1})  # the path is looked at again at most once a second
    server.call("add", {"a": 3})
    stopped(server)
    moved = [record["arguments"] for record in lines_of(tmp_path / "moved.jsonl")]
    assert {"a": 1} in moved and {"a": 3} not in moved
    assert [record["arguments"] for record in lines_of(audit)][-1] == {"a": 3}


SECRETS = {
    "apiKey": "plain-api-key-value",
    "password": "hunter2",
    "headers": {"Authorization": "Basic dXNlcjpwYXNz", "X-Api-Key": "header-key-value"},
    "nested": [{"client_secret": "deep-secret-value", "PGPASSWORD": "pg-secret-value"}],
    "note": "use sk-proj-abcdefghijklmnopqrstuvwx1234 please",
    "aws": "AKIAIOSFODNN7EXAMPLE",
    "github": "ghp_" + "a1B2" * 9,
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "pem": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----",
    "command": "curl -H 'Authorization: Bearer tok3n-value-123' https://bob:pa55w0rd@example.com/",
    "bearer": "Bearer abc123def456ghi789",
}
ORDINARY = {
    "keyboard": "us-layout",
    "monkey": "banana",
    "author": "Ada",
    "max_tokens": 100,
    "tokenizer": "cl100k",
    "text": "a Bearer token goes in the Authorization header",
    "private": True,
    "url": "https://example.com/path?q=1",
}


def test_secrets_are_redacted_by_name_and_by_shape_and_ordinary_values_kept(spawn, tmp_path):
    audit = tmp_path / "audit.jsonl"
    server = serve(spawn, audit)
    answer = server.call("echo", {"value": {**SECRETS, **ORDINARY}})
    assert "hunter2" in answer["result"]["content"][0]["text"]  # the tool got it all
    (record,) = lines_of(audit)
    text = audit.read_text()
    for secret in (
        "plain-api-key-value",
        "hunter2",
        "dXNlcjpwYXNz",
        "header-key-value",
        "deep-secret-value",
        "pg-secret-value",
        "sk-proj",
        "AKIAIOSFODNN7EXAMPLE",
        "a1B2a1B2",
        "eyJhbGci",
        "MIIEvQIBADAN",
        "tok3n-value-123",
        "pa55w0rd",
        "abc123def456",
    ):
        assert secret not in text, f"{secret!r} is in the audit log: {text}"
    value = record["arguments"]["value"]
    assert value["apiKey"] == value["password"] == "[redacted]"
    assert value["headers"] == {"Authorization": "[redacted]", "X-Api-Key": "[redacted]"}
    assert value["note"] == "use [redacted] please"
    assert value["command"] == "curl -H 'Authorization: [redacted]' https://bob:[redacted]@example.com/"
    assert {key: value[key] for key in ORDINARY} == ORDINARY


def test_each_outcome_is_recorded(spawn, tmp_path):
    audit = tmp_path / "audit.jsonl"
    config = tmp_path / "mcp-toolhost.toml"
    config.write_text("shutdown_grace = 0.1\n[tool_timeouts]\nblock = 0.2\n")
    server = spawn("serve", "--no-builtins", "--tools", TOOLS, "--audit-log", str(audit), "--config", str(config))
    server.initialize()
    assert "result" in server.request("tools/call", {"name": "add", "arguments": {"a": 1}}, request_id="ok")
    assert server.request("tools/call", {"name": "refuse", "arguments": {"message": "no"}}, request_id="refused")
    assert server.request("tools/call", {"name": "fail", "arguments": {"message": "boom"}}, request_id="raised")
    assert server.request("tools/call", {"name": "add", "arguments": {"a": "x"}}, request_id="invalid")
    assert server.request("tools/call", {"name": "block", "arguments": {"seconds": 5}}, request_id="slow")
    server.send(call_message("stopped", "wait", {"seconds": 60}))
    server.send(call_message("left", "wait", {"seconds": 60}))
    assert server.request("ping")["result"] == {}  # both calls are running
    server.notify("notifications/cancelled", {"requestId": "stopped"})
    meta = {
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "modern-client", "version": "2.1"},
    }
    modern = {"name": "add", "arguments": {"a": 2}, "_meta": meta}
    assert "result" in server.request("tools/call", modern, request_id="modern")
    stopped(server)  # "left" is cancelled by the shutdown
    outcomes = {record["id"]: record["outcome"] for record in lines_of(audit)}
    assert outcomes == {
        "ok": "ok",
        "refused": "error",
        "raised": "error",
        "invalid": "error",
        "slow": "timeout",
        "stopped": "cancelled",
        "left": "cancelled",
        "modern": "ok",
    }
    modern = next(record for record in lines_of(audit) if record["id"] == "modern")
    assert modern["client"] == {"name": "modern-client", "version": "2.1"}
    assert modern["protocolVersion"] == MODERN
    cancelled = next(record for record in lines_of(audit) if record["id"] == "stopped")
    assert cancelled["resultBytes"] == 0


def test_an_unwritable_audit_log_is_reported_once_and_calls_go_on(spawn, tmp_path):
    folder = tmp_path / "not-yet"
    server = serve(spawn, folder / "audit.jsonl")
    for a in range(3):
        assert server.call("add", {"a": a})["result"]["content"][0]["text"] == str(a)
    server.wait_for_stderr("cannot be written")
    folder.mkdir()  # fixed: the next call writes again
    assert "result" in server.call("add", {"a": 7})
    stopped(server)
    assert server.stderr.count("cannot be written") == 1, server.stderr
    assert "written again" in server.stderr
    assert [record["arguments"] for record in lines_of(folder / "audit.jsonl")] == [{"a": 7}]


def test_a_too_small_audit_max_bytes_is_refused(spawn, tmp_path):
    env = {"MCP_TOOLHOST_AUDIT_MAX_BYTES": "100"}
    server = spawn("serve", "--no-builtins", "--audit-log", str(tmp_path / "a"), env=env)
    assert server.wait() == 2
    assert "MCP_TOOLHOST_AUDIT_MAX_BYTES: audit_max_bytes: Input should be greater than or equal to 1024" in (
        server.stderr
    )


def test_long_strings_are_cut_and_a_secret_across_the_cut_is_masked(spawn, tmp_path):
    audit = tmp_path / "audit.jsonl"
    server = serve(spawn, audit, {"MCP_TOOLHOST_AUDIT_MAX_VALUE_CHARS": "1000"})
    key = "sk-" + "q1" * 20
    text = "a" * 989 + " " + key + " " + "b" * 4999
    assert server.call("echo", {"value": text})["result"]["content"][0]["text"] == text  # the tool got it all
    (record,) = lines_of(audit)
    assert record["arguments"]["value"] == "a" * 989 + " [redacted][... cut: 6033 characters]"
    assert "q1q1" not in audit.read_text()


def test_every_secret_looking_key_passes_the_quick_filter_before_the_patterns():
    # redact_text skips its key=value scan unless the text holds one of a few clues: each word
    # that makes a key look secret must hold one, or its value would be shown.
    from mcp_toolhost import _redact

    words = [
        *_redact._SECRET_KEY_WORDS,
        *_redact._SECRET_KEY_ENDINGS,
        *(owner + "key" for owner in _redact._KEY_OWNERS),
        *(f"db_{part.lower()}" for part in _redact._SECRET_PARTS),
    ]
    shown = [word for word in words if _redact.redact_text(f"{word}=hunter2x") != f"{word}=[redacted]"]
    assert not shown, f"values under these keys are not masked: {shown}"


def test_a_line_of_code_named_in_a_warning_is_not_taken_for_a_secret():
    from mcp_toolhost import _redact

    warning = "/srv/app/session.py:74: UserWarning: slow; auth.py:12 too"
    assert _redact.redact_text(warning) == warning
    assert _redact.redact_text("session.py:hunter2x") == "session.py:[redacted]"  # not a line number
    assert _redact.redact_text("db.password:123456") == "db.password:[redacted]"  # not a code file



def test_no_key_shape_matches_a_text_shorter_than_the_fast_path_skips():
    # redact_text returns a text shorter than _SHORTEST_SHAPE without ':' or '=' untested: a
    # shape able to match a shorter one would have its secret shown.
    import re._parser

    from mcp_toolhost import _redact

    for _, pattern in _redact.KEY_SHAPES:
        if not pattern.startswith("(?<="):  # the bearer token: its lookbehind's text is not in the width
            assert re._parser.parse(pattern).getwidth()[0] >= _redact._SHORTEST_SHAPE, pattern
    shortest_bearer = "Bearer 1234567x"
    assert len(shortest_bearer) == _redact._SHORTEST_SHAPE
    assert _redact.redact_text(shortest_bearer) == "Bearer [redacted]"
    assert _redact.redact_text("Bearer 123456x") == "Bearer 123456x"  # one shorter: not a token


def test_a_turns_first_line_is_written_at_once_and_the_others_together_at_its_end(tmp_path):
    # Calls one at a time end one per event loop turn: each line goes out in `record`, with no
    # callback scheduled (that was a fifth of a line's cost); more lines in the same turn wait
    # for the flush at its end, in one write (AuditLog's docstring). The other tests hold the
    # guarantees through the real process; this one holds the cheap path to its shape.
    import asyncio

    from mcp_toolhost._audit import AuditLog

    audit = tmp_path / "audit.jsonl"
    log = AuditLog(str(audit), 1024 * 1024, 1, 0)

    def record(n: int) -> None:
        arguments = {"text": "x"}
        log.record(
            request_id=n, tool="echo", arguments=arguments, version=MODERN, client_info=None, outcome="ok",
            seconds=0.0012346, size=10,
        )  # fmt: skip

    def written() -> list[int]:
        return [line["id"] for line in lines_of(audit)] if audit.exists() else []

    async def turns() -> None:
        loop = asyncio.get_running_loop()
        call_soon, flushes = loop.call_soon, []

        def counted(callback: Any, *args: Any, **kwargs: Any) -> Any:
            if callback == log.flush:
                flushes.append(callback)
            return call_soon(callback, *args, **kwargs)

        loop.call_soon = counted  # type: ignore[method-assign]
        record(1)
        assert (written(), len(flushes)) == ([1], 0)  # at once, nothing scheduled
        record(2)
        record(3)
        assert (written(), len(flushes)) == ([1], 1)  # the same turn: they wait for its end
        await asyncio.sleep(0)
        assert written() == [1, 2, 3]
        record(4)
        assert (written(), len(flushes)) == ([1, 2, 3, 4], 1)  # a new turn: at once again

    asyncio.run(turns())
    assert lines_of(audit)[0]["durationMs"] == 1.235
