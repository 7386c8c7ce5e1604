"""`mcp-toolhost install` / `uninstall`: our entry in a client's config file, every other byte kept.

Each test runs the real command with HOME pointed at a temporary folder (the user-scope
files) and the working directory at a temporary project (the project-scope files), on
config files that already hold other servers, non-ASCII text and the file's own style.
"""

import json
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, executable, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from mcp_toolhost.install.targets import TARGETS

OTHER_SECRET = "ghp_other0123456789"


def config_text(indent: str, newline: str = "\n") -> str:
    """A client's file as people and clients leave it: other servers, inline arrays, non-ASCII, an escape."""
    lines = [
        "{",
        f'{indent}"numStartups": 3,',
        f'{indent}"mcpServers": {{',
        f'{indent * 2}"github": {{',
        f'{indent * 3}"command": "npx",',
        f'{indent * 3}"args": ["-y", "@modelcontextprotocol/server-github"],',
        f'{indent * 3}"env": {{"GITHUB_TOKEN": "{OTHER_SECRET}"}}',
        f"{indent * 2}}},",
        f'{indent * 2}"auth-proxy": {{"command": "proxy", "args": ["--token=tok_abcdef123"]}},',
        f'{indent * 2}"météo": {{"command": "/opt/météo/bin/serve", "args": []}}',
        f"{indent}}},",
        f'{indent}"note": "café ☕ and \\u00e9 kept as written"',
        "}",
    ]
    return newline.join(lines) + newline


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "home").mkdir()
    folder = tmp_path / "project"
    folder.mkdir()
    return folder


def home(project: Path) -> Path:
    return project.parent / "home"


def cli(project: Path, *args: str):
    """`mcp-toolhost ARGS` in `project`, with HOME (and so every user-scope file) in the temporary folder."""
    return run_cli(*args, cwd=project, env={"HOME": str(home(project)), "XDG_CONFIG_HOME": ""})


def ok(done) -> str:
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


@pytest.mark.parametrize("indent", ["  ", "    ", "\t"], ids=["2 spaces", "4 spaces", "tab"])
def test_install_then_uninstall_leaves_the_file_byte_identical(project, indent):
    path = project / "claude.json"
    original = config_text(indent).encode()
    path.write_bytes(original)
    path.chmod(0o600)  # it may hold other servers' tokens

    ok(cli(project, "install", "claude-desktop", "--config-file", "claude.json", "--root", "."))
    text = path.read_text()
    backup = project / "claude.json.bak"
    assert backup.read_bytes() == original
    assert stat.S_IMODE(backup.stat().st_mode) == stat.S_IMODE(path.stat().st_mode) == 0o600
    config = json.loads(text)
    assert list(config["mcpServers"]) == ["github", "auth-proxy", "météo", "toolhost"]
    assert config["mcpServers"]["toolhost"] == {
        "command": executable(),
        "args": ["serve", "--root", str(project)],
    }
    # Written in the file's style: its indentation, non-ASCII as is, the other servers untouched.
    assert f'\n{indent * 2}"toolhost": {{\n{indent * 3}"command": ' in text
    assert '"args": ["-y", "@modelcontextprotocol/server-github"]' in text and "\\u00e9" in text and "café ☕" in text

    ok(cli(project, "uninstall", "claude-desktop", "--config-file", "claude.json"))
    assert path.read_bytes() == original


def test_installing_again_replaces_our_entry_in_place(project):
    path = project / ".mcp.json"
    path.write_text('{\n  "mcpServers": {\n    "toolhost": {"command": "old"},\n    "b": {"command": "b"}\n  }\n}\n')
    ok(cli(project, "install", "claude-code", "--scope", "project", "--read-only"))
    first = path.read_text()
    ok(cli(project, "install", "claude-code", "--scope", "project", "--read-only"))
    assert path.read_text() == first  # idempotent
    servers = json.loads(first)["mcpServers"]
    assert list(servers) == ["toolhost", "b"] and servers["b"] == {"command": "b"}
    assert servers["toolhost"]["args"] == ["serve", "--read-only"]
    ok(cli(project, "uninstall", "claude-code", "--scope", "project"))
    assert path.read_text() == '{\n  "mcpServers": {\n    "b": {"command": "b"}\n  }\n}\n'


