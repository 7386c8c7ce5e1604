"""The file built-ins: read, write, edit, list, search, move and delete inside the allowed roots.

Every path goes through `BuiltinsConfig.path` (see `_paths.py`) before anything touches
the disk; every write goes through `write_atomic` (see `_atomic.py`). Files are read
whole up to `max_file_bytes`; listings stop at `max_entries`.
"""

from __future__ import annotations

import errno
import io
import itertools
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NotRequired

from typing_extensions import TypedDict  # pydantic needs it over typing's before Python 3.12

from .._paths import os_errors
from .._text import as_text, path_text
from .._tools.content import Audio, Image
from .._tools.context import Context
from .._tools.tool import tool
from ..errors import ToolError
from . import _budget as budget
from ._config import BuiltinsConfig, config
from ._reading import Window, looks_binary, not_text, open_regular, read_limited, read_window, refuse_binary
from ._walk import EntryType, Step, has_entries, remove_tree, type_of, walk

if TYPE_CHECKING:
    from ._regex import Regex

__all__ = [
    "create_directory",
    "delete_path",
    "directory_tree",
    "edit_file",
    "file_info",
    "list_allowed_directories",
    "list_directory",
    "move_file",
    "read_file",
    "read_media_file",
    "read_multiple_files",
    "search_files",
    "write_file",
]

_MATCH_TEXT_CHARS = 300
# Image and audio formats by their first bytes, for files whose name does not tell.
_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),
    (b"BM", 0, "image/bmp"),
    (b"WAVE", 8, "audio/wav"),
    (b"ID3", 0, "audio/mpeg"),
    (b"OggS", 0, "audio/ogg"),
    (b"fLaC", 0, "audio/flac"),
)

# --- Results ---------------------------------------------------------------------------


class FileText(TypedDict):
    path: str
    content: str
    start_line: int
    """The first line returned (1 is the file's first line)."""
    end_line: int
    """The last line returned; less than `start_line` when none were."""
    total_lines: int
    truncated: bool
    """True when lines before `start_line` or after `end_line` were left out."""


class FileOrError(TypedDict):
    path: str
    content: NotRequired[str]
    error: NotRequired[str]


class MultipleFiles(TypedDict):
    files: list[FileOrError]


class Written(TypedDict):
    path: str
    bytes_written: int
    """Bytes of `content` written (for append, the bytes added)."""
    created: bool
    note: NotRequired[str]
    """With confirm_destructive, over an existing file: whether the user confirmed, or why they were not asked."""


class Edit(TypedDict):
    old_text: str
    """Text to find; it must occur exactly once."""
    new_text: str
    """Text to put in its place."""


class Edited(TypedDict):
    path: str
    diff: str
    """The change as a unified diff."""
    edits_applied: int
    dry_run: bool
    diff_truncated: bool
    """True when the diff was cut to fit in max_result_bytes (the edits were all applied)."""


class Entry(TypedDict):
    name: str
    type: EntryType
    size: NotRequired[int]


class Listing(TypedDict):
    path: str
    entries: list[Entry]
    truncated: bool


class TreeNode(TypedDict):
    name: str
    type: EntryType
    children: NotRequired[list[TreeNode]]
    truncated: NotRequired[bool]
    """True on a folder at `max_depth` that has entries, which are not shown."""


class Tree(TypedDict):
    root: TreeNode
    entries: int
    truncated: bool
    """True when the tree stopped at the `max_entries` limit, or at what fits in `max_result_bytes`."""


class Match(TypedDict):
    path: str
    line: NotRequired[int]
    text: NotRequired[str]


class SearchResult(TypedDict):
    matches: list[Match]
    truncated: bool
    """True when the search stopped at `max_results`, or at what fits in `max_result_bytes`."""


class FileInfo(TypedDict):
    path: str
    type: EntryType
    size: int
    modified: str
    accessed: str
    changed: str
    """Last metadata change (ISO 8601, UTC)."""
    permissions: str
    """As `ls -l` shows them, e.g. `rw-r--r--`."""
    mode: str
    """Octal, e.g. `0o644`."""
    symlink_target: NotRequired[str]


class DirectoryCreated(TypedDict):
    path: str
    created: bool
    """False when it already existed."""


