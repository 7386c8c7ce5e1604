"""The README's examples run as written, so the docs cannot rot."""

import json
import re

from conftest import ROOT, run_cli

README = (ROOT / "README.md").read_text()


def code_block(first_line: str) -> str:
    for block in re.findall(r"```python\n(.*?)```", README, re.S):
        if block.startswith(first_line):
            return block
    raise AssertionError(f"no python block starting with {first_line!r} in README.md")


def test_readme_opens_with_the_install_and_test_commands():
    commands = re.search(r"```sh\n(.*?)```", README, re.S).group(1).splitlines()
    assert commands[0].startswith("pip install . && mcp-toolhost")
    assert commands[1].startswith("pip install -e '.[test]' && python -m pytest -q")
    assert "pip install -e '.[test]' && python -m pytest -q" in (ROOT / ".ci" / "run").read_text()


def test_writing_tools_example(tmp_path):
    (tmp_path / "my_tools.py").write_text(code_block("# my_tools.py"))
    done = run_cli(
        "call", "forecast", "--no-builtins", "--tools", "my_tools.py", "--arg", "city=Lyon", "--raw", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["structuredContent"] == {"city": "Lyon", "celsius": 21.5, "sky": "clear"}
    refused = run_cli(
        "call", "forecast", "--no-builtins", "--tools", "my_tools.py", "-a", "city=Lyon", "-a", "days=9", cwd=tmp_path
    )
    assert refused.returncode == 1 and b"days must be between 1 and 7" in refused.stderr


def test_testing_example(tmp_path):
    (tmp_path / "my_tools.py").write_text(code_block("# my_tools.py"))
    (tmp_path / "test_example.py").write_text(code_block("import pytest\n\nfrom mcp_toolhost import ToolHost"))
    (tmp_path / "conftest.py").write_text(
        "import pytest\n\n@pytest.fixture\ndef anyio_backend():\n    return 'asyncio'\n"
    )
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_example.py"],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
