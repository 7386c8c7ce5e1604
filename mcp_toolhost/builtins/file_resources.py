"""The files under the allowed roots as `file://` resources: listed, read and completed.

Served with the `files` group. Every path goes through the same checks as `read_file`
(`BuiltinsConfig.path`, `_reading.read_limited`): symlinks resolved, confined by real
path components, special files refused, `max_file_bytes` enforced. A URI outside the
roots, or through a symlink that leads out of them, is refused before anything is opened.

URIs are RFC 8089 `file:` URIs: the path's bytes percent-encoded (spaces, non-ASCII and
undecodable names survive the trip), the host empty or `localhost` (any other host is a
different machine, refused).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import itertools
import mimetypes
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote_from_bytes, unquote_to_bytes, urlsplit

import anyio.to_thread

from .._paths import os_errors
from .._text import as_text, path_text
from ..errors import InvalidParams, ToolError
from ._config import config
from ._reading import looks_binary, read_limited
from ._walk import walk
from .files import _media_type

__all__ = [
    "TEMPLATE",
    "FileResources",
    "complete_path",
    "complete_template_path",
    "file_uri",
    "list_files",
    "read_file_resource",
    "uri_path",
]

TEMPLATE: Final = "file:///{path}"
"""The template any file under the roots can be read through; `path` is its absolute path without the first `/`."""


def file_uri(real: Path | str) -> str:
    """The `file://` URI of the absolute path `real`, its bytes percent-encoded (RFC 8089, RFC 3986)."""
    return "file://" + quote_from_bytes(os.fsencode(real), safe="/")


def uri_path(uri: str) -> str:
    """The local path a `file://` URI names; a ToolError saying why for any other URI."""
    parts = urlsplit(uri)
    if parts.scheme.lower() != "file":
        raise ToolError(f"Not a file URI: {uri[:200]!r}; give file:///absolute/path.")
    # RFC 8089: only an empty host or "localhost" is this machine.
    if parts.netloc not in ("", "localhost"):
        raise ToolError(f"{uri[:200]!r} names a file on another host ({parts.netloc}); only local files are served.")
    if parts.query or parts.fragment:
        raise ToolError(f"{uri[:200]!r} has a query or fragment; a file URI is file:///absolute/path only.")
    path = os.fsdecode(unquote_to_bytes(parts.path))
    if not os.path.isabs(path):
        raise ToolError(f"{uri[:200]!r} does not name an absolute path; give file:///absolute/path.")
    return path


# --- Listing -------------------------------------------------------------------------


def list_files(cursor: str | None, page_size: int) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the regular files under the roots (`resources/list` entries), and the next cursor.

    The listing holds the first `max_listed_files` files, root by root, each walked in
    name order as `directory_tree` walks it (symlinks and unreadable folders skipped).
    The cursor is the offset of the next file: a file added or removed between pages
    shifts the rest by one, as any listing of a live folder may.
    """
    start = _offset_from(cursor)
    limit = config().settings.max_listed_files
    end = min(start + page_size, limit)
    chunk = list(itertools.islice(_files(), start, end + 1))  # one more: is there a next page?
    more = len(chunk) > end - start and end < limit
    entries = [_entry(path) for path in chunk[: end - start]]
    return entries, _cursor_for(end) if more else None


def _files() -> Iterator[Path]:
    for root in config().roots.paths:
        try:
            for step in walk(root):
                if step.type == "file":
                    yield root.joinpath(*step.parts)
        except (OSError, ToolError):
            continue  # the root cannot be read, or a folder was moved mid-walk: the next root


def _entry(path: Path) -> dict[str, Any]:
    entry: dict[str, Any] = {"uri": file_uri(path), "name": as_text(path.name), "description": path_text(path)}
    mime = mimetypes.guess_type(path.name)[0]
    if mime is not None:
        entry["mimeType"] = mime
    with contextlib.suppress(OSError):  # gone since the walk: listed without a size
        entry["size"] = path.stat(follow_symlinks=False).st_size
    return entry


def _cursor_for(offset: int) -> str:
    return base64.urlsafe_b64encode(f"files:{offset}".encode()).decode("ascii")