@pytest.mark.parametrize(
    ("target", "scope", "where", "key", "typed"),
    [
        pytest.param(
            *("claude-desktop", None, "home/.config/Claude/claude_desktop_config.json", "mcpServers", False),
            marks=pytest.mark.skipif(sys.platform != "linux", reason="Claude Desktop's file is per OS: the Linux one"),
        ),
        ("claude-code", None, "home/.claude.json", "mcpServers", True),
        ("claude-code", "project", "project/.mcp.json", "mcpServers", True),
        ("cursor", None, "home/.cursor/mcp.json", "mcpServers", False),
        ("cursor", "project", "project/.cursor/mcp.json", "mcpServers", False),
        ("vscode", None, "project/.vscode/mcp.json", "servers", True),
    ],
)
def test_each_target_creates_its_file_and_folder_with_its_shape(project, target, scope, where, key, typed):
    scope_args = ("--scope", scope) if scope else ()
    out = ok(cli(project, "install", target, *scope_args, "--name", "mine", "--env", "MODE=fast"))
    path = project.parent / where
    assert str(path) in out
    entry = {"command": executable(), "args": ["serve"], "env": {"MODE": "fast"}}
    assert json.loads(path.read_text()) == {key: {"mine": {"type": "stdio", **entry} if typed else entry}}
    assert path.read_text().endswith("}\n") and not path.with_name(path.name + ".bak").exists()
    ok(cli(project, "uninstall", target, *scope_args, "--name", "mine"))
    assert json.loads(path.read_text()) == {key: {}}


def test_a_file_without_servers_gets_the_key_and_keeps_the_rest(project):
    path = home(project) / ".claude.json"
    path.write_text('{\n  "theme": "dark",\n  "projects": {}\n}')  # no newline at the end: kept so
    ok(cli(project, "install", "claude-code"))
    text = path.read_text()
    assert text.startswith('{\n  "theme": "dark",\n  "projects": {},\n  "mcpServers": {\n    "toolhost": {\n')
    assert text.endswith("\n  }\n}")


def test_a_bare_empty_object_is_laid_out_as_clients_write_it(project):
    path = home(project) / ".cursor" / "mcp.json"
    path.parent.mkdir()
    path.write_text("{}")
    ok(cli(project, "install", "cursor"))
    entry = {"command": executable(), "args": ["serve"]}
    assert path.read_text() == json.dumps({"mcpServers": {"toolhost": entry}}, indent=2) + "\n"


def test_dry_run_prints_a_diff_without_secrets_and_changes_nothing(project):
    path = project / "mcp.json"
    original = config_text("  ").encode()
    path.write_bytes(original)
    secret = "sk-live-abcdef123456"
    done = cli(
        project, "install", "cursor", "--config-file", "mcp.json", "--env", f"OPENAI_API_KEY={secret}", "--dry-run"
    )
    diff = ok(done)
    assert diff.startswith(f"--- {path}\n+++ {path}\n@@ ")
    assert '+    "toolhost": {\n' in diff and '+        "OPENAI_API_KEY": "[redacted]"\n' in diff
    assert secret not in diff and OTHER_SECRET not in diff  # ours, and a neighbour's in the context lines
    assert '   "auth-proxy": {"command": "proxy", "args": ["--token=[redacted]"]},\n' in diff  # its shape kept
    assert path.read_bytes() == original and not (project / "mcp.json.bak").exists()

    ok(cli(project, "install", "cursor", "--config-file", "mcp.json", "--env", f"OPENAI_API_KEY={secret}"))
    assert json.loads(path.read_text())["mcpServers"]["toolhost"]["env"] == {"OPENAI_API_KEY": secret}


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('{\n  "mcpServers": {\n    "a": {"command": "a"},\n  }\n}\n', "line 4, column 3"),  # a trailing comma
        ('{"mcpServers": []}', "'mcpServers' holds [], not an object of servers"),
        ('{"mcpServers": null}', "'mcpServers' holds null, not an object of servers"),
        ('{"mcpServers": [{"API_KEY": "sk-123456789"}]}', '\'mcpServers\' holds [{"API_KEY": "[redacted]"}], not'),
        ("[1, 2]", "holds [1, 2], not a JSON object"),
    ],
    ids=["invalid JSON", "servers not an object", "servers null", "a secret not shown", "not an object"],
)
def test_a_file_that_is_not_a_json_object_is_refused_untouched(project, text, said):
    path = project / "config.json"
    path.write_text(text)
    for command in ("install", "uninstall"):
        done = cli(project, command, "claude-desktop", "--config-file", "config.json")
        assert done.returncode == 2, done
        assert said in done.stderr.decode() and "nothing was changed" in done.stderr.decode()
        assert path.read_text() == text and not (project / "config.json.bak").exists()