class Moved(TypedDict):
    source: str
    destination: str
    replaced: bool
    note: NotRequired[str]
    """With confirm_destructive, over an existing destination: whether the user confirmed, or why not asked."""


class Deleted(TypedDict):
    path: str
    type: EntryType
    note: NotRequired[str]
    """With confirm_destructive: whether the user confirmed, or why they were not asked."""


class AllowedDirectories(TypedDict):
    directories: list[str]
    source: NotRequired[str]
    """Where they come from: configured, the client's roots (roots/list), or the working directory."""
    reason: NotRequired[str]
    """Why there are none, and how to give one."""


# --- Reading ---------------------------------------------------------------------------


@tool(title="Read a text file", read_only_hint=True, open_world_hint=False)
def read_file(
    path: str,
    encoding: str = "utf-8",
    offset: int | None = None,
    limit: int | None = None,
    ctx: Context | None = None,
) -> FileText:
    """Read a text file, whole or a window of lines, with line counts.

    Binary files are refused (use read_media_file for images and audio).

    Args:
        path: The file; a relative path starts at the first allowed directory.
        encoding: The file's text encoding.
        offset: The line to start at (1 is the first line).
        limit: The most lines to return.
    """
    cfg = config()
    real = cfg.path(path)
    if offset is not None and offset < 1:
        raise ToolError("offset is a line number: 1 or more.")
    if limit is not None and limit < 0:
        raise ToolError("limit must be 0 or more.")
    _check_encoding(encoding)
    fits = budget.room(cfg.settings)
    with os_errors(path):
        if offset is None and limit is None:
            content = _read_text(real, path, cfg, encoding, hint="; read part of it with offset and limit")
            total = _line_count(content)
            if budget.cost(content) <= fits:
                return FileText(
                    path=path_text(real),
                    content=content,
                    start_line=1,
                    end_line=total,
                    total_lines=total,
                    truncated=False,
                )
            first, lines, complete = 1, list(io.StringIO(content, newline="")), True
        else:
            first = offset or 1
            window = Window(first, first + limit - 1 if limit is not None else None, cfg.settings.max_file_bytes)
            with open_regular(real, path) as (file, _):
                read_window(file, path, encoding, window, lambda: _stop_if_cancelled(ctx))
            lines, total, complete = window.lines, window.total, window.complete
    kept = budget.fit_lines(lines, fits)  # the lines after these would not fit in max_result_bytes
    end = first + kept - 1
    return FileText(
        path=path_text(real),
        content="".join(lines[:kept]),
        start_line=first,
        end_line=end,
        total_lines=total,
        truncated=first > 1 or end < total or not complete or kept < len(lines),
    )


@tool(title="Read an image or audio file", read_only_hint=True, open_world_hint=False)
def read_media_file(path: str) -> Image | Audio:
    """Read an image or audio file and return it as MCP image or audio content (base64, MIME type).

    Args:
        path: The file; a relative path starts at the first allowed directory.
    """
    cfg = config()
    real = cfg.path(path)
    with os_errors(path):
        data = read_limited(real, path, cfg.settings.max_file_bytes)
    fits = budget.base64_room(budget.room(cfg.settings))
    if len(data) > fits:  # only with a max_result_bytes below the default: an image cannot be cut
        raise ToolError(
            f"{path} is {len(data)} bytes; as base64 it would pass the {cfg.settings.max_result_bytes} byte limit on"
            f" results (max_result_bytes): at most {fits} bytes of image or audio can be returned."
        )
    mime = _media_type(real, data)
    if mime.startswith("image/"):
        return Image(data, mime)
    if mime.startswith("audio/"):
        return Audio(data, mime)
    raise ToolError(f"{path} is not an image or audio file (type {mime}); use read_file for text.")


@tool(title="Read several text files", read_only_hint=True, open_world_hint=False)
def read_multiple_files(paths: list[str]) -> MultipleFiles:
    """Read several text files at once; a file that cannot be read gets its own error, the rest are still read.

    Args:
        paths: The files; relative paths start at the first allowed directory.
    """
    cfg = config()
    left = budget.room(cfg.settings)
    files: list[FileOrError] = []
    for path in paths:
        try:
            real = cfg.path(path)
            with os_errors(path):
                content = _read_text(real, path, cfg)
            size = budget.cost(content)
            if size > left:
                raise ToolError(
                    f"{path} was read but not returned: with the files before it, the result would pass the"
                    f" {cfg.settings.max_result_bytes} byte limit (max_result_bytes). Read it with read_file."
                )
            left -= size
            files.append(FileOrError(path=path_text(real), content=content))
        except ToolError as exc:
            files.append(FileOrError(path=path, error=str(exc)))
    return MultipleFiles(files=files)


