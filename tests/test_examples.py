"""examples/ runs as its README says: each transcript as written, each example served over stdio.

The commands run in a copy of examples/, so nothing they write (caches, bytecode) lands in the
repository.
"""

import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT
from doc_examples import block, run_console

GUIDE = (EXAMPLES / "README.md").read_text()
FORECAST = '{"city":"Lyon","celsius":21.5,"sky":"clear"}'
SECTIONS = {part.split("\n", 1)[0]: part for part in GUIDE.split("\n## ")[1:]}


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A folder holding a copy of examples/, where the guide's `examples/...` paths resolve."""
    shutil.copytree(EXAMPLES, tmp_path / "examples", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return tmp_path


@pytest.mark.parametrize("heading", [heading for heading, text in SECTIONS.items() if "```console" in text])
def test_guide_transcript_runs_as_shown(heading, workdir):
    run_console(SECTIONS[heading], workdir)


def test_every_section_with_commands_has_a_transcript():
    with_transcripts = {heading for heading, text in SECTIONS.items() if "```console" in text}
    assert with_transcripts == {"A tools file: my_tools.py", "A manifest: sort.toml", "A plugin folder: plugins/"}


@pytest.mark.parametrize(
    ("args", "tool", "arguments", "text"),
    [
        (("--tools", "examples/my_tools.py"), "forecast", {"city": "Lyon"}, FORECAST),
        (("--manifest", "examples/sort.toml"), "sort_lines", {"text": "b\na\n", "reverse": True}, "b\na"),
        (("--plugins", "examples/plugins"), "slugify", {"text": "Hello, World"}, "hello-world"),
        (("--tools", "examples/bench_tools.py"), "echo", {"text": "hi"}, "hi"),
    ],
)
def test_each_example_is_served_by_its_serve_command(spawn, workdir, args, tool, arguments, text):
    server = spawn("serve", "--no-builtins", *args, cwd=workdir)
    server.initialize()
    assert tool in {listed["name"] for listed in server.list_tools()}
    answer = server.call(tool, arguments)
    assert answer["result"]["content"] == [{"type": "text", "text": text}], answer


def test_tools_file_example_is_the_readmes_my_tools():
    assert (EXAMPLES / "my_tools.py").read_text() == block((ROOT / "README.md").read_text(), "python", "# my_tools.py")


def test_readme_links_each_example():
    readme = (ROOT / "README.md").read_text()
    for target in ("README.md", "my_tools.py", "sort.toml", "plugins", "units-plugin"):
        assert f"](examples/{target})" in readme, f"README.md does not link examples/{target}"


def test_guide_lists_every_example_and_the_tests_of_the_package_example():
    listed = {path.name for path in EXAMPLES.iterdir() if path.name not in {"README.md", "__pycache__"}}
    missing = {name for name in listed if f"]({name})" not in GUIDE}
    assert not missing, f"examples/README.md does not list {sorted(missing)}"
    loading_tests = (ROOT / "tests" / "test_plugins_loading.py").read_text()
    for name in ("test_example_plugin_package_installs_and_serves", "test_example_plugin_package_passes_its_own_test"):
        assert name in GUIDE and f"def {name}(" in loading_tests
