"""Names and values from the operating system, as text a result may carry.

Python gives file names and environment values that are not valid UTF-8 as `str` with
lone surrogates (`b"bad\\xff"` becomes `"bad\\udcff"`, PEP 383), and JSON cannot carry
those: one such name would fail a whole listing. Every name or value the built-ins emit
goes through `as_text`, which decodes the undecodable bytes as U+FFFD, the replacement
character (`"bad\\ufffd"`). `_paths.confine` maps such a name back to the file when
exactly one entry in its folder shows that way.
"""

from __future__ import annotations

import os

__all__ = ["REPLACEMENT", "as_text", "path_text"]

REPLACEMENT = "\ufffd"


def as_text(text: str) -> str:
    """`text` with any lone surrogate (an undecodable byte) replaced by U+FFFD; valid text unchanged."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        return text  # the common case: nothing to replace
    try:
        raw = text.encode("utf-8", "surrogateescape")  # the bytes the OS gave (PEP 383)
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogatepass")  # a surrogate from elsewhere
    return raw.decode("utf-8", "replace")


def path_text(path: str | os.PathLike[str]) -> str:
    """A path as `as_text` gives it."""
    return as_text(os.fspath(path))
