"""Plugins from folders, packages, manifests and entry points, through the real process.

The `mixed` fixture folder holds good plugins beside broken ones: each broken one is
skipped with its reason and the rest serve.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import EXAMPLES, FIXTURES, executable, run_cli

EXAMPLE_PLUGIN = EXAMPLES / "units-plugin"

# Only these tools come from the fixture plugins; other tools (built-ins) are ignored.
MIXED_TOOLS = {
    "shared_name",
    "beta.shared_name",
    "alpha_add",
    "pkg_shout",
    "whisper",
    "not_exported",
    "count_words",
    "never_served",
    "takes_varargs",
    "needs_newer_tool",
    "cycle_a_tool",
    "cycle_b_tool",
    "on_broken_tool",
    "future_tool",
    "bad",
}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    """The `mixed` fixture folder, plus files that must not sit in the repository as they are:
    a syntax error (linters would choke on it) and a test file (pytest would collect it).
    """
    folder = tmp_path_factory.mktemp("plugins") / "mixed"
    shutil.copytree(FIXTURES / "plugins" / "mixed", folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "broken_syntax.py").write_text("from mcp_toolhost import tool\n\ndef oops(:\n    pass\n")
    (folder / "test_not_a_plugin.py").write_text('raise AssertionError("test files beside plugins are not plugins")\n')
    return folder


def _text(response: dict) -> str:
    assert "result" in response, response
    return "".join(block["text"] for block in response["result"]["content"])


def test_folder_plugins_serve_beside_broken_ones(spawn, mixed):
    server = spawn("serve", "--plugins", str(mixed))
    server.initialize()
    names = {tool["name"] for tool in server.list_tools()} & MIXED_TOOLS
    assert names == {"shared_name", "beta.shared_name", "alpha_add", "pkg_shout", "whisper", "count_words"}, (
        server.stderr
    )

    assert _text(server.call("alpha_add", {"a": 2, "b": 3})) == "5"
    assert _text(server.call("pkg_shout", {"text": "package"})) == "PACKAGE!"
    assert _text(server.call("whisper", {"text": "PACKAGE"})) == "package..."
    assert _text(server.call("count_words", {"text": "one two three"})).strip() == "3"
    # Name conflict: the first-loaded plugin keeps the name, the later one is qualified.
    assert _text(server.call("shared_name")) == "from alpha"
    assert _text(server.call("beta.shared_name")) == "from beta"

    server.close_stdin()
    assert server.wait() == 0
    log = server.stderr
    assert "served as 'beta.shared_name'" in log
    assert "broken_import" in log and "RuntimeError: this plugin fails at import" in log


def test_check_reports_every_plugin_and_exits_1_on_problems(mixed):
    result = run_cli("check", "--plugins", str(mixed))
    out = result.stdout.decode()
    assert result.returncode == 1, out + result.stderr.decode()
    lines = {line.split()[1]: line for line in out.splitlines() if line[:1].isupper() or line.startswith("ok")}

    assert lines["alpha"].startswith("ok") and "alpha_add" in lines["alpha"]
    assert lines["pkgplugin"].startswith("ok") and "2.0.0" in lines["pkgplugin"]
    assert lines["wordcount"].startswith("ok")
    assert "served as 'beta.shared_name'" in out
    assert "RuntimeError: this plugin fails at import (broken_import.py, line 9)" in lines["broken_import"]
    assert "SyntaxError" in lines["broken_syntax"]
    assert "tool 'takes_varargs'" in lines["broken_schema"] and "*values" in lines["broken_schema"]
    # Metadata: the reason names both plugins; only the dependents are skipped.
    assert "requires plugin 'alpha' >=2.0, but 'alpha' is version 1.2.0" in lines["needs_newer"]
    assert "dependency cycle: 'cycle_a' -> 'cycle_b' -> 'cycle_a'" in lines["cycle_a"]
    assert "dependency cycle" in lines["cycle_b"]
    assert "requires plugin 'broken_import', which is skipped" in lines["on_broken"]
    assert "needs mcp-toolhost >=99" in lines["future_host"]
    # A manifest error names the file, the line and the field, and shows the line.
    assert "broken_manifest.toml:7: tool 'bad': parameters.value.type:" in out
    assert '7 | type = "list"' in out
    assert "test_not_a_plugin" not in out and "_private" not in out


def test_dependencies_load_first_and_a_missing_one_skips_only_its_dependent(spawn):
    deps = FIXTURES / "plugins" / "deps"  # a_app requires z_base; m_orphan requires ghost, which does not exist
    result = run_cli("check", "--no-builtins", "--plugins", str(deps))
    out = result.stdout.decode()
    assert result.returncode == 1, out + result.stderr.decode()
    lines = {line.split()[1]: line for line in out.splitlines() if line[:1].isupper() or line.startswith("ok")}
    assert lines["z_base"].startswith("ok") and lines["a_app"].startswith("ok")
    # z_base registered its tools before a_app although a_app comes first by name: z_base keeps `which`.
    assert "ok       z_base 2.1.0 (" in lines["z_base"] and lines["z_base"].endswith("1 tool: which")
    assert "tool 'which' is served as 'a_app.which': 'which' is taken by 'z_base'" in out
    assert lines["m_orphan"].startswith("SKIPPED")
    assert "requires plugin 'ghost' >=1.0, which is not installed" in lines["m_orphan"]
    assert "2 plugins loaded, 1 skipped, 0 disabled" in out

    # The missing dependency alone is a problem (exit 1); without it, check passes.
    alone = run_cli("check", "--no-builtins", "--plugins", str(deps), "--disable-tool", "a_app.which")
    assert alone.returncode == 1 and b"warning" not in alone.stdout, alone.stdout.decode()
    clean = run_cli(
        "check",
        "--no-builtins",
        "--plugins",
        str(deps),
        "--disable-tool",
        "a_app.which",
        "--disable-plugin",
        "m_orphan",
    )
    assert clean.returncode == 0, clean.stdout.decode() + clean.stderr.decode()

    server = spawn("serve", "--no-builtins", "--plugins", str(deps))
    server.initialize()
    assert {tool["name"] for tool in server.list_tools()} == {"which", "a_app.which", "app_hello"}
    assert _text(server.call("which")) == "from z_base"
    assert _text(server.call("a_app.which")) == "from a_app"
    assert _text(server.call("app_hello")) == "hello from a_app"
    server.close_stdin()
    assert server.wait() == 0
    assert (
        "plugin m_orphan" in server.stderr and "requires plugin 'ghost' >=1.0, which is not installed" in server.stderr
    )


def test_check_passes_on_good_plugins(tmp_path, mixed):
    (tmp_path / "good.py").write_text((mixed / "alpha.py").read_text())
    result = run_cli("check", "--plugins", str(tmp_path))
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    assert "1 plugin loaded, 0 skipped, 0 disabled" in result.stdout.decode()
    report = json.loads(run_cli("check", "--json", "--plugins", str(tmp_path)).stdout)
    assert report["ok"] is True
    assert report["plugins"][0]["name"] == "alpha"
    assert report["plugins"][0]["tools"] == ["shared_name", "alpha_add"]


def test_allow_and_deny_lists(tmp_path, mixed):
    def served(*flags: str) -> set[str]:
        result = run_cli("list-tools", "--json", "--plugins", str(mixed), *flags)
        assert result.returncode == 0, result.stderr.decode()
        return {tool["name"] for tool in json.loads(result.stdout)["tools"]} & MIXED_TOOLS

    # Disabling a plugin: never imported, and its name is free for the other.
    assert served("--disable-plugin", "alpha") == {"pkg_shout", "whisper", "count_words"}  # beta needs alpha
    assert served("--enable-plugin", "pkg*", "--enable-plugin", "wordcount") == {"pkg_shout", "whisper", "count_words"}
    assert served("--disable-tool", "*shared_name") == {"alpha_add", "pkg_shout", "whisper", "count_words"}
    # alpha's shared_name is not served, so beta's keeps the plain name: no conflict.
    assert served("--enable-tool", "beta.*", "--enable-tool", "alpha_add") == {"shared_name", "alpha_add"}
    config = tmp_path / "mcp-toolhost.toml"
    config.write_text(f'plugins = ["{mixed}"]\ndisable_tools = ["count_*", "pkgplugin.*"]\n')
    result = run_cli("list-tools", "--json", "--config", str(config))
    names = {tool["name"] for tool in json.loads(result.stdout)["tools"]} & MIXED_TOOLS
    assert names == {"shared_name", "beta.shared_name", "alpha_add"}

    # Each list in the config file has the same effect as its flag.
    def configured(lines: str) -> set[str]:
        config.write_text(f'plugins = ["{mixed}"]\n{lines}\n')
        result = run_cli("list-tools", "--json", "--config", str(config))
        assert result.returncode == 0, result.stderr.decode()
        return {tool["name"] for tool in json.loads(result.stdout)["tools"]} & MIXED_TOOLS

    assert configured('disable_plugins = ["alpha"]') == {"pkg_shout", "whisper", "count_words"}
    assert configured('enable_plugins = ["pkg*", "wordcount"]') == {"pkg_shout", "whisper", "count_words"}
    assert configured('enable_tools = ["beta.*", "alpha_add"]') == {"shared_name", "alpha_add"}
    assert configured('disable_tools = ["*shared_name"]') == {"alpha_add", "pkg_shout", "whisper", "count_words"}


def _fake_distribution(site: Path, name: str, version: str, entry_points: dict[str, str]) -> None:
    """What `pip install` leaves in site-packages, enough for importlib.metadata."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: {name} for tests\nAuthor: Test\n"
    )
    lines = "".join(f"{key} = {value}\n" for key, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[mcp_toolhost.plugins]\n{lines}")


def test_entry_point_plugins_load_from_installed_distributions(spawn, tmp_path):
    site = tmp_path / "site"
    (site / "fakeplug").mkdir(parents=True)
    (site / "fakeplug" / "__init__.py").write_text("")
    (site / "fakeplug" / "tools.py").write_text(
        "from mcp_toolhost import tool\n\n@tool\ndef fake_ping() -> str:\n    return 'pong from an entry point'\n"
    )
    _fake_distribution(site, "fakeplug", "3.1.4", {"fakeplug": "fakeplug.tools"})
    env = {"PYTHONPATH": str(site)}

    server = spawn("serve", env=env)
    server.initialize()
    assert "fake_ping" in {tool["name"] for tool in server.list_tools()}
    assert _text(server.call("fake_ping")) == "pong from an entry point"

    report = json.loads(run_cli_env(env, "check", "--json"))
    [plugin] = [p for p in report["plugins"] if p["name"] == "fakeplug"]
    assert plugin["version"] == "3.1.4"  # from the distribution's metadata
    assert plugin["source"] == "entry point fakeplug = fakeplug.tools"

    off = json.loads(run_cli_env(env, "list-tools", "--json", "--no-entry-points"))
    assert "fake_ping" not in {tool["name"] for tool in off["tools"]}


def test_example_plugin_package_is_found_by_its_entry_point(spawn, tmp_path):
    project = tomllib.loads((EXAMPLE_PLUGIN / "pyproject.toml").read_text())["project"]
    declared = project["entry-points"]["mcp_toolhost.plugins"]
    site = tmp_path / "site"
    _fake_distribution(site, project["name"], project["version"], declared)
    server = spawn("serve", env={"PYTHONPATH": f"{site}:{EXAMPLE_PLUGIN}"})
    server.initialize()
    tools = {tool["name"]: tool for tool in server.list_tools()}
    assert "convert_length" in tools
    response = server.call("convert_length", {"value": 1, "from_unit": "mi", "to_unit": "km"})
    assert response["result"]["structuredContent"] == {"result": 1.609344}


def _pip_install(source: Path, target: Path) -> None:
    """`pip install --no-deps --target TARGET SOURCE`, with build isolation if it is quick, else without."""
    command = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--disable-pip-version-check"]
    why = ""
    try:
        done = subprocess.run([*command, "--target", str(target), str(source)], capture_output=True, timeout=20)
        if done.returncode == 0:
            return
        why = done.stderr.decode()[-2000:]
    except subprocess.TimeoutExpired:
        why = "the isolated build took more than 20 s"
    shutil.rmtree(target, ignore_errors=True)
    try:
        import setuptools  # noqa: F401
    except ImportError:
        pytest.skip(
            f"cannot build the example plugin: pip's isolated build failed ({why}) and setuptools is not installed"
        )
    done = subprocess.run(
        [*command, "--no-build-isolation", "--target", str(target), str(source)], capture_output=True, timeout=60
    )
    assert done.returncode == 0, f"isolated build: {why}\nwithout isolation: {done.stderr.decode()}"


def test_example_plugin_package_installs_and_serves(tmp_path):
    # Built from a copy, so the build leaves nothing in the repository.
    source = tmp_path / "units-plugin"
    shutil.copytree(EXAMPLE_PLUGIN, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    site = tmp_path / "site"
    _pip_install(source, site)
    assert (site / "mcp_toolhost_units" / "tools.py").exists()
    env = {**os.environ, "PYTHONPATH": str(site)}
    run = lambda *args: subprocess.run(  # noqa: E731
        [executable(), *args], cwd=tmp_path, env=env, capture_output=True, timeout=60, check=False
    )

    check = run("check", "--no-builtins")
    out = check.stdout.decode()
    assert check.returncode == 0, out + check.stderr.decode()
    assert "ok       units 1.0.0 (entry point units = mcp_toolhost_units.tools): 2 tools:" in out
    assert "convert_length" in out
    call = run("call", "convert_length", "-a", "value=1", "-a", "from_unit=mi", "-a", "to_unit=km")
    assert call.returncode == 0, call.stderr.decode()
    assert call.stdout.decode().strip() == "1.609344"
    # Without the installed package on the path, there is no such tool.
    gone = subprocess.run(
        [executable(), "call", "convert_length", "-a", "value=1", "-a", "from_unit=mi", "-a", "to_unit=km"],
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert gone.returncode != 0


def test_example_plugin_package_passes_its_own_test():
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLE_PLUGIN / "tests")],
        cwd=EXAMPLE_PLUGIN,
        env={**os.environ, "PYTHONPATH": str(EXAMPLE_PLUGIN)},
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()


def run_cli_env(env: dict[str, str], *args: str) -> bytes:
    result = subprocess.run(
        [executable(), *args], env={**os.environ, **env}, capture_output=True, timeout=60, check=False
    )
    assert result.returncode in (0, 1), result.stderr.decode()
    return result.stdout


def test_paths_in_log_lines_keep_their_leading_slash_when_run_from_the_root(spawn, mixed):
    server = spawn("serve", "--no-builtins", "--plugins", str(mixed), cwd=Path("/"))
    server.wait_for_stderr(f"plugin broken_import ({mixed}/broken_import.py) skipped")
