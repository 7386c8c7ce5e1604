"""Unified diffs for edit_file, fast on big files with small changes.

difflib's matcher is quadratic in the worst case and slow on a large file even when one
line changed. The common first and last lines are set aside first, only the region
between them is matched, and the hunks are then grouped by difflib's own
`get_grouped_opcodes` and written as `difflib.unified_diff` writes them.
"""

from __future__ import annotations

import difflib
from typing import Literal

__all__ = ["unified_diff"]

Opcode = tuple[Literal["replace", "delete", "insert", "equal"], int, int, int, int]


def unified_diff(old: str, new: str, name: str, context: int = 3) -> str:
    """`diff -u` of `old` and `new` (the file `name`), as `difflib.unified_diff` gives it."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    if a == b:
        return ""
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    middle = difflib.SequenceMatcher(None, a[head : len(a) - tail], b[head : len(b) - tail])
    opcodes: list[Opcode] = [("equal", 0, head, 0, head)] if head else []
    opcodes += [(tag, i1 + head, i2 + head, j1 + head, j2 + head) for tag, i1, i2, j1, j2 in middle.get_opcodes()]
    if tail:
        opcodes.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    out = [f"--- a/{name}\n", f"+++ b/{name}\n"]
    for group in _Opcodes(opcodes).get_grouped_opcodes(context):
        out.append(f"@@ -{_hunk_range(group[0][1], group[-1][2])} +{_hunk_range(group[0][3], group[-1][4])} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [" " + line for line in a[i1:i2]]
                continue
            out += ["-" + line for line in a[i1:i2]]
            out += ["+" + line for line in b[j1:j2]]
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in out)


class _Opcodes(difflib.SequenceMatcher[str]):
    """Given opcodes, grouped into hunks by difflib's own `get_grouped_opcodes`."""

    def __init__(self, opcodes: list[Opcode]) -> None:
        self._opcodes = opcodes  # no matching to do: SequenceMatcher.__init__ is skipped

    def get_opcodes(self) -> list[Opcode]:
        return self._opcodes


def _hunk_range(start: int, stop: int) -> str:
    # As difflib's unified_diff writes it: "first,count", "first" alone for one line.
    length = stop - start
    first = start + 1 if length else start
    return str(first) if length == 1 else f"{first},{length}"
