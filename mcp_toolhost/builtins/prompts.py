"""Built-in prompts over the file tools: summarizing a file, and reviewing an edit before it is made.

Served with the `files` group. Their paths go through the same checks as the file tools,
and complete to paths under the allowed roots.
"""

from __future__ import annotations

import base64
from typing import Any

from .._paths import os_errors
from .._text import as_text, path_text
from .._tools.content import EmbeddedResource
from .._tools.prompt import prompt
from ..errors import ToolError
from ._config import config
from .file_resources import complete_path, file_uri, read_file_resource
from .files import _read_text

__all__ = ["review_diff", "summarize_file"]


@prompt(title="Summarize a file", completions={"path": complete_path})
def summarize_file(path: str) -> list[Any]:
    """Ask for a summary of a file under the allowed directories, with the file attached.

    Args:
        path: The file; a relative path starts at the first allowed directory.
    """
    real = config().path(path)
    contents = read_file_resource(file_uri(real))
    if contents is None:
        raise ToolError(f"Not found: {path}")
    blob = contents.get("blob")
    attached = EmbeddedResource(
        contents["uri"],
        text=contents.get("text"),
        blob=None if blob is None else base64.b64decode(blob),
        mime_type=contents["mimeType"],
    )
    ask = (
        f"Summarize the file {path_text(real)}, attached below: what it is for, how it is organised, and"
        " anything that stands out (mistakes, risks, loose ends). Be brief."
    )
    return [ask, attached]


@prompt(title="Review a change to a file", completions={"path": complete_path})
def review_diff(path: str, new_content: str) -> str:
    """Ask for a review of replacing a file's content, shown as a unified diff (a new file: all added).

    Args:
        path: The UTF-8 text file; a relative path starts at the first allowed directory.
        new_content: The content it would have after the change.
    """
    from ._diff import unified_diff  # difflib, only when asked

    cfg = config()
    real = cfg.path(path)
    try:
        with os_errors(path):
            old = _read_text(real, path, cfg)
    except ToolError:
        if real.exists():
            raise
        old = ""  # a new file
    diff = unified_diff(old, new_content, as_text(real.name))
    if not diff:
        raise ToolError(f"new_content is what {path} holds already: there is no change to review.")
    return (
        f"Review this change to {path_text(real)} before it is made. Say whether it is correct and complete,"
        " point out bugs, risks and style problems with the lines they concern, and suggest fixes.\n\n"
        f"```diff\n{diff}```"
    )
