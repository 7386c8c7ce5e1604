"""Where a key is in a TOML file, and which key was meant: for error messages people can act on.

`tomllib` keeps no positions, so the config file and manifests both point at a field
by following `[table]`, `[[array]]` headers and `key =` lines by hand: good enough to
name the line of a field, not a TOML parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = ["did_you_mean", "dotted", "field_line", "line_text"]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'. ]+?)\s*=")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the nearest of `choices`, or nothing if none is near."""
    import difflib  # only when there is a mistake: it is not cheap to import at start

    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def dotted(where: Iterable[str | int]) -> str:
    """A path into a document as people write it: `tool[0].parameters.x`."""
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


def line_text(lines: Sequence[str], line: int | None) -> str | None:
    """The line's text, stripped, to show under a message; None if there is no such line."""
    if line is None or not 1 <= line <= len(lines):
        return None
    return lines[line - 1].strip()


def field_line(lines: Sequence[str], where: Sequence[str | int]) -> int | None:
    """The line that best matches a path into the document (`["tool", 2, "name"]`): the longest matching prefix."""
    best_line, best_depth = None, 0
    table: list[str | int] = []
    arrays: dict[tuple[str, ...], int] = {}
    for number, text in enumerate(lines, start=1):
        header = _HEADER.match(text)
        if header:
            keys = _split_key(header.group(2))
            if header.group(1) == "[[":
                count = arrays[tuple(keys)] = arrays.get(tuple(keys), -1) + 1
                table = [*keys, count]
            else:
                table = _with_indices(keys, arrays)
            candidate = table
        else:
            key = _KEY.match(text)
            if not key or text.lstrip().startswith("#"):
                continue
            candidate = [*table, *_split_key(key.group(1))]
        depth = _common(candidate, where)
        if depth == len(candidate) and depth > best_depth:
            best_line, best_depth = number, depth
    return best_line


def _split_key(key: str) -> list[str]:
    return [part.strip().strip("\"'") for part in key.split(".")]


def _with_indices(keys: list[str], arrays: dict[tuple[str, ...], int]) -> list[str | int]:
    """`[tool.parameters.x]` inside the third `[[tool]]` is tool[2].parameters.x."""
    out: list[str | int] = []
    for i, key in enumerate(keys):
        out.append(key)
        count = arrays.get(tuple(keys[: i + 1]))
        if count is not None:
            out.append(count)
    return out


def _common(a: Sequence[str | int], b: Sequence[str | int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
