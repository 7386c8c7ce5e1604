"""`serve --reload`: plugins come, change and go while a client stays connected.

Each step waits for the `notifications/tools/list_changed` the client receives (no
sleeps). Files are written beside the folder and moved in, as editors save, so the
watcher never sees half a file.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from conftest import TIMEOUT, run_cli

LIST_CHANGED = "notifications/tools/list_changed"

GREET_V1 = '''
from mcp_toolhost import tool

@tool
def greet(name: str) -> str:
    """Say hello."""
    return f"hello {name}"
'''

GREET_V2 = '''
from pathlib import Path

from mcp_toolhost import tool

@tool
def greet(name: str, excited: bool = False) -> str:
    """Say hello, maybe excitedly."""
    return f"HELLO {name}" + ("!" if excited else "")

@tool
def wave() -> str:
    return "o/"

def cleanup():
    Path(__file__).with_name("greet.cleaned").write_text("v2 cleaned up")
'''

HOLD = '''
from mcp_toolhost import Context, tool

@tool
def hold(fifo: str, ctx: Context) -> str:
    """Waits until the test writes to the FIFO, then answers with this version's word."""
    ctx.report_progress(1, message="started")
    with open(fifo) as f:
        f.read()
    return "{word}"
'''


def _put(folder: Path, name: str, text: str) -> None:
    """Write beside the folder, then move into it: one complete file appears."""
    staging = folder.parent / f".staging-{name}"
    staging.write_text(text)
    os.replace(staging, folder / name)


def _wait_for(server, method: str) -> dict:
    """The next notification `method`, from those already read or from the process."""
    for index, message in enumerate(server.notifications):
        if message["method"] == method:
            return server.notifications.pop(index)
    while True:
        message = server.recv(TIMEOUT)
        if message.get("method") == method:
            return message
        server.notifications.append(message)


def _names(server) -> set[str]:
    return {tool["name"] for tool in server.list_tools()}


def _text(response: dict) -> str:
    assert "result" in response, response
    return response["result"]["content"][0]["text"]


@pytest.fixture
def folder(tmp_path) -> Path:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    return plugins


@pytest.fixture(params=["events", "polling"])
def server(request, spawn, folder):
    """A reloading server, on OS file events and (where those do not reach) on polling."""
    polling = ("--reload-polling",) if request.param == "polling" else ()
    process = spawn("serve", "--plugins", str(folder), "--reload", *polling)
    result = process.initialize()
    assert result["capabilities"]["tools"]["listChanged"] is True
    return process


def test_reload_adds_changes_and_removes_tools(server, folder):
    assert "greet" not in _names(server)

    _put(folder, "greet.py", GREET_V1)
    _wait_for(server, LIST_CHANGED)
    assert "greet" in _names(server)
    assert _text(server.call("greet", {"name": "ada"})) == "hello ada"

    server.notifications.clear()
    _put(folder, "greet.py", GREET_V2)
    _wait_for(server, LIST_CHANGED)
    assert {"greet", "wave"} <= _names(server)
    assert _text(server.call("greet", {"name": "ada", "excited": True})) == "HELLO ada!"

    server.notifications.clear()
    (folder / "greet.py").unlink()
    _wait_for(server, LIST_CHANGED)
    assert not {"greet", "wave"} & _names(server)
    # The removed version's cleanup hook ran before the client heard of the change.
    assert (folder / "greet.cleaned").read_text() == "v2 cleaned up"
    response = server.call("greet", {"name": "ada"})
    assert response["error"]["code"] == -32602


def test_manifest_files_reload_too(spawn, tmp_path):
    manifest = tmp_path / "tools.toml"
    body = '[[tool]]\nname = "{name}"\ndescription = "Echo."\ncommand = ["echo", "{{text}}"]\n'
    body += '[tool.parameters.text]\ntype = "string"\n'
    manifest.write_text(body.format(name="say"))
    server = spawn("serve", "--manifest", str(manifest), "--reload")
    server.initialize()
    assert _text(server.call("say", {"text": "one"})) == "one"
    staging = tmp_path / "staging.toml"
    staging.write_text(body.format(name="speak"))
    os.replace(staging, manifest)
    _wait_for(server, LIST_CHANGED)
    names = _names(server)
    assert "speak" in names and "say" not in names


def test_a_broken_edit_keeps_the_last_good_version(server, folder):
    _put(folder, "greet.py", GREET_V1)
    _wait_for(server, LIST_CHANGED)
    server.notifications.clear()

    _put(folder, "greet.py", GREET_V1.replace("def greet(", "def greet(:"))  # a syntax error
    _put(folder, "sentinel.py", "from mcp_toolhost import tool\n\n@tool\ndef sentinel() -> str:\n    return 's'\n")
    # The sentinel's change arrives after (or with) the broken edit: both were handled.
    _wait_for(server, LIST_CHANGED)
    assert {"greet", "sentinel"} <= _names(server)
    assert _text(server.call("greet", {"name": "ada"})) == "hello ada"
    # Why, on the server's stderr.
    log = server.wait_for_stderr("greet.py: reload failed, still serving the last good version: import failed")
    assert "SyntaxError" in log and "(greet.py, line 5)" in log, log

    server.notifications.clear()
    _put(folder, "greet.py", GREET_V2)  # fixed: the new version replaces the old
    _wait_for(server, LIST_CHANGED)
    assert _text(server.call("greet", {"name": "ada"})) == "HELLO ada"

    server.close_stdin()  # at shutdown the plugins' cleanup hooks run too
    assert server.wait() == 0
    assert (folder / "greet.cleaned").read_text() == "v2 cleaned up"


def test_a_call_in_flight_finishes_on_the_old_code(server, folder, tmp_path):
    fifo = tmp_path / "release"
    os.mkfifo(fifo)
    _put(folder, "hold.py", HOLD.replace("{word}", "old"))
    _wait_for(server, LIST_CHANGED)

    server.send(
        {
            "jsonrpc": "2.0",
            "id": "held",
            "method": "tools/call",
            "params": {"name": "hold", "arguments": {"fifo": str(fifo)}, "_meta": {"progressToken": "p"}},
        }
    )
    _wait_for(server, "notifications/progress")  # the old code is running

    server.notifications.clear()
    _put(folder, "hold.py", HOLD.replace("{word}", "new").replace("with open(fifo)", "with open(__file__)"))
    _wait_for(server, LIST_CHANGED)
    assert _text(server.call("hold", {"fifo": str(fifo)})) == "new"

    release = threading.Thread(target=fifo.write_text, args=("go",), daemon=True)
    release.start()
    assert _text(server.recv_response("held")) == "old"
    release.join(TIMEOUT)


# --- --tools files ---------------------------------------------------------------------

USES_HELPER = '''
from helperlib import word