@pytest.mark.parametrize(
    "original",
    [
        b'{"mcpServers":{"a":{"command":"a"}},"x":"\xc3\xa9"}',
        config_text("  ", newline="\r\n").encode(),
        b"\xef\xbb\xbf" + config_text("  ").encode(),
    ],
    ids=["one line", "CRLF", "byte order mark"],
)
def test_other_styles_are_kept(project, original):
    path = project / "claude.json"
    path.write_bytes(original)
    ok(cli(project, "install", "claude-desktop", "--config-file", "claude.json"))
    written = path.read_bytes()
    assert json.loads(written.decode("utf-8-sig"))["mcpServers"]["toolhost"]["args"] == ["serve"]
    if b"\n" not in original:
        assert b"\n" not in written  # one line stays one line
    if b"\r\n" in original:
        assert written.count(b"\r\n") == written.count(b"\n")  # CRLF throughout
    assert written[:3] == original[:3]
    ok(cli(project, "uninstall", "claude-desktop", "--config-file", "claude.json"))
    assert path.read_bytes() == original


def test_a_linked_config_file_is_edited_through_the_link(project):
    real = project / "dotfiles" / "claude.json"
    real.parent.mkdir()
    real.write_text(config_text("  "))
    (home(project) / ".claude.json").symlink_to(real)
    ok(cli(project, "install", "claude-code"))
    assert (home(project) / ".claude.json").is_symlink()
    assert "toolhost" in json.loads(real.read_text())["mcpServers"]


def test_a_file_the_client_rewrote_meanwhile_is_not_overwritten(project):
    """In-process: the client (Claude Code rewrites ~/.claude.json often) must not lose its change to ours."""
    from mcp_toolhost.errors import ConfigError
    from mcp_toolhost.install.configfile import install
    from mcp_toolhost.install.targets import TARGETS

    path = project / ".mcp.json"
    path.write_text(config_text("  "))
    edit = install(TARGETS["claude-code"], path, "toolhost", ["/bin/mcp-toolhost", "serve"], {})
    path.write_text(config_text("    "))
    with pytest.raises(ConfigError, match="changed while it was being edited"):
        edit.write()
    assert path.read_text() == config_text("    ") and not (project / ".mcp.json.bak").exists()


def test_uninstall_without_our_entry_changes_nothing(project):
    path = project / ".mcp.json"
    path.write_text(config_text("  "))
    out = ok(cli(project, "uninstall", "claude-code", "--scope", "project"))
    assert out.startswith("Nothing to change")
    assert path.read_text() == config_text("  ") and not (project / ".mcp.json.bak").exists()
    assert ok(cli(project, "uninstall", "cursor")).startswith("Nothing to change")  # no file at all


def test_mcp_json_prints_the_standard_entry_and_writes_nothing(project):
    done = cli(project, "install", "mcp-json", "--reload", "--no-entry-points", "--no-builtins", "--env", "MODE=fast")
    # --reload is serve's, written for serve: no "only applies to serve" warning.
    args = ["serve", "--no-builtins", "--reload", "--no-entry-points"]
    assert json.loads(ok(done)) == {
        "mcpServers": {"toolhost": {"command": executable(), "args": args, "env": {"MODE": "fast"}}}
    }
    assert done.stderr == b""
    assert list(home(project).iterdir()) == [] and list(project.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("install", "claude-code", "--env", "NOEQUALS"), "'NOEQUALS' is not KEY=VALUE"),
        (("install", "vscode", "--scope", "user"), "vscode has no user-scope config file; use --scope project"),
        (("uninstall", "mcp-json"), "give --config-file FILE"),
        (("install", "mcp-json", "--scope", "project"), "mcp-json has no config file of its own"),
    ],
)
def test_usage_errors_exit_2_and_write_nothing(project, args, said):
    done = cli(project, *args)
    assert done.returncode == 2 and said in done.stderr.decode(), done
    assert list(home(project).iterdir()) == [] and list(project.iterdir()) == []


