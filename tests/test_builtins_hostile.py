"""Hostile inputs to the file, data and HTTP built-ins, through the real process (issue 8).

Each test is a finding that once took the server down, read outside the roots, leaked
a secret or failed a call that should have worked.
"""

from __future__ import annotations

import base64
import contextlib
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import McpProcess
from fixtures.builtins_support import error_text, structured

from mcp_toolhost.builtins._walk import remove_tree

# Python's `re` needs hours for these (exponential or high-degree backtracking).
EVIL_LINE = "a" * 64 + "!"
EVIL_REGEX = "(a+)+$"
EVIL_GLOB = "*a" * 12 + "*b"
PROMPT = 5.0  # seconds; far more than RE2 needs, far less than Python's `re` would


@pytest.fixture
def files(spawn: Callable[..., McpProcess], tmp_path: Path) -> McpProcess:
    server = spawn("serve", "--root", str(tmp_path), "--builtins", "files,data")
    server.initialize()
    return server


def call_beside_ping(server: McpProcess, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """Call `name` with a `ping` right behind it; both must be answered within PROMPT seconds."""
    params = {"name": name, "arguments": arguments}
    server.send({"jsonrpc": "2.0", "id": "call", "method": "tools/call", "params": params})
    server.send({"jsonrpc": "2.0", "id": "ping", "method": "ping"})
    answers = {}
    while len(answers) < 2:
        message = server.recv(timeout=PROMPT)
        answers[message["id"]] = message
    assert answers["ping"]["result"] == {}, answers["ping"]
    response: dict[str, Any] = answers["call"]
    return response


# --- Item 1: patterns the model writes cannot freeze the server --------------------------


def test_a_backtracking_content_regex_is_answered_at_once(files: McpProcess, tmp_path: Path) -> None:
    (tmp_path / "evil.txt").write_text(EVIL_LINE + "\n" + "a" * 10 + "\n")
    found = structured(call_beside_ping(files, "search_files", {"path": ".", "glob": "*", "content_regex": EVIL_REGEX}))
    assert [match["line"] for match in found["matches"]] == [2], found


def test_a_backtracking_glob_is_answered_at_once(files: McpProcess, tmp_path: Path) -> None:
    (tmp_path / ("a" * 200)).write_text("")
    found = structured(call_beside_ping(files, "search_files", {"path": ".", "glob": EVIL_GLOB}))
    assert found["matches"] == []
    listed = structured(call_beside_ping(files, "list_directory", {"path": ".", "pattern": EVIL_GLOB}))
    assert listed["entries"] == []


def test_a_backtracking_schema_pattern_is_answered_at_once(files: McpProcess) -> None:
    schema = {"type": "object", "properties": {"name": {"pattern": EVIL_REGEX}}, "patternProperties": {EVIL_REGEX: {}}}
    data = {"name": EVIL_LINE, EVIL_LINE: 1}
    checked = structured(call_beside_ping(files, "json_validate", {"data": data, "schema": schema}))
    assert [error["keyword"] for error in checked["errors"]] == ["pattern"], checked
    closed = {"additionalProperties": False, "patternProperties": {EVIL_REGEX: {}}}
    extra = structured(call_beside_ping(files, "json_validate", {"data": {EVIL_LINE: 1}, "schema": closed}))
    assert [error["keyword"] for error in extra["errors"]] == ["additionalProperties"], extra
    unevaluated = {"patternProperties": {EVIL_REGEX: {}}, "unevaluatedProperties": False}
    left = structured(call_beside_ping(files, "json_validate", {"data": {EVIL_LINE: 1}, "schema": unevaluated}))
    assert [error["keyword"] for error in left["errors"]] == ["unevaluatedProperties"], left


def test_unevaluated_properties_still_follow_refs_and_branches(files: McpProcess) -> None:
    schema = {
        "$defs": {"named": {"properties": {"a": {}}}},
        "$ref": "#/$defs/named",
        "anyOf": [{"patternProperties": {"^b": {}}}, {"required": ["zzz"]}],
        "unevaluatedProperties": False,
    }
    checked = structured(files.call("json_validate", {"data": {"a": 1, "b1": 2, "c": 3}, "schema": schema}))
    assert [(error["keyword"], error["message"]) for error in checked["errors"]] == [
        ("unevaluatedProperties", "Unevaluated properties are not allowed ('c' was unexpected)")
    ]
    assert structured(files.call("json_validate", {"data": {"a": 1, "b1": 2}, "schema": schema}))["valid"] is True


def test_a_pattern_re2_cannot_take_is_a_clear_error(files: McpProcess) -> None:
    message = error_text(files.call("search_files", {"path": ".", "glob": "*", "content_regex": r"(a)\1"}))
    assert "Invalid content_regex" in message and "backreferences" in message, message
    schema = {"pattern": "(?=a)"}
    message = error_text(files.call("json_validate", {"data": "a", "schema": schema}))
    assert "Invalid schema pattern '(?=a)'" in message and "lookaround" in message, message


# --- Item 2: only regular files are read ----------------------------------------------------


def test_json_query_refuses_a_fifo_without_blocking(files: McpProcess, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")  # opening it to read would wait for a writer forever
    response = call_beside_ping(files, "json_query", {"expression": "a", "path": "pipe"})
    assert error_text(response) == "pipe is not a regular file."


def test_json_query_refuses_a_device(spawn: Callable[..., McpProcess]) -> None:
    devices = spawn("serve", "--root", "/dev", "--builtins", "data")  # /dev/zero never ends
    devices.initialize()
    response = call_beside_ping(devices, "json_query", {"expression": "a", "path": "zero"})
    assert error_text(response) == "zero is not a regular file."


# --- Item 3: memory stays bounded by max_file_bytes -----------------------------------------


def peak_memory(process: McpProcess) -> int:
    """The server's peak resident memory so far, in bytes (VmHWM)."""
    status = Path(f"/proc/{process.proc.pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1]) * 1024


MiB = 1024 * 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_a_window_of_a_file_with_one_huge_line_costs_the_window(
    spawn: Callable[..., McpProcess], tmp_path: Path
) -> None:
    (tmp_path / "one-line.txt").write_bytes(b"x" * (48 * MiB) + b"\nshort\n")
    server = spawn(
        "serve", "--root", str(tmp_path), "--builtins", "files", env={"MCP_TOOLHOST_MAX_FILE_BYTES": str(MiB)}
    )
    server.initialize()
    before = peak_memory(server)
    window = structured(server.call("read_file", {"path": "one-line.txt", "offset": 1, "limit": 1}))
    assert window["content"] == "" and window["truncated"] is True and window["total_lines"] == 2
    second = structured(server.call("read_file", {"path": "one-line.txt", "offset": 2, "limit": 1}))
    assert second["content"] == "short\n"
    grown = peak_memory(server) - before
    assert grown < 16 * MiB, f"reading a 48 MiB line with a 1 MiB limit raised peak memory by {grown / MiB:.0f} MiB"


@pytest.mark.skipif(not Path("/proc/self/pagemap").exists(), reason="needs /proc")
def test_a_proc_file_whose_size_says_0_is_read_within_the_limit(spawn: Callable[..., McpProcess]) -> None:
    # The root resolves to the server's own /proc/PID; its pagemap says 0 bytes and holds gigabytes.
    env = {"MCP_TOOLHOST_MAX_FILE_BYTES": str(MiB), "MCP_TOOLHOST_TOOL_TIMEOUT": "1"}
    server = spawn("serve", "--root", "/proc/self", "--builtins", "files", env=env)
    server.initialize()
    before = peak_memory(server)
    whole = error_text(server.call("read_file", {"path": "pagemap", "encoding": "utf-16-le"}))
    assert whole.startswith("pagemap holds more than the 1048576 byte limit (max_file_bytes)"), whole
    window = error_text(server.call("read_file", {"path": "pagemap", "encoding": "utf-16-le", "offset": 1, "limit": 1}))
    assert "timed out after 1 seconds" in window, window
    grown = peak_memory(server) - before
    assert grown < 16 * MiB, f"reading pagemap raised peak memory by {grown / MiB:.0f} MiB"


# --- Item 4: an atomic write never exposes a private file's content -------------------------


def watch_temp_modes(folder: Path, done: threading.Event, seen: set[int]) -> None:
    """Record the permissions of every temporary file that appears in `folder` until `done`."""
    while not done.is_set():
        for entry in os.scandir(folder):
            if entry.name.endswith(".mcp-tmp"):
                with contextlib.suppress(FileNotFoundError):  # renamed over the target meanwhile
                    seen.add(stat.S_IMODE(entry.stat(follow_symlinks=False).st_mode))


def test_a_write_over_a_0600_file_is_never_readable_by_others(files: McpProcess, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("old secret\n")
    secret.chmod(0o600)
    seen: set[int] = set()
    for _ in range(6):  # the watcher may miss a temporary file's short life, or see only its end
        done = threading.Event()
        watcher = threading.Thread(target=watch_temp_modes, args=(tmp_path, done, seen))
        watcher.start()
        try:
            structured(files.call("write_file", {"path": "secret.txt", "content": "new secret\n" * 1_200_000}))
        finally:
            done.set()
            watcher.join()
    assert seen, "the temporary file was never caught"
    assert seen == {0o600}, f"temporary files had modes {sorted(map(oct, seen))}"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600


# --- Items 5 and 6: tree walks stay inside, at any depth ----------------------------------------


SWAPPER = """
import os, sys
target, folders = sys.argv[1], sys.argv[2:]
print("swapping", flush=True)
while True:  # each state lasts a while (a busy wait: no sleep)
    for folder in folders:
        os.rename(folder, folder + ".parked")
        os.symlink(target, folder)
    for _ in range(100):
        os.lstat(folders[0])
    for folder in folders:
        os.unlink(folder)
        os.rename(folder + ".parked", folder)
    for _ in range(100):
        os.lstat(folders[0])
"""


@contextlib.contextmanager
def swapping(folders: list[Path], target: Path) -> Iterator[None]:
    """Swap each of `folders` for a symlink to `target` and back, over and over, in another process."""
    swapper = subprocess.Popen([sys.executable, "-c", SWAPPER, str(target), *map(str, folders)], stdout=subprocess.PIPE)
    try:
        assert swapper.stdout is not None and swapper.stdout.readline() == b"swapping\n"
        yield
    finally:
        swapper.kill()
        swapper.wait()


@pytest.mark.parametrize("tool", ["directory_tree", "search_files"])
def test_a_folder_swapped_for_a_symlink_mid_walk_never_leads_outside(
    spawn: Callable[..., McpProcess], tmp_path: Path, tool: str
) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    swapped = [root / f"swap{number}" for number in range(10)]
    for folder in swapped:
        (folder / "inner").mkdir(parents=True)
        (folder / "inner" / "inside.txt").write_text("inside\n")
    outside.mkdir()
    (outside / "outside-secret.txt").write_text("secret\n")
    (outside / "outside-folder").mkdir()
    for number in range(2000):  # listed first: time between reading the root and entering the folders
        (root / f"f{number:04}").touch()
    server = spawn("serve", "--root", str(root), "--builtins", "files")
    server.initialize()
    arguments = {"path": ".", "max_depth": 4} if tool == "directory_tree" else {"path": ".", "glob": "**/outside-*"}
    with swapping(swapped, outside):
        answers = [str(structured(server.call(tool, arguments))) for _ in range(25)]
    leaks = [answer for answer in answers if "outside-" in answer]
    assert not leaks, f"{len(leaks)} of {len(answers)} answers listed names outside the root"


DEPTH = 1500


@pytest.fixture
def deep_tree(tmp_path: Path) -> Iterator[Path]:
    """A chain of folders DEPTH levels deep below tmp_path/deep, with a file at the bottom."""
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    for name in ["deep", *["d"] * DEPTH]:  # not Path.mkdir(parents=True), which recurses per level
        os.mkdir(name, dir_fd=fd)
        inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)
    bottom = tmp_path.joinpath("deep", *["d"] * DEPTH)
    (bottom / "bottom.txt").write_text("needle\n")
    yield bottom
    if (tmp_path / "deep").exists():
        remove_tree(tmp_path / "deep")  # pytest's own cleanup would recurse too deep


def test_search_and_delete_work_on_a_tree_1500_levels_deep(files: McpProcess, tmp_path: Path, deep_tree: Path) -> None:
    found = structured(files.call("search_files", {"path": "deep", "glob": "*.txt", "content_regex": "needle"}))
    assert found["matches"] == [{"path": str(deep_tree / "bottom.txt"), "line": 1, "text": "needle"}]
    deleted = structured(files.call("delete_path", {"path": "deep", "recursive": True}))
    assert deleted == {"path": str(tmp_path / "deep"), "type": "directory"}
    assert not (tmp_path / "deep").exists()


# --- Item 7: output within a tool's own cap fits in max_result_bytes ----------------------------


def test_a_text_file_too_big_for_the_result_comes_back_cut_at_a_line(
    spawn: Callable[..., McpProcess], tmp_path: Path
) -> None:
    line = "x" * 99 + "\n"
    (tmp_path / "long.txt").write_text(line * 4000)  # 400 kB: within max_file_bytes, not 300 kB results
    env = {"MCP_TOOLHOST_MAX_RESULT_BYTES": "300000"}
    server = spawn("serve", "--root", str(tmp_path), "--builtins", "files", env=env)
    server.initialize()
    response = server.call("read_file", {"path": "long.txt"})
    read = structured(response)
    assert read["truncated"] is True and read["start_line"] == 1 and read["total_lines"] == 4000
    assert 1000 < read["end_line"] < 4000 and read["content"] == line * read["end_line"]
    # Repeated as text it would not fit too: only the structured result is sent.
    assert "structuredContent only" in response["result"]["content"][0]["text"]
    window = structured(server.call("read_file", {"path": "long.txt", "offset": 2, "limit": 3999}))
    assert window["truncated"] is True and window["content"] == line * (window["end_line"] - 1)


def test_an_image_within_max_file_bytes_is_returned_whole(files: McpProcess, tmp_path: Path) -> None:
    image = b"\x89PNG\r\n\x1a\n" + bytes(7_000_000)  # 7 MB: 9.3 MB as base64
    (tmp_path / "big.png").write_bytes(image)
    result = files.call("read_media_file", {"path": "big.png"})["result"]
    assert not result.get("isError"), result["content"][0].get("text")
    assert result["content"][0]["mimeType"] == "image/png"
    assert base64.b64decode(result["content"][0]["data"]) == image


def test_a_full_megabyte_of_control_characters_from_run_command_is_returned(
    spawn: Callable[..., McpProcess], tmp_path: Path
) -> None:
    server = spawn("serve", "--root", str(tmp_path), "--builtins", "system", "--allow-command", sys.executable)
    server.initialize()
    script = "import sys; sys.stdout.write(chr(1) * (1 << 20))"  # 1 MiB: the documented cap, 7 MiB escaped
    done = structured(server.call("run_command", {"command": [sys.executable, "-c", script]}))
    assert done["stdout"] == "\x01" * (1 << 20) and done["stdout_truncated"] is False


def test_an_edit_whose_diff_is_too_big_for_the_result_is_applied_and_says_so(
    spawn: Callable[..., McpProcess], tmp_path: Path
) -> None:
    (tmp_path / "one-line.txt").write_text("x" * 200_000 + "\n")  # the diff holds the line twice
    env = {"MCP_TOOLHOST_MAX_RESULT_BYTES": "300000"}
    server = spawn("serve", "--root", str(tmp_path), "--builtins", "files", env=env)
    server.initialize()
    edit = {"old_text": "x\n", "new_text": "y\n"}
    edited = structured(server.call("edit_file", {"path": "one-line.txt", "edits": [edit]}))
    assert edited["diff_truncated"] is True and edited["diff"].startswith("--- ")
    assert (tmp_path / "one-line.txt").read_text() == "x" * 199_999 + "y\n"


def test_search_files_finds_symlinked_files_but_not_symlinked_folders(files: McpProcess, tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "file.txt").write_text("x\n")
    (tmp_path / "folder-link").symlink_to(tmp_path / "folder", target_is_directory=True)
    (tmp_path / "file-link").symlink_to(tmp_path / "file.txt")
    found = structured(files.call("search_files", {"path": ".", "glob": "*"}))
    assert [match["path"] for match in found["matches"]] == [str(tmp_path / "file-link"), str(tmp_path / "file.txt")]


@pytest.mark.parametrize(
    ("tool", "arguments", "listed"),
    [
        ("list_directory", {"path": "."}, lambda result: result["entries"]),
        ("directory_tree", {"path": "."}, lambda result: result["root"]["children"]),
        ("search_files", {"path": ".", "glob": "*", "max_results": 300}, lambda result: result["matches"]),
    ],
)
def test_listings_of_names_that_escape_large_stop_at_what_fits(
    spawn: Callable[..., McpProcess], tmp_path: Path, tool: str, arguments: dict[str, Any], listed: Any
) -> None:
    for number in range(300):  # 300 names of 204 characters, ~1.4 kB each as sent: 420 kB
        (tmp_path / ("\x01" * 200 + f"{number:04}")).touch()
    env = {"MCP_TOOLHOST_MAX_RESULT_BYTES": "150000"}
    server = spawn("serve", "--root", str(tmp_path), "--builtins", "files", env=env)
    server.initialize()
    result = structured(server.call(tool, arguments))
    assert result["truncated"] is True and 10 < len(listed(result)) < 300, len(listed(result))
