"""The official TypeScript SDK client (npm, pinned in tests/ts_client/package.json) against the real server.

Most desktop clients are built on it, and it loses progress notifications that reach
it in the same read as the answer (typescript-sdk#2580): the server pauses between a
call's progress and its answer.
"""

import json
import shutil
import subprocess

import pytest
from conftest import FIXTURES, ROOT, TIMEOUT, executable

CLIENT = ROOT / "tests" / "ts_client"
TOOLS = str(FIXTURES / "core_tools.py")


@pytest.fixture(scope="module")
def node() -> str:
    """`node`, with the SDK installed from the lock file into tests/ts_client/node_modules."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed to run the TypeScript SDK client")
    if not (CLIENT / "node_modules" / "@modelcontextprotocol" / "sdk" / "package.json").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=CLIENT, check=True, capture_output=True, timeout=300)
    return node


def test_ts_sdk_client_receives_every_progress_notification_of_a_burst(node):
    calls = 20
    command = [executable(), "serve", "--no-builtins", "--tools", TOOLS]
    run = subprocess.run(
        [node, str(CLIENT / "progress.mjs"), str(calls), "5", "--", *command],
        capture_output=True,
        timeout=TIMEOUT * 4,
        check=False,
    )
    assert run.returncode == 0, run.stderr.decode()
    report = json.loads(run.stdout)
    assert report == {"received": [5] * calls, "errors": []}


def test_calls_without_progress_never_pause(spawn):
    server = spawn("serve", "--no-builtins", "--tools", TOOLS, env={"MCP_TOOLHOST_PROGRESS_PAUSE": "3600"})
    server.initialize()
    assert server.call("progress", {"steps": 5})["result"]["content"][0]["text"] == "finished"  # no token
    assert server.call("add", {"a": 1})["result"]["content"][0]["text"] == "1"