def _check_encoding(encoding: str) -> None:
    try:
        "".encode(encoding)  # also refuses codecs that are not text encodings, such as rot13
    except LookupError:
        raise ToolError(f"Unknown encoding {encoding!r}.") from None


def _read_text(real: Path, shown: str, cfg: BuiltinsConfig, encoding: str = "utf-8", hint: str = "") -> str:
    """The whole file as text, line endings as they are (so edits and rewrites preserve them)."""
    data = read_limited(real, shown, cfg.settings.max_file_bytes, hint=hint)
    refuse_binary(data, shown, encoding)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise not_text(shown, encoding, f"at byte {exc.start}") from None


def _line_count(text: str) -> int:
    """Lines as a file iterator opened with newline="" sees them: ended by \n, \r\n or \r."""
    ends = text.count("\n") + text.count("\r") - text.count("\r\n")
    return ends + (1 if text and text[-1] not in "\r\n" else 0)


def _media_type(real: Path, data: bytes) -> str:
    for magic, at, mime in _MAGIC:
        if data[at : at + len(magic)] == magic:
            return mime
    import mimetypes

    return mimetypes.guess_type(real.name)[0] or "application/octet-stream"


# --- Writing ---------------------------------------------------------------------------


@tool(title="Write a file", read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=False)
def write_file(
    path: str,
    content: str,
    encoding: str = "utf-8",
    mode: Literal["overwrite", "append", "create"] = "overwrite",
    ctx: Context | None = None,
) -> Written:
    """Write a text file atomically: readers and a crash see the old content or the new, never a mix.

    Missing parent folders are created.

    Args:
        path: The file; a relative path starts at the first allowed directory.
        content: The text to write.
        encoding: The text encoding to write with.
        mode: "overwrite" replaces the file, "append" adds to its end, "create" refuses to replace an existing file.
    """
    from ._atomic import write_atomic

    cfg = config()
    real = cfg.path(path)
    cfg.refuse_own(real, path, "write")
    _check_encoding(encoding)
    try:
        data = content.encode(encoding)
    except UnicodeEncodeError as exc:
        raise ToolError(f"The content cannot be encoded as {encoding}: {exc.reason} at {exc.start}.") from None
    with os_errors(path):
        existed = os.path.lexists(real)
        if existed and os.path.isdir(real):
            raise ToolError(f"{path} is a directory.")
        if mode == "create" and existed:
            raise ToolError(f"{path} already exists; mode 'create' never replaces a file (use 'overwrite').")
        if os.path.exists(real.parent) and not os.path.isdir(real.parent):
            raise ToolError(f"Cannot write {path}: {path_text(real.parent)} is a file, not a folder.")
        note = None
        if cfg.settings.confirm_destructive and mode == "overwrite" and existed:  # append and create lose nothing
            from ._confirm import ask_first

            question = f"Overwrite {_described(real)} with {len(data)} bytes of new content?"
            note = ask_first(ctx, question, "nothing was written")
        real.parent.mkdir(parents=True, exist_ok=True)
        old = b""
        if mode == "append" and existed:
            old = read_limited(real, path, cfg.settings.max_file_bytes, extra=len(data))
        try:
            write_atomic(real, old + data, exclusive=mode == "create")
        except FileExistsError:
            raise ToolError(f"{path} already exists; mode 'create' never replaces a file (use 'overwrite').") from None
    written = Written(path=path_text(real), bytes_written=len(data), created=not existed)
    if note is not None:
        written["note"] = note
    return written


