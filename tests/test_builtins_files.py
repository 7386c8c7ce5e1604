"""The file built-ins through the real process: each tool, each escape attempt, atomic writes, read-only."""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TIMEOUT, McpProcess
from fixtures.builtins_support import error_text, serving, structured

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
WRITERS = {"write_file", "edit_file", "create_directory", "move_file", "delete_path", "run_command"}


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root with files to read, a sibling that only looks inside it, and symlinks out of it."""
    base = tmp_path_factory.mktemp("files")
    root = base / "data"
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "src" / "main.py").write_text("import pkg\nprint('hello')\n")
    (root / "src" / "pkg" / "__init__.py").write_text("VALUE = 1\n")
    (root / "src" / "pkg" / "util.py").write_text("def helper():\n    return 'hello'\n")
    (root / "notes.txt").write_text("one\ntwo\nthree\nfour\nfive\n")
    (root / "crlf.txt").write_bytes(b"alpha\r\nbeta\r\n")
    (root / "blob.bin").write_bytes(b"\x00\x01\x02binary")
    (root / "latin1.dat").write_bytes(b"caf\xe9\n")
    (root / "pixel.png").write_bytes(PNG)
    (root / "deep" / "a" / "b" / "c").mkdir(parents=True)
    (root / "deep" / "a" / "b" / "c" / "bottom.txt").write_text("bottom")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("top secret")
    sibling = base / "data2"  # shares the prefix "data", not the folder
    sibling.mkdir()
    (sibling / "secret.txt").write_text("sibling secret")
    (root / "link_out").symlink_to(outside, target_is_directory=True)
    (root / "link_file_out").symlink_to(outside / "secret.txt")
    (root / "dangling_out").symlink_to(outside / "created-through-link.txt")
    (root / "link_in").symlink_to(root / "notes.txt")
    return root


@pytest.fixture(scope="module")
def server(tree: Path) -> Iterator[McpProcess]:
    with serving("--root", str(tree), "--builtins", "files") as process:
        yield process


# --- Reading ---------------------------------------------------------------------------


def test_read_file_whole(server: McpProcess, tree: Path) -> None:
    result = structured(server.call("read_file", {"path": "notes.txt"}))
    assert result == {
        "path": str(tree / "notes.txt"),
        "content": "one\ntwo\nthree\nfour\nfive\n",
        "start_line": 1,
        "end_line": 5,
        "total_lines": 5,
        "truncated": False,
    }


def test_read_file_line_window_reports_total_and_truncation(server: McpProcess) -> None:
    result = structured(server.call("read_file", {"path": "notes.txt", "offset": 2, "limit": 2}))
    assert (result["content"], result["start_line"], result["end_line"]) == ("two\nthree\n", 2, 3)
    assert result["total_lines"] == 5 and result["truncated"] is True


def test_read_file_keeps_line_endings(server: McpProcess) -> None:
    assert structured(server.call("read_file", {"path": "crlf.txt"}))["content"] == "alpha\r\nbeta\r\n"


def test_read_file_refuses_binary(server: McpProcess) -> None:
    assert "looks binary" in error_text(server.call("read_file", {"path": "blob.bin"}))


def test_read_file_encodings(server: McpProcess, tree: Path) -> None:
    message = error_text(server.call("read_file", {"path": "latin1.dat"}))
    assert message.startswith("latin1.dat is not valid utf-8 text (at byte 3); give its encoding")
    assert structured(server.call("read_file", {"path": "latin1.dat", "encoding": "latin-1"}))["content"] == "café\n"
    assert error_text(server.call("read_file", {"path": "latin1.dat", "encoding": "klingon"})) == (
        "Unknown encoding 'klingon'."
    )
    assert (
        error_text(server.call("read_file", {"path": "latin1.dat", "encoding": "rot13"})) == "Unknown encoding 'rot13'."
    )


def test_read_file_missing_and_directory(server: McpProcess) -> None:
    assert error_text(server.call("read_file", {"path": "nope.txt"})) == "Not found: nope.txt"
    assert "is a directory" in error_text(server.call("read_file", {"path": "src"}))


def test_read_file_through_a_symlink_inside_the_root(server: McpProcess, tree: Path) -> None:
    result = structured(server.call("read_file", {"path": "link_in"}))
    assert result["path"] == str(tree / "notes.txt") and result["total_lines"] == 5


def test_read_media_file_returns_image_content(server: McpProcess) -> None:
    response = server.call("read_media_file", {"path": "pixel.png"})
    assert response["result"]["content"] == [
        {"type": "image", "data": base64.b64encode(PNG).decode(), "mimeType": "image/png"}
    ]
    assert "not an image or audio" in error_text(server.call("read_media_file", {"path": "notes.txt"}))


def test_read_media_file_returns_audio_content(scratch: McpProcess, tmp_path: Path) -> None:
    wav = b"RIFF" + (36).to_bytes(4, "little") + b"WAVEfmt " + bytes(28)
    (tmp_path / "sound.bin").write_bytes(wav)  # told by its first bytes, not its name
    [block] = scratch.call("read_media_file", {"path": "sound.bin"})["result"]["content"]
    assert block == {"type": "audio", "data": base64.b64encode(wav).decode(), "mimeType": "audio/wav"}


def test_read_multiple_files_reports_each_failure_alone(server: McpProcess, tree: Path) -> None:
    files = structured(
        server.call("read_multiple_files", {"paths": ["notes.txt", "nope.txt", "../outside/secret.txt"]})
    )
    ok, missing, escaped = files["files"]
    assert ok == {"path": str(tree / "notes.txt"), "content": "one\ntwo\nthree\nfour\nfive\n"}
    assert missing == {"path": "nope.txt", "error": "Not found: nope.txt"}
    assert escaped["path"] == "../outside/secret.txt" and "Access denied" in escaped["error"]


def test_file_size_limit_is_reported(spawn, tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("x" * 200 + "\n")
    server = spawn("serve", "--root", str(tmp_path), "--builtins", "files", env={"MCP_TOOLHOST_MAX_FILE_BYTES": "100"})
    server.initialize()
    message = error_text(server.call("read_file", {"path": "big.txt"}))
    assert "201 bytes, more than the 100 byte limit (max_file_bytes)" in message
    window = structured(server.call("read_file", {"path": "big.txt", "offset": 1, "limit": 1}))
    assert window["content"] == "" and window["truncated"] is True  # the one line does not fit either


# --- Listing, searching, information --------------------------------------------------------


def test_list_directory_with_pattern(server: McpProcess, tree: Path) -> None:
    listing = structured(server.call("list_directory", {"path": "."}))
    names = {entry["name"]: entry for entry in listing["entries"]}
    assert names["notes.txt"] == {"name": "notes.txt", "type": "file", "size": 24}
    assert names["src"]["type"] == "directory" and names["link_out"]["type"] == "symlink"
    assert listing["path"] == str(tree) and listing["truncated"] is False
    only_txt = structured(server.call("list_directory", {"path": ".", "pattern": "*.txt"}))
    assert [entry["name"] for entry in only_txt["entries"]] == ["crlf.txt", "notes.txt"]


def test_directory_tree_stops_at_max_depth(server: McpProcess) -> None:
    tree = structured(server.call("directory_tree", {"path": "deep", "max_depth": 2}))
    a = tree["root"]["children"][0]
    assert a["name"] == "a" and a["children"] == [{"name": "b", "type": "directory", "truncated": True}]
    full = structured(server.call("directory_tree", {"path": "deep", "max_depth": 5}))
    c = full["root"]["children"][0]["children"][0]["children"][0]
    assert c["children"] == [{"name": "bottom.txt", "type": "file"}]


def test_search_files_by_glob_and_content(server: McpProcess, tree: Path) -> None:
    recursive = structured(server.call("search_files", {"path": ".", "glob": "src/**/*.py"}))
    assert [m["path"] for m in recursive["matches"]] == [
        str(tree / "src" / "main.py"),
        str(tree / "src" / "pkg" / "__init__.py"),
        str(tree / "src" / "pkg" / "util.py"),
    ]
    by_name = structured(server.call("search_files", {"path": "src", "glob": "u*.py"}))
    assert [m["path"] for m in by_name["matches"]] == [str(tree / "src" / "pkg" / "util.py")]
    grep = structured(server.call("search_files", {"path": ".", "glob": "**/*.py", "content_regex": "hel+o"}))
    assert grep == {
        "matches": [
            {"path": str(tree / "src" / "main.py"), "line": 2, "text": "print('hello')"},
            {"path": str(tree / "src" / "pkg" / "util.py"), "line": 2, "text": "    return 'hello'"},
        ],
        "truncated": False,
    }


def test_search_files_stops_at_max_results_and_never_reads_outside(server: McpProcess) -> None:
    capped = structured(server.call("search_files", {"path": ".", "glob": "**/*.py", "max_results": 2}))
    assert len(capped["matches"]) == 2 and capped["truncated"] is True
    # link_file_out points outside: its name may match, its content is never searched.
    leak = structured(server.call("search_files", {"path": ".", "glob": "*", "content_regex": "secret"}))
    assert leak["matches"] == []
    assert "Invalid content_regex" in error_text(
        server.call("search_files", {"path": ".", "glob": "*", "content_regex": "("})
    )


def test_file_info_describes_files_and_symlinks(server: McpProcess, tree: Path) -> None:
    info = structured(server.call("file_info", {"path": "notes.txt"}))
    assert info["type"] == "file" and info["size"] == 24 and info["path"] == str(tree / "notes.txt")
    assert len(info["permissions"]) == 9 and info["mode"].startswith("0o") and info["modified"].endswith("+00:00")
    link = structured(server.call("file_info", {"path": "link_in"}))
    assert link["type"] == "symlink" and link["symlink_target"] == str(tree / "notes.txt")
    # A symlink out of the roots is described as a link; where it points is not told.
    out = structured(server.call("file_info", {"path": "link_file_out"}))
    assert out["type"] == "symlink" and "symlink_target" not in out
    assert "Access denied" in error_text(server.call("file_info", {"path": "link_out/secret.txt"}))


def test_list_allowed_directories(spawn, tree: Path, tmp_path: Path) -> None:
    server = spawn("serve", "--root", str(tree), "--root", str(tmp_path), "--builtins", "files")
    server.initialize()
    assert structured(server.call("list_allowed_directories")) == {
        "directories": [str(tree), str(tmp_path)],
        "source": "configured (--root, roots)",
    }
    # A second root is reachable by absolute path; relative paths start at the first.
    (tmp_path / "other.txt").write_text("other\n")
    assert structured(server.call("read_file", {"path": str(tmp_path / "other.txt")}))["content"] == "other\n"


# --- Escapes ---------------------------------------------------------------------------------

ESCAPES = [
    "../outside/secret.txt",
    "src/../../outside/secret.txt",
    "not-yet/../../outside/secret.txt",
    "{base}/outside/secret.txt",
    "{base}/data2/secret.txt",  # /data2 is not inside /data
    "/etc/passwd",
    "~",
    "~/secret.txt",
    "link_out/secret.txt",
    "link_file_out",
    "dangling_out",
    "link_out/new-folder/new.txt",
]


@pytest.mark.parametrize("attempt", ESCAPES)
def test_paths_outside_the_roots_are_refused(server: McpProcess, tree: Path, attempt: str) -> None:
    path = attempt.format(base=tree.parent)
    for name, arguments in [
        ("read_file", {"path": path}),
        ("write_file", {"path": path, "content": "pwned"}),
        ("list_directory", {"path": path}),
        ("search_files", {"path": path, "glob": "*"}),
    ]:
        message = error_text(server.call(name, arguments))
        assert message.startswith("Access denied"), (name, message)
        assert str(tree) in message, message  # names the allowed directories
    assert not (tree.parent / "outside" / "created-through-link.txt").exists()
    assert not (tree.parent / "outside" / "new-folder").exists()
    assert (tree.parent / "outside" / "secret.txt").read_text() == "top secret"


def test_moves_and_deletes_cannot_cross_the_roots(server: McpProcess, tree: Path) -> None:
    outside = tree.parent / "outside"
    assert "Access denied" in error_text(server.call("move_file", {"source": "notes.txt", "destination": "../x.txt"}))
    assert "Access denied" in error_text(
        server.call("move_file", {"source": str(outside / "secret.txt"), "destination": "s.txt"})
    )
    assert "Access denied" in error_text(server.call("delete_path", {"path": str(outside), "recursive": True}))
    assert "allowed root itself" in error_text(server.call("delete_path", {"path": ".", "recursive": True}))
    assert (outside / "secret.txt").exists() and (tree / "notes.txt").exists()


# --- Writing -----------------------------------------------------------------------------------


@pytest.fixture
def scratch(spawn, tmp_path: Path) -> McpProcess:
    server = spawn("serve", "--root", str(tmp_path), "--builtins", "files")
    server.initialize()
    return server


def temp_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.mcp-tmp"))


def test_write_file_modes(scratch: McpProcess, tmp_path: Path) -> None:
    created = structured(scratch.call("write_file", {"path": "new/dir/a.txt", "content": "héllo\n"}))
    assert created == {"path": str(tmp_path / "new/dir/a.txt"), "bytes_written": 7, "created": True}
    structured(scratch.call("write_file", {"path": "new/dir/a.txt", "content": "more\n", "mode": "append"}))
    assert (tmp_path / "new/dir/a.txt").read_text() == "héllo\nmore\n"
    replaced = structured(scratch.call("write_file", {"path": "new/dir/a.txt", "content": "replaced"}))
    assert replaced["created"] is False and (tmp_path / "new/dir/a.txt").read_text() == "replaced"
    message = error_text(scratch.call("write_file", {"path": "new/dir/a.txt", "content": "x", "mode": "create"}))
    assert "already exists" in message and (tmp_path / "new/dir/a.txt").read_text() == "replaced"
    structured(scratch.call("write_file", {"path": "latin.txt", "content": "é", "encoding": "latin-1"}))
    assert (tmp_path / "latin.txt").read_bytes() == b"\xe9"
    assert temp_files(tmp_path) == []


def test_write_file_keeps_permissions(scratch: McpProcess, tmp_path: Path) -> None:
    script = tmp_path / "run.sh"
    script.write_text("old")
    script.chmod(0o750)
    structured(scratch.call("write_file", {"path": "run.sh", "content": "new"}))
    assert script.read_text() == "new" and (script.stat().st_mode & 0o777) == 0o750


def test_edit_file_applies_exact_replacements_with_a_diff(scratch: McpProcess, tmp_path: Path) -> None:
    (tmp_path / "code.py").write_text("def f():\n    return 1\n\ndef g():\n    return 2\n")
    edits = [
        {"old_text": "return 1", "new_text": "return 10"},
        {"old_text": "def g():\n    return 2", "new_text": "def g():\n    return 20"},
    ]
    preview = structured(scratch.call("edit_file", {"path": "code.py", "edits": edits, "dry_run": True}))
    assert "-    return 1\n+    return 10\n" in preview["diff"] and preview["dry_run"] is True
    assert (tmp_path / "code.py").read_text() == "def f():\n    return 1\n\ndef g():\n    return 2\n"
    done = structured(scratch.call("edit_file", {"path": "code.py", "edits": edits}))
    assert done["diff"] == preview["diff"] and done["edits_applied"] == 2
    assert (tmp_path / "code.py").read_text() == "def f():\n    return 10\n\ndef g():\n    return 20\n"
    assert temp_files(tmp_path) == []


def test_edit_file_refuses_missing_or_ambiguous_text_and_changes_nothing(scratch: McpProcess, tmp_path: Path) -> None:
    original = "x = 1\nx = 1\ny = 2\n"
    (tmp_path / "dup.py").write_text(original)
    ambiguous = [{"old_text": "y = 2", "new_text": "y = 3"}, {"old_text": "x = 1", "new_text": "x = 2"}]
    message = error_text(scratch.call("edit_file", {"path": "dup.py", "edits": ambiguous}))
    assert message == (
        "Edit 2 of 2: old_text occurs 2 times (it must occur exactly once; add context). Nothing was changed."
    )
    missing = [{"old_text": "z = 9", "new_text": ""}]
    assert "was not found" in error_text(scratch.call("edit_file", {"path": "dup.py", "edits": missing}))
    assert (tmp_path / "dup.py").read_text() == original


def test_edit_file_matches_crlf_files(scratch: McpProcess, tmp_path: Path) -> None:
    (tmp_path / "win.txt").write_bytes(b"a\r\nb\r\nc\r\n")
    structured(scratch.call("edit_file", {"path": "win.txt", "edits": [{"old_text": "a\nb", "new_text": "A\nB"}]}))
    assert (tmp_path / "win.txt").read_bytes() == b"A\r\nB\r\nc\r\n"


def test_create_move_and_delete(scratch: McpProcess, tmp_path: Path) -> None:
    assert structured(scratch.call("create_directory", {"path": "a/b"}))["created"] is True
    assert structured(scratch.call("create_directory", {"path": "a/b"}))["created"] is False
    (tmp_path / "a" / "one.txt").write_text("1")
    (tmp_path / "a" / "two.txt").write_text("2")
    refused = error_text(scratch.call("move_file", {"source": "a/one.txt", "destination": "a/two.txt"}))
    assert "already exists; pass overwrite=true" in refused and (tmp_path / "a" / "two.txt").read_text() == "2"
    moved = structured(
        scratch.call("move_file", {"source": "a/one.txt", "destination": "a/two.txt", "overwrite": True})
    )
    assert moved["replaced"] is True and (tmp_path / "a" / "two.txt").read_text() == "1"
    assert not (tmp_path / "a" / "one.txt").exists()
    renamed = structured(scratch.call("move_file", {"source": "a", "destination": "z/renamed"}))
    assert renamed == {"source": str(tmp_path / "a"), "destination": str(tmp_path / "z" / "renamed"), "replaced": False}
    message = error_text(scratch.call("delete_path", {"path": "z/renamed"}))
    assert "folder with entries; pass recursive=true" in message and (tmp_path / "z" / "renamed").exists()
    assert structured(scratch.call("delete_path", {"path": "z/renamed/b"})) == {
        "path": str(tmp_path / "z" / "renamed" / "b"),
        "type": "directory",
    }
    structured(scratch.call("delete_path", {"path": "z", "recursive": True}))
    assert not (tmp_path / "z").exists()


def test_fifos_are_never_opened(scratch: McpProcess, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")  # opening it to read would block until a writer comes
    (tmp_path / "plain.txt").write_text("needle\n")
    assert error_text(scratch.call("read_file", {"path": "pipe"})) == "pipe is not a regular file."
    found = structured(scratch.call("search_files", {"path": ".", "glob": "*", "content_regex": "needle"}))
    assert [match["path"] for match in found["matches"]] == [str(tmp_path / "plain.txt")]


def test_write_file_under_a_file_is_refused(scratch: McpProcess, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    message = error_text(scratch.call("write_file", {"path": "file/inner.txt", "content": "y"}))
    assert message == f"Cannot write file/inner.txt: {tmp_path / 'file'} is a file, not a folder."


def test_delete_path_removes_a_symlink_not_its_target(scratch: McpProcess, tmp_path: Path) -> None:
    (tmp_path / "target.txt").write_text("keep me")
    (tmp_path / "link").symlink_to(tmp_path / "target.txt")
    assert structured(scratch.call("delete_path", {"path": "link"}))["type"] == "symlink"
    assert not (tmp_path / "link").is_symlink() and (tmp_path / "target.txt").read_text() == "keep me"


# --- Atomicity under kill -9 -------------------------------------------------------------------


def kill_mid_write(server: McpProcess, folder: Path, name: str, arguments: dict[str, object]) -> None:
    """Start a call that writes `folder/name`, and SIGKILL the server once its temporary file exists."""
    server.send({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name, "arguments": arguments}})
    deadline = time.monotonic() + TIMEOUT
    while not temp_files(folder) and server.lines.empty():  # the event: the temporary file appears
        assert time.monotonic() < deadline, "the write never started"
    server.proc.kill()
    server.proc.wait()


@pytest.mark.parametrize("tool", ["write_file", "edit_file"])
def test_a_kill_mid_write_leaves_the_old_file_or_the_new_never_a_mix(spawn, tmp_path: Path, tool: str) -> None:
    target = tmp_path / "big.txt"
    old = "old line\n" * 200_000 + "MARKER\n"  # 1.8 MB: the write takes long enough to be caught
    target.write_text(old)
    if tool == "write_file":
        arguments: dict[str, object] = {"path": "big.txt", "content": "new line\n" * 200_000}
        new = "new line\n" * 200_000
    else:
        arguments = {"path": "big.txt", "edits": [{"old_text": "MARKER", "new_text": "DONE"}]}
        new = old.replace("MARKER", "DONE")
    server = spawn("serve", "--root", str(tmp_path), "--builtins", "files")
    server.initialize()
    kill_mid_write(server, tmp_path, tool, arguments)
    content = target.read_text()
    assert content in (old, new), f"partial file: {len(content)} chars"
    # The killed writer's temporary file, if any, is hidden and goes with the next write there.
    assert all(path.name.startswith(".big.txt.") for path in temp_files(tmp_path))
    again = spawn("serve", "--root", str(tmp_path), "--builtins", "files")
    again.initialize()
    structured(again.call("write_file", {"path": "big.txt", "content": "after"}))
    assert target.read_text() == "after" and temp_files(tmp_path) == []


# --- Read-only ---------------------------------------------------------------------------------


def test_read_only_hides_every_tool_that_changes_something(spawn, tmp_path: Path) -> None:
    server = spawn("serve", "--root", str(tmp_path), "--read-only", "--allow-command", "echo")
    server.initialize()
    tools = {tool["name"]: tool for tool in server.list_tools()}
    assert not WRITERS & set(tools), sorted(WRITERS & set(tools))
    assert {"read_file", "list_directory", "search_files", "http_request", "get_env"} <= set(tools)
    assert all(tool["annotations"]["readOnlyHint"] is True for tool in tools.values())
    response = server.call("write_file", {"path": "x.txt", "content": "x"})
    assert "hidden by --read-only" in response["error"]["message"]
    assert not (tmp_path / "x.txt").exists()


def test_umask_applies_to_new_files(scratch: McpProcess, tmp_path: Path) -> None:
    structured(scratch.call("write_file", {"path": "fresh.txt", "content": "x"}))
    umask = os.umask(0)
    os.umask(umask)
    assert ((tmp_path / "fresh.txt").stat().st_mode & 0o777) == 0o666 & ~umask


# --- Names that are not UTF-8 ------------------------------------------------------------------


def make_file(folder: Path, name: bytes, content: bytes) -> None:
    fd = os.open(os.path.join(os.fsencode(folder), name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        os.write(fd, content)
    finally:
        os.close(fd)


def test_a_name_that_is_not_utf8_is_shown_with_a_replacement_and_can_be_read_back(
    scratch: McpProcess, tmp_path: Path
) -> None:
    (tmp_path / "good.txt").write_text("good\n")
    (tmp_path / "sub").mkdir()
    make_file(tmp_path, b"bad\xff name.txt", b"found me\n")
    make_file(tmp_path / "sub", b"caf\xe9.txt", b"nested\n")
    shown = "bad\ufffd name.txt"

    listing = structured(scratch.call("list_directory", {"path": "."}))
    assert [entry["name"] for entry in listing["entries"]] == [shown, "good.txt", "sub"], listing
    tree = structured(scratch.call("directory_tree", {"path": "."}))
    sub = tree["root"]["children"][2]
    assert sub["children"] == [{"name": "caf\ufffd.txt", "type": "file"}], tree
    found = structured(scratch.call("search_files", {"path": ".", "glob": "*.txt", "content_regex": "[oe]"}))
    paths = [match["path"] for match in found["matches"]]
    assert paths == [str(tmp_path / shown), str(tmp_path / "good.txt"), str(tmp_path / "sub" / "caf\ufffd.txt")]

    # The names returned lead back to the files, relative or absolute.
    assert structured(scratch.call("read_file", {"path": shown}))["content"] == "found me\n"
    assert structured(scratch.call("read_file", {"path": paths[2]}))["content"] == "nested\n"
    assert structured(scratch.call("file_info", {"path": shown}))["size"] == len(b"found me\n")


def test_names_that_show_alike_are_listed_but_not_guessed(scratch: McpProcess, tmp_path: Path) -> None:
    make_file(tmp_path, b"x\xfe.txt", b"one\n")
    make_file(tmp_path, b"x\xff.txt", b"two\n")
    listing = structured(scratch.call("list_directory", {"path": "."}))
    assert [entry["name"] for entry in listing["entries"]] == ["x\ufffd.txt", "x\ufffd.txt"], listing
    assert error_text(scratch.call("read_file", {"path": "x\ufffd.txt"})) == "Not found: x\ufffd.txt"


@pytest.fixture
def other_file_system(tmp_path: Path) -> Iterator[Path]:
    """A folder on another file system than tmp_path (/dev/shm is a tmpfs), where renames fail with EXDEV."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("needs /dev/shm on a file system of its own")
    folder = shm / f"mcp-toolhost-test-{os.getpid()}-{tmp_path.name}"
    folder.mkdir()
    yield folder
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def test_move_file_across_file_systems_replaces_as_a_rename_does(tmp_path: Path, other_file_system: Path) -> None:
    here, there = tmp_path / "here", other_file_system
    here.mkdir()
    (here / "one.txt").write_text("new")
    (there / "one.txt").write_text("old")
    (here / "tree" / "inner").mkdir(parents=True)
    (here / "tree" / "inner" / "leaf.txt").write_text("leaf")
    (here / "tree" / "link").symlink_to("inner/leaf.txt")
    (there / "full").mkdir()
    (there / "full" / "kept.txt").write_text("kept")
    (there / "empty").mkdir()
    with serving("--root", str(here), "--root", str(there), "--builtins", "files") as server:
        moved = structured(
            server.call("move_file", {"source": "one.txt", "destination": str(there / "one.txt"), "overwrite": True})
        )
        assert moved["replaced"] is True and (there / "one.txt").read_text() == "new"
        assert not (here / "one.txt").exists()
        # A folder onto a folder with entries fails as os.replace does, instead of moving into it.
        refused = error_text(
            server.call("move_file", {"source": "tree", "destination": str(there / "full"), "overwrite": True})
        )
        assert "not empty" in refused, refused
        assert sorted(p.name for p in (there / "full").iterdir()) == ["kept.txt"]
        assert (here / "tree" / "inner" / "leaf.txt").read_text() == "leaf"
        # Onto an empty folder it replaces it, symlinks copied as links.
        moved = structured(
            server.call("move_file", {"source": "tree", "destination": str(there / "empty"), "overwrite": True})
        )
        assert moved["replaced"] is True and not (here / "tree").exists()
        assert (there / "empty" / "inner" / "leaf.txt").read_text() == "leaf"
        assert os.readlink(there / "empty" / "link") == "inner/leaf.txt"
    assert not [p for p in (*here.iterdir(), *there.iterdir()) if p.name.startswith(".")]