from mcp_toolhost import tool


@tool
def speak() -> str:
    return word()
'''


@pytest.fixture(params=["events", "polling"])
def tools_server(request, spawn, tmp_path):
    """A server reloading one `--tools` file that imports a module beside it."""
    folder = tmp_path / "tools"
    folder.mkdir()
    _put(folder, "helperlib.py", "def word():\n    return 'v1'\n")
    _put(folder, "speech.py", USES_HELPER)
    polling = ("--reload-polling",) if request.param == "polling" else ()
    process = spawn("serve", "--no-builtins", "--tools", str(folder / "speech.py"), "--reload", *polling)
    assert process.initialize()["capabilities"]["tools"]["listChanged"] is True
    process.folder = folder
    return process


def test_tools_file_reloads_on_its_own_edits_and_its_helpers(tools_server):
    server, folder = tools_server, tools_server.folder
    assert _text(server.call("speak")) == "v1"

    _put(folder, "speech.py", USES_HELPER + GREET_V1.replace("from mcp_toolhost import tool", ""))
    _wait_for(server, LIST_CHANGED)
    assert _names(server) == {"speak", "greet"}
    assert _text(server.call("greet", {"name": "ada"})) == "hello ada"

    server.notifications.clear()
    _put(folder, "helperlib.py", "def word():\n    return 'v2'\n")
    _wait_for(server, LIST_CHANGED)
    assert _text(server.call("speak")) == "v2"


def test_a_broken_edit_of_a_tools_file_keeps_the_last_good_version(tools_server):
    server, folder = tools_server, tools_server.folder
    _put(folder, "speech.py", USES_HELPER.replace("def speak(", "def speak(:"))
    log = server.wait_for_stderr("speech.py: reload failed, still serving the last good version")
    assert "SyntaxError" in log, log
    assert _names(server) == {"speak"} and _text(server.call("speak")) == "v1"

    _put(folder, "speech.py", USES_HELPER.replace("speak", "talk"))  # fixed
    _wait_for(server, LIST_CHANGED)
    assert _names(server) == {"talk"} and _text(server.call("talk")) == "v1"


def test_reload_for_a_command_that_runs_once_is_reported_not_ignored(tmp_path):
    (tmp_path / "one.py").write_text(GREET_V1)
    done = run_cli("call", "greet", "-a", "name=ada", "--reload", "--no-builtins", "--tools", str(tmp_path / "one.py"))
    assert done.returncode == 0 and done.stdout == b"hello ada\n"
    assert "--reload only applies to `serve`; `call` runs once and ignores it" in done.stderr.decode()


def test_a_plugin_reloads_when_a_module_beside_it_that_it_imports_changes(spawn, folder):
    _put(folder, "helperlib.py", "def word():\n    return 'v1'\n")
    _put(folder, "speech.py", USES_HELPER)
    server = spawn("serve", "--no-builtins", "--no-entry-points", "--plugins", str(folder), "--reload")
    server.initialize()
    assert _names(server) == {"speak"} and _text(server.call("speak")) == "v1"
    _put(folder, "helperlib.py", "def word():\n    return 'v2'\n")
    _wait_for(server, LIST_CHANGED)
    assert _text(server.call("speak")) == "v2"


def test_tools_file_reloads_when_a_module_of_a_helper_package_beside_it_changes(spawn, tmp_path):
    folder = tmp_path / "tools"
    (folder / "helperpkg").mkdir(parents=True)
    (folder / "helperpkg" / "__init__.py").write_text("")
    _put(folder / "helperpkg", "words.py", "def word():\n    return 'v1'\n")
    _put(folder, "speech.py", USES_HELPER.replace("from helperlib import", "from helperpkg.words import"))
    server = spawn("serve", "--no-builtins", "--tools", str(folder / "speech.py"), "--reload")
    server.initialize()
    assert _text(server.call("speak")) == "v1"
    _put(folder / "helperpkg", "words.py", "def word():\n    return 'v2'\n")
    _wait_for(server, LIST_CHANGED)
    assert _text(server.call("speak")) == "v2"