@tool(title="Edit a file", read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=False)
def edit_file(path: str, edits: list[Edit], dry_run: bool = False) -> Edited:
    """Replace exact text in a file, atomically, and return the change as a unified diff.

    Edits apply in order, each to the result of the previous. Each `old_text` must occur
    exactly once, else nothing is changed and the error says which edit failed.

    Args:
        path: The UTF-8 text file; a relative path starts at the first allowed directory.
        edits: The replacements: old_text, exactly as in the file, and new_text.
        dry_run: Only show the diff; change nothing.
    """
    from ._atomic import write_atomic
    from ._diff import unified_diff

    cfg = config()
    real = cfg.path(path)
    if not dry_run:  # a diff of what an edit would do changes nothing
        cfg.refuse_own(real, path, "edit")
    if not edits:
        raise ToolError("No edits given.")
    with os_errors(path):
        original = text = _read_text(real, path, cfg)
        for number, edit in enumerate(edits, start=1):
            text = _apply(text, edit, number, len(edits))
        diff, cut = budget.fit_text(unified_diff(original, text, as_text(real.name)), budget.room(cfg.settings))
        if not dry_run and text != original:
            write_atomic(real, text.encode("utf-8"))
    return Edited(path=path_text(real), diff=diff, edits_applied=len(edits), dry_run=dry_run, diff_truncated=cut)


def _apply(text: str, edit: Edit, number: int, count: int) -> str:
    old, new = edit["old_text"], edit["new_text"]
    which = f"Edit {number} of {count}"
    if not old:
        raise ToolError(f"{which}: old_text is empty. Nothing was changed.")
    found = text.count(old)
    if found == 0 and "\r\n" in text and "\r\n" not in old:
        # The file has Windows line endings and the model wrote "\n": match it as the file has it.
        crlf = old.replace("\n", "\r\n")
        if text.count(crlf) > 0:
            old, new, found = crlf, new.replace("\r\n", "\n").replace("\n", "\r\n"), text.count(crlf)
    if found != 1:
        how = "was not found" if found == 0 else f"occurs {found} times (it must occur exactly once; add context)"
        raise ToolError(f"{which}: old_text {how}. Nothing was changed.")
    return text.replace(old, new, 1)


# --- Listing and searching ---------------------------------------------------------------


@tool(title="List a directory", read_only_hint=True, open_world_hint=False)
def list_directory(path: str, pattern: str | None = None) -> Listing:
    """List a directory's entries with their type and size, sorted by name.

    Args:
        path: The directory; a relative path starts at the first allowed directory.
        pattern: Only names matching this glob, e.g. "*.py".
    """
    from ._regex import compile_glob

    cfg = config()
    real = cfg.path(path)
    limit = cfg.settings.max_entries
    meter = budget.Meter(budget.room(cfg.settings))
    matcher = None if pattern is None else compile_glob(pattern)
    entries: list[Entry] = []
    truncated = False
    with os_errors(path):
        for dirent in _sorted_entries(real):
            name = as_text(dirent.name)
            if matcher is not None and not matcher.fullmatch(name):
                continue
            if len(entries) >= limit:
                truncated = True
                break
            entry = Entry(name=name, type=type_of(dirent))
            if entry["type"] == "file":
                entry["size"] = dirent.stat(follow_symlinks=False).st_size
            if not meter.take(entry):
                truncated = True
                break
            entries.append(entry)
    return Listing(path=path_text(real), entries=entries, truncated=truncated)


@tool(title="Show a directory tree", read_only_hint=True, open_world_hint=False)
def directory_tree(path: str, max_depth: int = 3, ctx: Context | None = None) -> Tree:
    """A directory's tree of files and folders, down to `max_depth` levels; symlinks are shown, not followed.

    Args:
        path: The directory; a relative path starts at the first allowed directory.
        max_depth: How many levels below `path` to show (1: its entries only).
    """
    cfg = config()
    real = cfg.path(path)
    if max_depth < 1:
        raise ToolError("max_depth must be 1 or more.")
    left = cfg.settings.max_entries
    truncated = False
    meter = budget.Meter(budget.room(cfg.settings))
    top: list[TreeNode] = []
    levels = [top]  # the children lists of the folders on the way down to the current entry
    with os_errors(path):
        if not real.is_dir():
            raise ToolError(f"{path} is not a directory.")
        for step in walk(real, max_depth):
            _stop_if_cancelled(ctx)
            depth = len(step.parts)
            node = TreeNode(name=as_text(step.parts[-1]), type=step.type)
            if step.type == "directory":
                if depth < max_depth:
                    node["children"] = []  # stays empty if it cannot be read
                elif has_entries(step.parts[-1], step.folder_fd):
                    node["truncated"] = True
            if left <= 0 or not meter.take(node):
                truncated = True
                break
            left -= 1
            del levels[depth:]
            levels[depth - 1].append(node)
            if "children" in node:
                levels.append(node["children"])
    root = TreeNode(name=as_text(real.name) or path_text(real), type="directory", children=top)
    return Tree(root=root, entries=cfg.settings.max_entries - left, truncated=truncated)


