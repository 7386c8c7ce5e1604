"""Config errors as people meet them: every problem at once, each where it is (file and line, or variable)."""

from __future__ import annotations


def test_every_config_problem_is_named_with_its_file_line_or_variable(spawn, tmp_path):
    (tmp_path / "mcp-toolhost.toml").write_text(
        '# settings\ntool_timeout = 30\ntool_timeot = 3\npage_size = "ten"\nshutdown_grace = nan\n\n'
        '[tool_timeouts]\nread_file = "soon"\n'
    )
    env = {"MCP_TOOLHOST_LOG_LEVL": "debug", "MCP_TOOLHOST_LOG_LEVEL": "loud", "MCP_TOOLHOST_TOOLS": "[1"}
    server = spawn("serve", "--no-builtins", cwd=tmp_path, env=env)
    assert server.wait() == 2
    err = server.stderr
    expected = [
        "mcp-toolhost.toml:3: unknown setting 'tool_timeot' (did you mean 'tool_timeout'?)",
        "mcp-toolhost.toml:4: page_size: Input should be a valid integer",
        "mcp-toolhost.toml:5: shutdown_grace: Input should be a finite number",
        "mcp-toolhost.toml:8: tool_timeouts.read_file: Input should be a valid number",
        "environment variable MCP_TOOLHOST_LOG_LEVL: unknown setting (did you mean 'MCP_TOOLHOST_LOG_LEVEL'?)",
        "environment variable MCP_TOOLHOST_LOG_LEVEL: log_level: Input should be 'debug', 'info'",
        "environment variable MCP_TOOLHOST_TOOLS: not valid JSON",
    ]
    for message in expected:
        assert err.count(message) == 1, err


def test_settings_in_a_shared_file_are_located_in_their_table(spawn, tmp_path):
    config = tmp_path / "shared.toml"
    config.write_text("[other-tool]\nmax_entries = 1\n\n[mcp-toolhost]\nmax_entrie = 5\n")
    server = spawn("serve", "--no-builtins", "--config", str(config), cwd=tmp_path)
    assert server.wait() == 2
    assert "shared.toml:5: unknown setting 'max_entrie' (did you mean 'max_entries'?)" in server.stderr


def test_every_layer_of_invalid_setting_stops_the_server_with_status_2_naming_its_source(spawn, tmp_path):
    (tmp_path / "short-key.toml").write_text('name = "ok"\nrequest_state_key = "short"\n')
    (tmp_path / "groups.toml").write_text('builtins = ["files", "htp"]\n')
    (tmp_path / "negative.toml").write_text("[tool_timeouts]\nread_file = -1\n")
    cases = [  # (flags, environment, what stderr says)
        (("--config", "short-key.toml"), {}, "short-key.toml:2: request_state_key: 5 characters, fewer than 32"),
        (("--config", "absent.toml"), {}, "Invalid value for '--config': File 'absent.toml' does not exist"),
        (("--log-level", "loud"), {}, "Invalid value for '--log-level': 'loud' is not one of 'debug', 'info'"),
        (("--builtins", "files,htp"), {}, "Invalid value for '--builtins': Unknown built-in group(s): htp; choose"),
        (("--config", "groups.toml"), {}, "groups.toml:1: builtins.1: Input should be 'files', 'http', 'data'"),
        ((), {"MCP_TOOLHOST_PAGE_SIZE": "ten"}, "environment variable MCP_TOOLHOST_PAGE_SIZE: page_size: Input should"),
        (  # 0 calls at once would leave every call waiting, and the server unable to stop
            (),
            {"MCP_TOOLHOST_MAX_CONCURRENT_CALLS": "0"},
            "MCP_TOOLHOST_MAX_CONCURRENT_CALLS: max_concurrent_calls: Input should be greater than 0",
        ),
        (("--config", "negative.toml"), {}, "negative.toml:2: tool_timeouts.read_file: Input should be greater than"),
    ]
    servers = [spawn("serve", "--no-builtins", *args, cwd=tmp_path, env=env) for args, env, _ in cases]
    for server, (args, env, message) in zip(servers, cases, strict=True):
        assert server.wait() == 2, (args, env, server.stderr)
        assert message in server.stderr, (args, env, server.stderr)
        assert server.raw_stdout == []


def test_a_setting_the_built_ins_cannot_use_stops_the_server_with_status_2_saying_where_it_was_given(spawn, tmp_path):
    (tmp_path / "mcp-toolhost.toml").write_text('builtins = ["files", "http"]\nroots = ["missing"]\n')
    server = spawn("serve", "--root", str(tmp_path), cwd=tmp_path)
    assert server.wait() == 2, server.stderr
    config = tmp_path / "mcp-toolhost.toml"
    expected = (
        f"Allowed root 'missing' is not a directory (--root, roots); given by file {config}:2, key roots + flag --root"
    )
    assert expected in server.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    server = spawn("serve", "--builtins", "http", cwd=elsewhere, env={"MCP_TOOLHOST_ALLOW_HOSTS": '["host:0"]'})
    assert server.wait() == 2, server.stderr
    assert "the port must be 1-65535 (--allow-host); given by env MCP_TOOLHOST_ALLOW_HOSTS" in server.stderr
    assert server.raw_stdout == []
