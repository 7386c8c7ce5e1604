"""`config show`, `config schema` and `config init`, through the real command."""

from __future__ import annotations

import dataclasses
import json
import re
import tomllib

import jsonschema
from conftest import run_cli

from mcp_toolhost.config import Settings

SECRET = "s3cr3t-value-that-must-never-be-printed"


def _show(*args: str, cwd, env=None) -> dict:
    done = run_cli("config", "show", "--json", *args, cwd=cwd, env=env)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def test_config_show_names_the_source_of_every_layer(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    config = tmp_path / "shared.toml"
    config.write_text(f'[other]\npage_size = 1\n\n[mcp-toolhost]\ntool_timeout = 30\nroots = ["{first}"]\n')
    env = {"MCP_TOOLHOST_LOG_LEVEL": "info", "MCP_TOOLHOST_MAX_ENTRIES": "7"}
    args = ("--config", str(config), "--root", str(second), "--no-entry-points", "--read-only")
    shown = _show(*args, cwd=tmp_path, env=env)
    settings = shown["settings"]
    file = {"kind": "file", "name": str(config)}
    assert shown["config_file"] == str(config)
    timeout = {**file, "key": "mcp-toolhost.tool_timeout", "line": 5}
    assert settings["tool_timeout"] == {"value": 30.0, "sources": [timeout]}
    assert settings["roots"] == {
        "value": [str(first), str(second)],  # --root adds to the file's roots
        "sources": [{**file, "key": "mcp-toolhost.roots", "line": 6}, {"kind": "flag", "name": "--root"}],
    }
    assert settings["log_level"] == {"value": "info", "sources": [{"kind": "env", "name": "MCP_TOOLHOST_LOG_LEVEL"}]}
    assert settings["max_entries"]["value"] == 7
    assert settings["entry_points"] == {"value": False, "sources": [{"kind": "flag", "name": "--no-entry-points"}]}
    assert settings["read_only"] == {"value": True, "sources": [{"kind": "flag", "name": "--read-only"}]}
    assert settings["page_size"] == {"value": 100, "sources": [{"kind": "default"}]}  # [other] is not ours
    assert list(settings) == [f.name for f in dataclasses.fields(Settings)]

    table = run_cli("config", "show", *args, cwd=tmp_path, env=env).stdout.decode()
    assert table.startswith(f"Config file: {config}\n"), table
    rows = {line.split()[0]: line for line in table.splitlines()[2:]}
    assert rows["tool_timeout"].split(None, 2)[1:] == ["30.0", f"file {config}:5, key mcp-toolhost.tool_timeout"]
    assert rows["roots"].endswith(f"file {config}:6, key mcp-toolhost.roots + flag --root"), rows["roots"]
    assert rows["log_level"].endswith("env MCP_TOOLHOST_LOG_LEVEL") and rows["page_size"].endswith("default")


def test_config_show_redacts_secrets(tmp_path):
    (tmp_path / "mcp-toolhost.toml").write_text(
        f'request_state_key = "{SECRET}"\n'
        f'instructions = "mirror: https://bot:{SECRET}@example.com/x"\n'
        f'[run_command_env]\nAPI_TOKEN = "{SECRET}"\nLANG = "C.UTF-8"\n'
    )
    for args in (("--json",), ()):
        done = run_cli("config", "show", *args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert SECRET.encode() not in done.stdout, done.stdout.decode()
    settings = _show(cwd=tmp_path)["settings"]
    assert settings["request_state_key"]["value"] == "[redacted]"
    assert settings["run_command_env"]["value"] == {"API_TOKEN": "[redacted]", "LANG": "C.UTF-8"}
    assert settings["instructions"]["value"] == "mirror: https://bot:[redacted]@example.com/x"
    assert settings["run_command_pass_env"]["value"][0] == "PATH"  # a list of names, not a secret


def test_config_show_reports_what_serve_uses(spawn, tmp_path):
    (tmp_path / "mcp-toolhost.toml").write_text('name = "from-the-file"\n')
    env = {"MCP_TOOLHOST_TITLE": "From the environment"}
    assert _show(cwd=tmp_path, env=env)["settings"]["name"]["value"] == "from-the-file"
    server = spawn("serve", "--no-builtins", cwd=tmp_path, env=env)
    info = server.initialize()["serverInfo"]
    assert (info["name"], info["title"]) == ("from-the-file", "From the environment")


def test_config_schema_describes_every_setting_and_its_default():
    done = run_cli("config", "schema")
    assert done.returncode == 0, done.stderr
    schema = json.loads(done.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    properties = schema["properties"]
    assert list(properties) == [f.name for f in dataclasses.fields(Settings)]
    for name, prop in properties.items():
        assert prop["description"], f"setting {name} has no description (a docstring under its field)"
    defaults = {name: prop["default"] for name, prop in properties.items() if prop["default"] is not None}
    jsonschema.validate(defaults, schema)
    assert properties["log_level"]["enum"] == ["debug", "info", "warning", "error", "critical"]
    for wrong in ({"page_size": "ten"}, {"tool_timeot": 3}, {"tool_timeouts": {"read_file": "soon"}}):
        assert not jsonschema.Draft202012Validator(schema).is_valid(wrong), wrong


def test_config_init_writes_every_setting_commented_out_and_each_line_uncommented_is_valid(tmp_path):
    done = run_cli("config", "init", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    starter = (tmp_path / "mcp-toolhost.toml").read_text()
    assert tomllib.loads(starter) == {}  # all commented out: the defaults apply
    assert "# Seconds a tool call may run before it is cancelled (0 disables).\n# tool_timeout = 60.0\n" in starter

    # Uncomment every setting: the file parses, validates, and `serve` would read it.
    setting = re.compile(r"^# (\w+ = .*)$", re.MULTILINE)
    assert [m.group(1).split()[0] for m in setting.finditer(starter)] == [f.name for f in dataclasses.fields(Settings)]
    (tmp_path / "mcp-toolhost.toml").write_text(setting.sub(r"\1", starter))
    shown = _show(cwd=tmp_path)
    assert shown["config_file"] == str(tmp_path / "mcp-toolhost.toml")
    defaults = Settings()
    for name, entry in shown["settings"].items():
        # The test session sets MCP_TOOLHOST_STATE_DIR (conftest), and a variable wins over the file.
        assert entry["sources"][0]["kind"] == ("env" if name == "state_dir" else "file"), (name, entry)
        if getattr(defaults, name) is not None:
            assert entry["value"] == json.loads(json.dumps(getattr(defaults, name))), (name, entry)


def test_config_init_refuses_to_replace_a_file_without_force(tmp_path):
    target = tmp_path / "custom.toml"
    target.write_bytes(b"tool_timeout = 5\n")
    refused = run_cli("config", "init", str(target), cwd=tmp_path)
    assert refused.returncode == 2 and refused.stdout == b""
    assert b"custom.toml already exists; use --force to replace it" in refused.stderr, refused.stderr
    assert target.read_bytes() == b"tool_timeout = 5\n"

    forced = run_cli("config", "init", str(target), "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert target.read_text().startswith("# mcp-toolhost settings")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["custom.toml"]  # no temporary file left behind


def test_state_key_is_the_documented_alias_of_request_state_key(tmp_path):
    other = SECRET.replace("s3cr3t", "other")
    shown = _show(cwd=tmp_path, env={"MCP_TOOLHOST_STATE_KEY": SECRET})["settings"]["request_state_key"]
    assert shown == {"value": "[redacted]", "sources": [{"kind": "env", "name": "MCP_TOOLHOST_STATE_KEY"}]}
    both = {"MCP_TOOLHOST_STATE_KEY": SECRET, "MCP_TOOLHOST_REQUEST_STATE_KEY": SECRET}
    assert _show(cwd=tmp_path, env=both)["settings"]["request_state_key"]["value"] == "[redacted]"  # the same: fine
    differ = run_cli("config", "show", cwd=tmp_path, env={**both, "MCP_TOOLHOST_REQUEST_STATE_KEY": other})
    assert differ.returncode == 2, differ.stderr
    message = differ.stderr.decode()
    assert "MCP_TOOLHOST_STATE_KEY" in message and "MCP_TOOLHOST_REQUEST_STATE_KEY" in message, message
    assert "different values" in message and SECRET not in message and other not in message, message
    short = run_cli("config", "show", cwd=tmp_path, env={"MCP_TOOLHOST_STATE_KEY": "short"})
    assert short.returncode == 2 and b"environment variable MCP_TOOLHOST_STATE_KEY" in short.stderr, short.stderr
