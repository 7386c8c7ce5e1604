"""Patterns the model writes (regular expressions and globs), matched in linear time.

Python's `re` backtracks: `(a+)+$` against a long line of `a`s, or the glob `*a*a*a*b`
against a long name, runs for hours while holding the GIL, so no timeout, `ping` or
SIGTERM gets through and one call takes the whole server down. RE2 (google-re2) builds
an automaton instead: matching time is linear in the text, whatever the pattern. It
has no backreferences or lookaround; a pattern using them is refused with a message
saying so. `\\d`, `\\w` and `\\s` match ASCII only, as in RE2 everywhere.

Imported on first use: it loads the RE2 extension.
"""

from __future__ import annotations

import functools
from typing import Protocol

import re2

from ..errors import ToolError

__all__ = ["Regex", "compile_glob", "compile_regex"]


class Regex(Protocol):
    """What the tools use of a compiled pattern (re2's `_Regexp` has no type hints)."""

    def search(self, text: str) -> object | None: ...

    def fullmatch(self, text: str) -> object | None: ...


@functools.cache
def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # RE2 would print each refused pattern on stderr itself
    return options


def compile_regex(pattern: str, what: str) -> Regex:
    """`pattern` compiled with RE2; a ToolError naming `what` (e.g. "content_regex") if RE2 cannot take it."""
    try:
        regex: Regex = re2.compile(pattern, _options())
    except re2.error as exc:
        reason = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ToolError(
            f"Invalid {what} {pattern!r}: {reason}. Patterns are matched with RE2 (linear time):"
            " backreferences and lookaround are not supported."
        ) from None
    return regex


def compile_glob(glob: str) -> Regex:
    """A glob as a pattern over `/`-separated paths: `*`, `?`, `[...]`, `[!...]` and `**`."""
    glob = glob.removeprefix("./")
    out: list[str] = []
    i = 0
    while i < len(glob):
        char = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[" and (end := glob.find("]", i + 2)) != -1:
            body = glob[i + 1 : end]
            body = "^" + body[1:] if body.startswith("!") else body
            out.append(f"[{body.replace(chr(92), chr(92) * 2)}]")
            i = end + 1
        else:
            out.append(re2.escape(char))
            i += 1
    # (?s): a name may hold a newline, and `*` must match it as fnmatch does.
    return compile_regex("(?s)" + "".join(out), "glob")
