"""The plugin pieces alone, in-process: dependency order, argv templates, manifest errors, reload state."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import anyio
import pytest

from mcp_toolhost import ConfigError, ToolHost
from mcp_toolhost.plugins import PluginManager, plugin_host
from mcp_toolhost.plugins.command import Template, TemplateError
from mcp_toolhost.plugins.manifest import ManifestError, Parameter, load_manifest
from mcp_toolhost.plugins.metadata import PluginInfo, parse_info, resolve
from mcp_toolhost.testing import connect


def _names(infos: list[PluginInfo], order: list[int]) -> list[str]:
    return [infos[index].name for index in order]


def test_dependencies_load_first_and_ties_keep_the_given_order():
    infos = [
        PluginInfo("app", requires={"db": ">=2", "log": ""}),
        PluginInfo("zeta"),
        PluginInfo("db", version="2.1", requires={"log": ""}),
        PluginInfo("log", version="1.0"),
    ]
    order, refused = resolve(infos, "0.1.0")
    assert refused == {}
    assert _names(infos, order) == ["zeta", "log", "db", "app"]


def test_refusals_name_both_plugins_and_spread_only_to_dependents():
    infos = [
        PluginInfo("old", version="1.0"),
        PluginInfo("wants_new", requires={"old": ">=2"}),
        PluginInfo("on_wants_new", requires={"wants_new": ""}),
        PluginInfo("ghost_user", requires={"ghost": "~=1.0"}),
        PluginInfo("a", requires={"b": ""}),
        PluginInfo("b", requires={"c": ""}),
        PluginInfo("c", requires={"a": ""}),
        PluginInfo("selfish", requires={"selfish": ""}),
        PluginInfo("future", mcp_toolhost=">=9"),
        PluginInfo("unversioned_user", requires={"a_versionless": ">=1"}),
        PluginInfo("a_versionless"),
        PluginInfo("bystander"),
    ]
    order, refused = resolve(infos, "0.1.0", {"broken": "skipped"})
    reasons = {infos[index].name: reason for index, reason in refused.items()}
    assert reasons["wants_new"] == "requires plugin 'old' >=2, but 'old' is version 1.0"
    assert reasons["on_wants_new"] == "requires plugin 'wants_new', which is skipped"
    assert reasons["ghost_user"] == "requires plugin 'ghost' ~=1.0, which is not installed"
    assert reasons["a"] == "dependency cycle: 'a' -> 'b' -> 'c' -> 'a'"
    assert reasons["b"] == reasons["c"] == reasons["a"]
    assert reasons["selfish"] == "dependency cycle: 'selfish' -> 'selfish'"
    assert reasons["future"] == "needs mcp-toolhost >=9, but this is mcp-toolhost 0.1.0"
    assert reasons["unversioned_user"] == "requires plugin 'a_versionless' >=1, but 'a_versionless' declares no version"
    assert _names(infos, order) == ["old", "a_versionless", "bystander"]
    _, refused = resolve([PluginInfo("x", requires={"broken": ""})], "0.1.0", {"broken": "skipped"})
    assert refused == {0: "requires plugin 'broken', which is skipped"}


def test_plugin_metadata_is_checked():
    defaults = PluginInfo("file_stem")
    assert parse_info({"version": "1.0", "requires": {"x": ">=1"}}, defaults, "p.py").name == "file_stem"
    for raw, message in (
        ({"version": "one"}, "'one' is not a valid version"),
        ({"mcp_toolhost": ">>1"}, "'>>1' is not a valid version specifier"),
        ({"requires": ["x"]}, "plugin requires must map plugin names to specifiers"),
        ({"name": "has space"}, "invalid plugin name 'has space'"),
        ({"colour": "blue"}, "unknown plugin metadata 'colour'"),
        ("not a dict", "PLUGIN must be a dict"),
    ):
        with pytest.raises(ConfigError, match=r"p.py: .*" + re.escape(message)):
            parse_info(raw, defaults, "p.py")


def _param(name: str, kind: str, flag: str | None = None) -> Parameter:
    return Parameter(name, {"type": kind}, required=False, flag=flag)


def test_templates_build_argv_and_refuse_what_would_be_unsafe():
    params = {"a": _param("a", "string"), "b": _param("b", "array"), "n": _param("n", "number", "-n")}
    template = Template.parse(("prog", "{a}", "{n}", "x={{literal}}", "--", "{b}"), params, None)
    assert template.operands == 5  # after the '--'
    assert template.argv({"a": "v", "n": 0.5, "b": ["-1", "2"]}) == [
        "prog",
        "v",
        "-n",
        "0.5",
        "x={literal}",
        "--",
        "-1",
        "2",
    ]
    assert template.argv({}) == ["prog", "x={literal}", "--"]
    assert template.check({"a": "-x", "b": ["-ok"], "n": -1}, given={"a", "b", "n"}) == [
        {
            "path": "a",
            "message": "must not start with '-': the program would read '-x' as an option;"
            " give a value that does not start with '-' (a file: './-name')",
        }
    ]
    assert template.check({"a": "-x"}, given=()) == []  # the manifest's default is its own choice
    for command, message in (
        (("{a}",), "the program (first item) cannot be a parameter"),
        (("prog", "{a}", "{a}", "{b}", "{n}"), "parameter 'a' appears 2 times"),
        (("prog", "{a}", "{n}"), "parameter 'b' is not used"),
        (("prog", "{a}", "{b}", "{n}", "{c}"), "names no parameter 'c'"),
        (("prog", "{a}", "--b={b}", "{n}"), "'b' can only be inside text if it is a string or number without a flag"),
    ):
        with pytest.raises(TemplateError, match=re.escape(message)):
            Template.parse(command, params, None)


def test_manifest_errors_point_at_the_line_of_the_field(tmp_path):
    manifest = tmp_path / "m.toml"
    manifest.write_text(
        '[plugin]\nname = "m"\n\n[[tool]]\nname = "one"\ndescription = "d"\ncommand = ["echo"]\n\n'
        '[[tool]]\nname = "two"\ndescription = "d"\ncommand = ["echo", "{p}"]\n\n'
        '[tool.parameters.p]\ntype = "integer"\ndefault = "ten"\n'
    )
    with pytest.raises(ManifestError) as caught:
        load_manifest(manifest)
    [error] = caught.value.problems
    assert (error.line, error.field) == (16, "tool 'two': parameters.p.default")
    assert "the default does not fit the parameter: 'ten' is not of type 'integer'" in str(error)
    assert str(error).endswith('16 | default = "ten"')


def test_a_broken_edit_is_logged_and_the_last_good_version_serves(tmp_path, caplog):
    plugin = tmp_path / "p.py"
    plugin.write_text("from mcp_toolhost import tool\n\n@tool\ndef v() -> str:\n    return 'one'\n")
    host = ToolHost(plugins=(str(tmp_path),), entry_points=False, reload=True)
    manager = PluginManager(host)
    manager.load()
    assert host.list_changed is True
    plugin.write_text("from mcp_toolhost import tool\n\nraise ValueError('half-written')\n")
    with caplog.at_level(logging.ERROR, logger="mcp_toolhost.plugins"):
        assert manager.reload({str(plugin)})
    assert "reload failed, still serving the last good version: import failed: ValueError: half-written" in caplog.text
    [status] = manager.report.plugins
    assert status.state == "loaded" and "the last edit failed" in status.warnings[0]

    async def call() -> str:
        async with connect(host) as client:
            return (await client.call_tool("v"))["content"][0]["text"]

    assert anyio.run(call) == "one"


def test_plugin_host_given_a_python_file_says_to_pass_its_folder(tmp_path):
    module = tmp_path / "text.py"
    module.write_text("from mcp_toolhost import tool\n\n@tool\ndef shout(s: str) -> str:\n    return s.upper()\n")
    with pytest.raises(ConfigError, match=r"pass the folder that holds it: plugin_host\('.*'\)"):
        plugin_host(module)
    assert "shout" in plugin_host(tmp_path).registry


def test_plugin_host_refuses_a_broken_plugin(tmp_path):
    (tmp_path / "bad.py").write_text("raise ImportError('no such thing')\n")
    with pytest.raises(ConfigError, match=r"plugin 'bad' .* skipped: import failed: ImportError: no such thing"):
        plugin_host(tmp_path)
    assert Path(tmp_path).is_dir()


def test_reloading_a_package_plugin_runs_its_edited_submodule(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from mcp_toolhost import tool\n\nfrom .words import WORD\n\n@tool\ndef word() -> str:\n    return WORD\n"
    )
    (package / "words.py").write_text("WORD = 'old'\n")
    host = ToolHost(plugins=(str(tmp_path),), entry_points=False)
    manager = PluginManager(host)
    manager.load()
    (package / "words.py").write_text("WORD = 'new'\n")  # same size, same second: no stale bytecode
    assert manager.reload({str(package / "words.py")})

    async def call() -> str:
        async with connect(host) as client:
            return (await client.call_tool("word"))["content"][0]["text"]

    assert anyio.run(call) == "new"
    assert not (package / "__pycache__").exists()


def test_json_output_publishes_the_declared_output_schema(tmp_path):
    manifest = tmp_path / "j.toml"
    tool = '[[tool]]\nname = "{name}"\ndescription = "d"\ncommand = ["echo", "{{\\"n\\": {n}}}"]\n'
    tool += 'output.format = "json"\n'
    tool += 'output.schema = {{ type = "object", properties = {{ n = {{ type = "integer" }} }} }}\n'
    manifest.write_text(tool.format(name="j", n=1) + tool.format(name="bad", n='\\"one\\"'))
    host = plugin_host(manifest)

    async def call() -> tuple[list[dict], dict, dict]:
        async with connect(host) as client:
            return await client.list_tools(), await client.call_tool("j"), await client.call_tool("bad")

    tools, result, bad = anyio.run(call)
    assert tools[1]["outputSchema"] == {"type": "object", "properties": {"n": {"type": "integer"}}}
    assert result["structuredContent"] == {"n": 1}
    assert result["content"] == [{"type": "text", "text": '{"n":1}'}]
    assert bad["isError"] is True
    assert "printed JSON that does not match its output schema: n: 'one' is not of type 'integer'" in str(bad)
