"""The file resources' parts in-process: URIs both ways, listing pages, refusals, completion, watching."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from mcp_toolhost._protocol.subscriptions import ResourceSubscriptions
from mcp_toolhost.builtins._config import configure
from mcp_toolhost.builtins.file_resources import (
    complete_path,
    complete_template_path,
    file_uri,
    list_files,
    read_file_resource,
    uri_path,
)
from mcp_toolhost.builtins.file_watch import FileWatch
from mcp_toolhost.config import Settings
from mcp_toolhost.errors import InvalidParams, ToolError


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "r é"
    (root / "sub").mkdir(parents=True)
    (root / "a b.txt").write_text("hello")
    (root / "sub" / "data.bin").write_bytes(b"\x00\x01\xff")
    (root / "sub" / "latin1.txt").write_bytes(b"caf\xe9")
    (tmp_path / "secret.txt").write_text("secret")
    (root / "link_out").symlink_to(tmp_path / "secret.txt")
    configure(Settings(roots=(str(root),)))
    yield root
    configure(Settings())


def test_uris_percent_encode_spaces_and_non_ascii_and_decode_back(root: Path) -> None:
    uri = file_uri(root / "a b.txt")
    assert uri.endswith("/r%20%C3%A9/a%20b.txt"), uri
    assert uri_path(uri) == str(root / "a b.txt")
    assert uri_path(uri.replace("file://", "file://localhost")) == str(root / "a b.txt")


@pytest.mark.parametrize(
    ("uri", "why"),
    [
        ("file://example.com/etc/passwd", "another host"),
        ("http://example.com/x", "Not a file URI"),
        ("file:relative/x", "absolute path"),
        ("file:///etc/passwd?x=1", "query or fragment"),
    ],
)
def test_uris_that_are_not_local_absolute_files_are_refused(uri: str, why: str) -> None:
    with pytest.raises(ToolError, match=why):
        uri_path(uri)


def test_listing_pages_through_every_regular_file_and_skips_symlinks(root: Path) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        page, cursor = list_files(cursor, 2)
        seen += [entry["uri"] for entry in page]
        if cursor is None:
            break
    assert seen == [file_uri(root / name) for name in ("a b.txt", "sub/data.bin", "sub/latin1.txt")]
    with pytest.raises(InvalidParams, match="Invalid cursor"):
        list_files("bogus", 2)


def test_listing_stops_at_max_listed_files(root: Path) -> None:
    configure(Settings(roots=(str(root),), max_listed_files=2))
    page, cursor = list_files(None, 10)
    assert (len(page), cursor) == (2, None)
    page, cursor = list_files(None, 1)
    page, cursor = list_files(cursor, 1)
    assert (len(page), cursor) == (1, None)


def test_reading_gives_text_or_blob_by_content(root: Path) -> None:
    text = read_file_resource(file_uri(root / "a b.txt"))
    assert text == {"uri": file_uri(root / "a b.txt"), "text": "hello", "mimeType": "text/plain"}
    for name, data in (("sub/data.bin", b"\x00\x01\xff"), ("sub/latin1.txt", b"caf\xe9")):
        blob = read_file_resource(file_uri(root / name))
        assert base64.b64decode(blob["blob"]) == data, blob
        assert "text" not in blob


def test_reading_outside_the_roots_or_through_a_symlink_out_is_refused(root: Path) -> None:
    for path in (root / "link_out", root.parent / "secret.txt", root / ".." / "secret.txt"):
        with pytest.raises(ToolError, match="outside the allowed directories"):
            read_file_resource(file_uri(path))
    with pytest.raises(ToolError, match="is a directory"):
        read_file_resource(file_uri(root / "sub"))


def test_special_and_oversized_files_are_refused_and_not_listed(root: Path) -> None:
    import os

    os.mkfifo(root / "pipe")
    (root / "big.txt").write_text("x" * 11)
    configure(Settings(roots=(str(root),), max_file_bytes=10))
    with pytest.raises(ToolError, match="not a regular file"):
        read_file_resource(file_uri(root / "pipe"))
    with pytest.raises(ToolError, match="max_file_bytes"):
        read_file_resource(file_uri(root / "big.txt"))
    assert file_uri(root / "pipe") not in [entry["uri"] for entry in list_files(None, 10)[0]]


def test_completion_offers_roots_then_entries_under_them_never_outside(root: Path) -> None:
    assert complete_path(str(root.parent) + "/r") == [f"{root}/"]
    assert complete_path(f"{root}/") == [f"{root}/a b.txt", f"{root}/sub/"]  # link_out leads out
    assert complete_template_path(f"{root}/sub/d".lstrip("/")) == [f"{root}/sub/data.bin".lstrip("/")]
    assert complete_path(str(root.parent) + "/sec") == []


@pytest.mark.anyio
async def test_a_subscribed_file_is_watched_until_unsubscribed(root: Path) -> None:
    subscriptions = ResourceSubscriptions()
    watch = FileWatch(subscriptions)
    uri = file_uri(root / "a b.txt")
    updates: list[str] = []
    arrived = anyio.Event()

    def notify(changed: str) -> None:
        updates.append(changed)
        arrived.set()

    with pytest.raises(ToolError, match="outside"):
        subscriptions.subscribe(file_uri(root / "link_out"), notify, served=False)
    assert subscriptions.subscribe("config://app", notify, served=True) is not None  # served, not watched
    assert subscriptions.subscribe("bogus://x", notify, served=False) is None  # nobody serves it
    async with anyio.create_task_group() as tasks:
        await tasks.start(watch.run)
        stop = subscriptions.subscribe(uri, notify, served=False)
        assert stop is not None
        await subscriptions.settled()  # watched from here on
        (root / "a b.txt").write_text("changed")
        with anyio.fail_after(10):
            await arrived.wait()
        assert updates == [uri]
        stop()
        subscriptions.updated(uri)  # as a watcher would: nobody is told any more
        assert updates == [uri]
        tasks.cancel_scope.cancel()