@tool(title="Search for files", read_only_hint=True, open_world_hint=False)
def search_files(
    path: str, glob: str, content_regex: str | None = None, max_results: int = 100, ctx: Context | None = None
) -> SearchResult:
    """Find files below `path` whose path matches `glob`, optionally only lines matching `content_regex`.

    A glob with "/" matches the path relative to `path` ("src/**/*.py"; "**" spans folders);
    one without matches file names at any depth ("*.py"). Symlinked folders are not followed.

    Args:
        path: The directory to search; a relative path starts at the first allowed directory.
        glob: The glob the files' paths must match.
        content_regex: A regular expression (RE2: no backreferences or lookaround); each matching line is a result.
        max_results: The most results to return.
    """
    from ._regex import compile_glob, compile_regex

    cfg = config()
    real = cfg.path(path)
    if max_results < 1:
        raise ToolError("max_results must be 1 or more.")
    max_results = min(max_results, cfg.settings.max_entries)
    matcher = compile_glob(glob)
    by_name = "/" not in glob.removeprefix("./")
    regex = None if content_regex is None else compile_regex(content_regex, "content_regex")
    meter = budget.Meter(budget.room(cfg.settings))
    matches: list[Match] = []
    with os_errors(path):
        if not real.is_dir():
            raise ToolError(f"{path} is not a directory.")
        for step in walk(real):
            _stop_if_cancelled(ctx)
            if step.type == "directory" or (step.type == "symlink" and _to_folder(step)):
                continue
            relative = as_text("/".join(step.parts))
            if not matcher.fullmatch(as_text(step.parts[-1]) if by_name else relative):
                continue
            file = real.joinpath(*step.parts)
            if regex is None:
                found = [Match(path=path_text(file))]
            else:
                found = _grep(file, step, regex, cfg, max_results - len(matches))
            for match in found:
                if not meter.take(match):
                    return SearchResult(matches=matches, truncated=True)
                matches.append(match)
            if len(matches) >= max_results:
                return SearchResult(matches=matches[:max_results], truncated=True)
    return SearchResult(matches=matches, truncated=False)


def _stop_if_cancelled(ctx: Context | None) -> None:
    # Sync tools run in a worker thread that a timeout cannot interrupt: long walks stop here.
    if ctx is not None and ctx.cancelled:
        raise ToolError("Cancelled.")


def _to_folder(step: Step) -> bool:
    """Whether the symlink `step` points to a folder (a symlinked folder is not a file to find)."""
    try:
        return stat.S_ISDIR(os.stat(step.parts[-1], dir_fd=step.folder_fd).st_mode)
    except OSError:
        return False


def _grep(file: Path, step: Step, regex: Regex, cfg: BuiltinsConfig, room: int) -> list[Match]:
    limit = cfg.settings.max_file_bytes  # a bigger file is not searched, nor a FIFO
    try:
        if step.type == "symlink":  # followed only to a file inside the roots
            data = read_limited(cfg.path(str(file)), str(file), limit)
        else:  # opened in the folder the walk holds: a swapped-in symlink is not followed
            data = read_limited(step.parts[-1], str(file), limit, folder_fd=step.folder_fd)
        if looks_binary(data):
            return []
        found: list[Match] = []
        for number, ended in enumerate(io.StringIO(data.decode("utf-8", errors="replace"), newline=None), start=1):
            line = ended.rstrip("\r\n")  # so `$` matches at the line's end, as in grep
            if regex.search(line):
                found.append(Match(path=path_text(file), line=number, text=line[:_MATCH_TEXT_CHARS]))
                if len(found) >= room:
                    break
        return found
    except (OSError, ToolError):
        return []  # unreadable, or outside the roots: not a match


