"""get_env and list_env through the real process: values shown, secrets redacted unless allowed by name."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURES, McpProcess
from fixtures.builtins_support import serving, structured

ENV = {
    "MCPT_PLAIN": "hello",
    "MCPT_API_TOKEN": "tok-123",
    "MCPT_DB_PASSWORD": "hunter2",
    "mcpt_lower_secret": "quiet",
    "MCPT_AWS_ACCESS_KEY_ID": "AKIA...",
    "MCPT_SESSION_COOKIE": "c=1",
    "MCPT_ALLOWED_KEY": "shown because allowed",
    "MCPT_DATABASE_URL": "postgres://app:pa55word@db.internal:5432/app",
    "MCPT_KEYBOARD": "us",  # looks secret by name: redacted, the cautious side
    "MYSQL_PWD": "mysql-pw-1",
    "PWD": "/not/a/secret",
    "MCPT_STORAGE": "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0a2V5==;EndpointSuffix=x.net",
    "MCPT_REPO_URL": "https://ghp_usertoken9@github.com/org/repo.git",
    "MCPT_SLASH_URL": "postgres://app:pa/ss/wd@db/app",
    "MCPT_AT_URL": "postgres://app:p@ss@wd@db/app",
    "MCP_TOOLHOST_RUN_COMMAND_ENV": '{"GITHUB_TOKEN": "ghp_jsontoken7"}',
}
HIDDEN = ("mysql-pw-1", "c2VjcmV0a2V5", "ghp_usertoken9", "ss/wd", "ss@wd", "ghp_jsontoken7")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[McpProcess]:
    root = tmp_path_factory.mktemp("env")
    config = root / "mcp-toolhost.toml"
    config.write_text('allow_env = ["MCPT_ALLOWED_KEY"]\n')
    with serving("--config", str(config), "--root", str(root), "--builtins", "env", env=ENV) as process:
        yield process


def test_get_env_plain_and_unset(server: McpProcess) -> None:
    assert structured(server.call("get_env", {"name": "MCPT_PLAIN"})) == {
        "name": "MCPT_PLAIN",
        "set": True,
        "value": "hello",
        "redacted": False,
    }
    assert structured(server.call("get_env", {"name": "MCPT_NOT_SET"})) == {
        "name": "MCPT_NOT_SET",
        "set": False,
        "value": None,
        "redacted": False,
    }


@pytest.mark.parametrize(
    "name",
    [
        "MCPT_API_TOKEN",
        "MCPT_DB_PASSWORD",
        "mcpt_lower_secret",
        "MCPT_AWS_ACCESS_KEY_ID",
        "MCPT_SESSION_COOKIE",
        "MCPT_KEYBOARD",
    ],
)
def test_secret_looking_names_are_redacted(server: McpProcess, name: str) -> None:
    assert structured(server.call("get_env", {"name": name})) == {
        "name": name,
        "set": True,
        "value": "[redacted]",
        "redacted": True,
    }


def test_config_allows_a_secret_looking_name(server: McpProcess) -> None:
    result = structured(server.call("get_env", {"name": "MCPT_ALLOWED_KEY"}))
    assert result["value"] == "shown because allowed" and result["redacted"] is False


def test_passwords_in_urls_are_masked(server: McpProcess) -> None:
    result = structured(server.call("get_env", {"name": "MCPT_DATABASE_URL"}))
    assert result["value"] == "postgres://app:[redacted]@db.internal:5432/app" and result["redacted"] is True


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("MYSQL_PWD", "[redacted]"),
        ("MCPT_STORAGE", "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=[redacted];EndpointSuffix=x.net"),
        ("MCPT_REPO_URL", "https://[redacted]@github.com/org/repo.git"),
        ("MCPT_SLASH_URL", "postgres://app:[redacted]@db/app"),
        ("MCPT_AT_URL", "postgres://app:[redacted]@db/app"),
        ("MCP_TOOLHOST_RUN_COMMAND_ENV", '{"GITHUB_TOKEN": "[redacted]"}'),
        ("PWD", "/not/a/secret"),
    ],
)
def test_credentials_inside_values_are_masked(server: McpProcess, name: str, shown: str) -> None:
    result = structured(server.call("get_env", {"name": name}))
    assert (result["value"], result["redacted"]) == (shown, shown != ENV[name]), result


def test_a_credential_in_a_log_line_is_masked(spawn) -> None:
    server = spawn("serve", "--no-builtins", "--tools", str(FIXTURES / "core_tools.py"))
    server.initialize()
    server.call("fail", {"message": "cannot reach postgres://app:hunter2@db/app with token=abc123"})
    server.close_stdin()
    server.wait()
    assert "postgres://app:[redacted]@db/app with token=[redacted]" in server.stderr, server.stderr
    assert "hunter2" not in server.stderr and "abc123" not in server.stderr


def test_list_env_filters_by_prefix_and_redacts(server: McpProcess) -> None:
    listed = structured(server.call("list_env", {"prefix": "MCPT_"}))
    values = {variable["name"]: variable["value"] for variable in listed["variables"]}
    assert list(values) == sorted(name for name in ENV if name.startswith("MCPT_"))
    assert listed["count"] == len(values)
    assert values["MCPT_PLAIN"] == "hello" and values["MCPT_ALLOWED_KEY"] == "shown because allowed"
    assert values["MCPT_API_TOKEN"] == values["MCPT_DB_PASSWORD"] == "[redacted]"
    assert "hunter2" not in str(listed) and "tok-123" not in str(listed) and "pa55word" not in str(listed)


def test_list_env_without_prefix_never_leaks(server: McpProcess) -> None:
    listed = structured(server.call("list_env"))
    assert listed["count"] >= len(ENV)
    for secret in ("tok-123", "hunter2", "quiet", "AKIA...", "c=1", "pa55word", *HIDDEN):
        assert secret not in str(listed)


def test_env_tools_are_read_only(server: McpProcess, tmp_path: Path) -> None:
    tools = {tool["name"]: tool["annotations"] for tool in server.list_tools()}
    assert tools == {
        "get_env": {"readOnlyHint": True, "openWorldHint": False},
        "list_env": {"readOnlyHint": True, "openWorldHint": False},
    }


def test_a_value_that_is_not_utf8_is_shown_with_a_replacement(spawn, tmp_path: Path) -> None:
    # The environment holds bytes; Python gives the undecodable ones as lone surrogates (PEP 383).
    latin1 = {"MCPT_LATIN1": os.fsdecode(b"caf\xe9"), "MCPT_OK": "fine"}
    server = spawn("serve", "--root", str(tmp_path), "--builtins", "env", env=latin1)
    server.initialize()
    assert structured(server.call("get_env", {"name": "MCPT_LATIN1"}))["value"] == "caf\ufffd"
    listed = structured(server.call("list_env", {"prefix": "MCPT_"}))
    values = {variable["name"]: variable["value"] for variable in listed["variables"]}
    assert values["MCPT_LATIN1"] == "caf\ufffd" and values["MCPT_OK"] == "fine", listed