def _offset_from(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        kind, _, number = base64.urlsafe_b64decode(cursor.encode("ascii")).decode().partition(":")
        if kind == "files" and number.isdigit():
            return int(number)
    except (binascii.Error, UnicodeError, ValueError):
        pass
    raise InvalidParams(f"Invalid cursor {cursor[:200]!r}: give back the nextCursor of the previous page")


# --- Reading -------------------------------------------------------------------------


def read_file_resource(uri: str) -> dict[str, Any] | None:
    """`resources/read` contents of the file `uri` names, or None if there is no such file: `text`
    when it is UTF-8 text (as `read_file` decides: no NUL byte, valid UTF-8), else base64 `blob`."""
    path = uri_path(uri)
    cfg = config()
    real = cfg.path(path)  # refused outside the roots before anything is looked at
    if not os.path.lexists(real):
        return None
    with os_errors(path_text(path)):
        data = read_limited(real, path_text(path), cfg.settings.max_file_bytes)
    contents: dict[str, Any] = {"uri": uri}
    if not looks_binary(data):
        with contextlib.suppress(UnicodeDecodeError):  # not UTF-8: a blob
            contents["text"] = data.decode("utf-8")
    if "text" in contents:
        contents["mimeType"] = mimetypes.guess_type(real.name)[0] or "text/plain"
    else:
        contents["blob"] = base64.b64encode(data).decode("ascii")
        contents["mimeType"] = _media_type(real, data)
    return contents


# --- Completion ----------------------------------------------------------------------


def complete_path(value: str) -> list[str]:
    """Completions of an absolute path typed so far (`value`; a missing leading `/` is added), sorted:
    the roots it is the start of, and the entries of its folder under the roots whose name it starts
    (folders end with `/`; symlinks that lead out of the roots are left out). The completion
    request itself keeps the first 100 and says how many there are."""
    typed = "/" + value.lstrip("/")
    cfg = config()
    found = [f"{root}/" for root in cfg.roots.paths if str(root).startswith(typed) and str(root) != typed]
    folder, _, start = typed.rpartition("/")
    try:
        real = cfg.path(folder or "/")
        with os.scandir(real) as entries:
            for entry in entries:
                if not entry.name.startswith(start):
                    continue
                shown = os.path.join(folder, entry.name)
                if entry.is_symlink() and not _inside_roots(shown):
                    continue  # it leads out: reading it would be refused
                found.append(path_text(shown) + ("/" if entry.is_dir() else ""))
    except (OSError, ToolError):
        pass  # outside the roots, or unreadable: nothing (more) to offer
    return sorted(found)


def _inside_roots(path: str) -> bool:
    try:
        config().path(path)
    except ToolError:
        return False
    return True


def complete_template_path(value: str) -> list[str]:
    """Completions of `path` in `file:///{path}`: `complete_path`'s, without the leading `/` the template holds."""
    return [value.removeprefix("/") for value in complete_path(value)]


# --- The provider --------------------------------------------------------------------


class FileResources:
    """The files under the roots as a `ResourceProvider` (`ResourceCatalog.add_provider`).

    The disk is read in a worker thread, which sees the call's roots (`offered_roots`
    is a context variable, and anyio copies the context into the thread).
    """

    async def list_resources(self, cursor: str | None, size: int) -> tuple[list[dict[str, Any]], str | None]:
        return await anyio.to_thread.run_sync(list_files, cursor, size)

    def list_templates(self) -> list[dict[str, Any]]:
        description = "Any file under the allowed directories, by its absolute path: file:///home/you/notes.txt"
        return [{"uriTemplate": TEMPLATE, "name": "file", "description": description}]

    async def read(self, uri: str) -> list[dict[str, Any]] | None:
        if urlsplit(uri).scheme.lower() != "file":
            return None
        try:
            contents = await anyio.to_thread.run_sync(read_file_resource, uri)
        except ToolError as error:
            raise InvalidParams(str(error), {"uri": uri}) from None
        return None if contents is None else [contents]

    async def complete(self, template: str, argument: str, value: str, arguments: dict[str, str]) -> list[str] | None:
        if template != TEMPLATE:
            return None
        return await anyio.to_thread.run_sync(complete_template_path, value) if argument == "path" else []