def _sorted_entries(folder: Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as entries:
        return sorted(entries, key=lambda entry: entry.name)


def _mode_type(mode: int) -> EntryType:
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISREG(mode):
        return "file"
    return "other"


# --- Information -----------------------------------------------------------------------


@tool(title="File information", read_only_hint=True, open_world_hint=False)
def file_info(path: str) -> FileInfo:
    """A file's or folder's type, size, times (ISO 8601, UTC) and permissions; a symlink is described itself.

    `symlink_target` is shown only for a symlink that points inside the allowed directories.

    Args:
        path: The file or folder; a relative path starts at the first allowed directory.
    """
    from datetime import UTC, datetime

    cfg = config()
    real = cfg.path(path, follow_symlinks=False)
    with os_errors(path):
        st = real.lstat()
        info = FileInfo(
            path=path_text(real),
            type=_mode_type(st.st_mode),
            size=st.st_size,
            modified=datetime.fromtimestamp(st.st_mtime, UTC).isoformat(),
            accessed=datetime.fromtimestamp(st.st_atime, UTC).isoformat(),
            changed=datetime.fromtimestamp(st.st_ctime, UTC).isoformat(),
            permissions=stat.filemode(st.st_mode)[1:],
            mode=oct(stat.S_IMODE(st.st_mode)),
        )
    if info["type"] == "symlink":
        try:  # where it points, unless that is outside the roots
            cfg.path(str(real))
            info["symlink_target"] = as_text(os.readlink(real))
        except (ToolError, OSError):
            pass
    return info


@tool(title="List allowed directories", read_only_hint=True, open_world_hint=False)
def list_allowed_directories() -> AllowedDirectories:
    """The directories the file tools may use, and where they come from; relative paths start at the first.

    With none, why."""
    roots = config().roots
    allowed = AllowedDirectories(directories=[path_text(root) for root in roots.paths])
    if roots.paths:
        allowed["source"] = roots.source
    else:
        allowed["reason"] = roots.missing
    return allowed


# --- Changing the tree -------------------------------------------------------------------


@tool(
    title="Create a directory",
    read_only_hint=False,
    destructive_hint=False,
    idempotent_hint=True,
    open_world_hint=False,
)
def create_directory(path: str) -> DirectoryCreated:
    """Create a directory, and any missing parents; an existing directory is fine.

    Args:
        path: The directory; a relative path starts at the first allowed directory.
    """
    cfg = config()
    real = cfg.path(path)
    with os_errors(path):
        if real.is_dir():
            return DirectoryCreated(path=path_text(real), created=False)
        cfg.refuse_own(real, path, "create folders in")
        real.mkdir(parents=True)
    return DirectoryCreated(path=path_text(real), created=True)


@tool(title="Move or rename", read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=False)
def move_file(source: str, destination: str, overwrite: bool = False, ctx: Context | None = None) -> Moved:
    """Move or rename a file or folder; an existing destination is replaced only with `overwrite`.

    Missing parent folders of the destination are created.

    Args:
        source: What to move; a relative path starts at the first allowed directory.
        destination: Its new path (not a folder to move it into).
        overwrite: Replace the destination if it exists.
    """
    cfg = config()
    src = cfg.path(source, follow_symlinks=False)
    dst = cfg.path(destination, follow_symlinks=False)
    _refuse_root(src, cfg, source, "move")
    _refuse_root(dst, cfg, destination, "replace")
    cfg.refuse_own(src, source, "move", with_contents=True)
    cfg.refuse_own(dst, destination, "replace", with_contents=True)
    with os_errors(source):
        if not os.path.lexists(src):
            raise ToolError(f"Not found: {source}")
    if src == dst:
        raise ToolError("source and destination are the same path.")
    if dst.is_relative_to(src):
        raise ToolError(f"Cannot move {source} into itself.")
    with os_errors(destination):
        exists = os.path.lexists(dst)
        if exists and not overwrite:
            raise ToolError(f"{destination} already exists; pass overwrite=true to replace it.")
        note = None
        if cfg.settings.confirm_destructive and exists:
            from ._confirm import ask_first

            note = ask_first(ctx, f"Replace {_described(dst)} with {path_text(src)}?", "nothing was moved or replaced")
        dst.parent.mkdir(parents=True, exist_ok=True)
        if exists or not _rename_new(src, dst):
            try:
                os.replace(src, dst)
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
                _move_across(src, dst)
    moved = Moved(source=path_text(src), destination=path_text(dst), replaced=exists)
    if note is not None:
        moved["note"] = note
    return moved


def _move_across(src: Path, dst: Path) -> None:
    """Move to another file system: copy beside the destination, swap the copy in, remove the source.

    Not shutil.move: it moves into an existing folder instead of replacing it, and copies over
    an existing file in place, where a reader could see half of it. A copy under a temporary
    name and `os.replace` give the same all-or-nothing result as a rename on one file system.
    """
    import shutil

    from ._atomic import temp_name

    temp = temp_name(dst)
    folder = stat.S_ISDIR(src.lstat().st_mode)
    try:
        if folder:
            shutil.copytree(src, temp, symlinks=True)  # symlinks copied as links, never followed
        else:
            shutil.copy2(src, temp, follow_symlinks=False)
        os.replace(temp, dst)
    except BaseException:
        if folder and os.path.lexists(temp):
            remove_tree(temp)
        else:
            temp.unlink(missing_ok=True)
        raise
    if folder:
        remove_tree(src)
    else:
        os.unlink(src)


def _rename_new(src: Path, dst: Path) -> bool:
    """Move a file to a new name, failing rather than replacing one created meanwhile.

    A hard link fails if the name is taken; False when that cannot be used (a folder,
    another file system, no hard links there).
    """
    if os.path.isdir(src) and not os.path.islink(src):
        return False
    try:
        os.link(src, dst, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError:
        return False
    os.unlink(src)
    return True


@tool(title="Delete", read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=False)
def delete_path(path: str, recursive: bool = False, ctx: Context | None = None) -> Deleted:
    """Delete a file, a symlink (not its target) or a folder; a folder with entries only with `recursive`.

    Args:
        path: What to delete; a relative path starts at the first allowed directory.
        recursive: Delete a folder with everything in it.
    """
    cfg = config()
    real = cfg.path(path, follow_symlinks=False)
    _refuse_root(real, cfg, path, "delete")
    cfg.refuse_own(real, path, "delete", with_contents=True)
    with os_errors(path):
        kind = _mode_type(real.lstat().st_mode)
        note = None
        # A folder with entries and no `recursive` fails below: nothing to ask.
        if cfg.settings.confirm_destructive and (kind != "directory" or recursive or not any(real.iterdir())):
            from ._confirm import ask_first

            note = ask_first(ctx, f"Delete {_described(real)}?", "nothing was deleted")
        if kind != "directory":
            real.unlink()
        elif recursive:
            remove_tree(real)  # removes symlinks inside, never what they point to
        else:
            try:
                real.rmdir()
            except OSError as exc:
                if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):  # EEXIST: POSIX allows either
                    raise ToolError(f"{path} is a folder with entries; pass recursive=true to delete them.") from exc
                raise
    deleted = Deleted(path=path_text(real), type=kind)
    if note is not None:
        deleted["note"] = note
    return deleted


def _described(real: Path) -> str:
    """What is about to be lost, as the question shows it: "the folder /x/y and its 12 entries"."""
    status = real.lstat()
    kind, shown = _mode_type(status.st_mode), path_text(real)
    if kind == "file":
        return f"the file {shown} ({status.st_size} byte{'' if status.st_size == 1 else 's'})"
    if kind == "symlink":
        return f"the symlink {shown} (not what it points to)"
    if kind != "directory":
        return shown
    limit = config().settings.max_entries
    count = sum(1 for _ in itertools.islice(walk(real), limit + 1))  # the walk closes as it is dropped
    if count == 0:
        return f"the empty folder {shown}"
    many = f"more than {limit}" if count > limit else str(count)
    return f"the folder {shown} and its {many} {'entry' if count == 1 else 'entries'}"


def _refuse_root(real: Path, cfg: BuiltinsConfig, shown: str, action: str) -> None:
    if real in cfg.roots.paths:
        raise ToolError(f"{shown} is an allowed root itself; the file tools do not {action} it.")
    inner = [root for root in cfg.roots.paths if root.is_relative_to(real)]
    if inner:
        raise ToolError(f"{shown} holds the allowed root {path_text(inner[0])}; the file tools do not {action} it.")