def test_the_config_file_serve_would_read_here_is_named_and_checked(project):
    settings = project / "mcp-toolhost.toml"
    settings.write_text("read_only = true\n")
    ok(cli(project, "install", "claude-code"))
    entry = json.loads((home(project) / ".claude.json").read_text())["mcpServers"]["toolhost"]
    assert entry["args"] == ["serve", "--config", str(settings)]  # the client starts it elsewhere

    settings.write_text("read_only = true\nnope = 1\n")
    done = cli(project, "install", "cursor")
    assert done.returncode == 2 and "unknown setting 'nope'" in done.stderr.decode()
    assert not (home(project) / ".cursor").exists()


def test_the_readmes_install_commands_run_as_written(project):
    section = (ROOT / "README.md").read_text().split("\n## Install into clients\n", 1)[1].split("\n## ", 1)[0]
    commands = [line.split("  #", 1)[0].split() for line in section.splitlines() if line.startswith("mcp-toolhost ")]
    assert {command[2] for command in commands} == set(TARGETS)  # a section for every target
    for command in commands:
        args = [arg.replace("~", str(home(project))) for arg in command[1:]]
        ok(cli(project, *args, "--dry-run"))
    assert list(home(project).iterdir()) == [] and list(project.iterdir()) == []


def test_the_installed_entry_starts_a_working_server(project, spawn):
    shutil.copy(FIXTURES / "core_tools.py", project / "tools.py")
    ok(cli(project, "install", "vscode", "--builtins", "env", "--tools", "tools.py", "--env", "MODE=fast"))
    entry = json.loads((project / ".vscode" / "mcp.json").read_text())["servers"]["toolhost"]
    assert entry["command"] == executable()
    assert entry["args"] == ["serve", "--tools", str(project / "tools.py"), "--builtins", "env"]
    elsewhere = project.parent / "elsewhere"  # clients start servers in a folder of their own
    elsewhere.mkdir()
    server = spawn(*entry["args"], cwd=elsewhere, env=entry["env"])
    server.initialize()
    assert {"add", "get_env"} <= {tool["name"] for tool in server.list_tools()}
    assert server.call("add", {"a": 2, "b": 40})["result"]["structuredContent"] == {"result": 42}
    assert server.call("get_env", {"name": "MODE"})["result"]["structuredContent"]["value"] == "fast"


def test_run_as_python_dash_m_the_command_is_still_the_console_script(project):
    """`python -m mcp_toolhost install`: the script beside the interpreter, absolute, for a client's minimal PATH."""
    done = subprocess.run(
        [sys.executable, "-m", "mcp_toolhost", "install", "mcp-json"], cwd=project, capture_output=True, check=False
    )
    assert json.loads(ok(done))["mcpServers"]["toolhost"]["command"] == executable()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    document=st.dictionaries(st.text(max_size=6), json_values, max_size=4),
    servers=st.none() | st.dictionaries(st.text(max_size=6).filter(lambda k: k != "toolhost"), json_values, max_size=3),
    indent=st.sampled_from([None, 2, 4, "\t"]),
    ascii_only=st.booleans(),
)
def test_setting_then_removing_a_member_gives_back_any_document(document, servers, indent, ascii_only):
    """In-process, over any JSON object in any of json.dumps' styles: the edit is exactly undone."""
    from mcp_toolhost.install.jsonedit import remove_member, set_member

    document = {key: value for key, value in document.items() if key != "mcpServers"}
    if servers is not None:
        document["mcpServers"] = servers
    text = json.dumps(document, indent=indent, ensure_ascii=ascii_only)
    entry = {"command": "/bin/é", "args": ["serve"]}
    edited = set_member(text, ["mcpServers", "toolhost"], entry)
    assert json.loads(edited) == {**document, "mcpServers": {**(servers or {}), "toolhost": entry}}
    if servers is not None:
        assert remove_member(edited, ["mcpServers", "toolhost"]) == text
    assert remove_member(text, ["mcpServers", "toolhost"]) is None
