"""Set or remove one member of a JSON object inside a document, keeping every other byte.

A client's config file is the person's (and the client's own) text: its key order,
indentation, line endings, inline arrays and escapes must survive our edit. So the
document is never re-serialized: the text is scanned for the spans of the members on
the way to ours, and only our member is spliced in or cut out. Added text copies the
file's own style (the separator before the sibling it follows, its indentation unit and
line ending), so that removing what was added gives back the original bytes.

The text must already be known to be valid JSON (`json.loads` succeeded on it): the
scanner relies on that and checks nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["indent_unit", "remove_member", "set_member"]

_WHITESPACE = re.compile(r"[ \t\r\n]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_SCALAR_END = re.compile(r"[,}\]\s]")
_INDENT = re.compile(r"[ \t]*")


@dataclass(frozen=True, slots=True)
class _Member:
    key: str
    start: int
    """Where the key's opening quote is."""
    value_start: int
    end: int
    """Just past the value."""


@dataclass(frozen=True, slots=True)
class _Object:
    start: int
    """The `{`."""
    end: int
    """The `}`."""
    members: list[_Member]

    def find(self, key: str) -> _Member | None:
        # The last of duplicate keys, the one JSON.parse and json.loads keep.
        return next((m for m in reversed(self.members) if m.key == key), None)


def _skip_space(text: str, at: int) -> int:
    match = _WHITESPACE.match(text, at)
    assert match is not None  # the pattern matches the empty string
    return match.end()


def _value_end(text: str, at: int) -> int:
    """Just past the value starting at `at`; a loop, not recursion, so any depth is fine."""
    if text[at] == '"':
        return _string_end(text, at)
    if text[at] not in "{[":
        found = _SCALAR_END.search(text, at)
        return len(text) if found is None else found.start()
    depth = 0
    while True:
        char = text[at]
        if char == '"':
            at = _string_end(text, at)
            continue
        if char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return at + 1
        at += 1


def _string_end(text: str, at: int) -> int:
    match = _STRING.match(text, at)
    assert match is not None, f"no JSON string at {at}"
    return match.end()


def _object(text: str, at: int) -> _Object:
    """The object whose `{` is at `at`, with its members' spans."""
    members = []
    position = _skip_space(text, at + 1)
    while text[position] != "}":
        key_end = _string_end(text, position)
        value_start = _skip_space(text, _skip_space(text, key_end) + 1)  # past the ':'
        end = _value_end(text, value_start)
        members.append(_Member(json.loads(text[position:key_end]), position, value_start, end))
        position = _skip_space(text, end)
        if text[position] == ",":
            position = _skip_space(text, position + 1)
    return _Object(at, position, members)


def indent_unit(text: str) -> str | None:
    """The file's indentation step: the leading whitespace of its first indented line; None for one-line JSON."""
    found = re.search(r"\n([ \t]+)\S", text)
    return found.group(1) if found else None


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _line_indent(text: str, at: int) -> str:
    """The leading whitespace of the line holding position `at`."""
    line_start = text.rfind("\n", 0, at) + 1
    return text[line_start : _INDENT.match(text, line_start).end()]  # type: ignore[union-attr]


def _dump(value: Any, text: str, indent: str) -> str:
    """`value` in the file's style: its indentation unit and line ending, continuation lines after `indent`."""
    unit = indent_unit(text)
    if unit is None:
        return json.dumps(value, ensure_ascii=False)
    lines = json.dumps(value, indent=unit, ensure_ascii=False).split("\n")
    return _newline(text).join([lines[0], *(indent + line for line in lines[1:])])


def _root(text: str) -> _Object:
    return _object(text, _skip_space(text, 0))


def _walk(text: str, keys: Sequence[str]) -> tuple[_Object, list[str]]:
    """The deepest object on the path `keys` that exists, and the keys still missing below it."""
    current = _root(text)
    for depth, key in enumerate(keys):
        member = current.find(key)
        if member is None or text[member.value_start] != "{":
            return current, list(keys[depth:])
        current = _object(text, member.value_start)
    return current, []


def set_member(text: str, keys: Sequence[str], value: Any) -> str:
    """`text` with the member at the path `keys` set to `value`, creating the objects on the way.

    An existing member keeps its place and its key's text; a new one goes after the last
    member, as the file's other members are laid out.
    """
    parent, missing = _walk(text, keys[:-1])
    if missing:
        nested: Any = value
        for key in reversed([*missing[1:], keys[-1]]):
            nested = {key: nested}
        return _add(text, parent, missing[0], nested)
    member = parent.find(keys[-1])
    if member is None:
        return _add(text, parent, keys[-1], value)
    replacement = _dump(value, text, _line_indent(text, member.start))
    return text[: member.value_start] + replacement + text[member.end :]


def _add(text: str, parent: _Object, key: str, value: Any) -> str:
    if parent.members:
        last = parent.members[-1]
        # The separator that precedes the last member (a newline and its indentation, or a
        # space) precedes ours too.
        before = parent.members[-2].end if len(parent.members) > 1 else parent.start
        separator = text[before : last.start]
        separator = separator[separator.index(",") + 1 :] if "," in separator else separator[1:]
        member = f"{json.dumps(key, ensure_ascii=False)}: {_dump(value, text, _line_indent(text, last.start))}"
        return text[: last.end] + "," + separator + member + text[last.end :]
    unit = indent_unit(text)
    outer = _line_indent(text, parent.start)
    if unit is None:
        inner = f"{json.dumps(key, ensure_ascii=False)}: {_dump(value, text, '')}"
        return text[: parent.start + 1] + inner + text[parent.end :]
    newline = _newline(text)
    member = f"{json.dumps(key, ensure_ascii=False)}: {_dump(value, text, outer + unit)}"
    return text[: parent.start + 1] + newline + outer + unit + member + newline + outer + text[parent.end :]


def remove_member(text: str, keys: Sequence[str]) -> str | None:
    """`text` without the member at the path `keys`, with the comma that went with it; None if there is none.

    The exact inverse of `set_member` adding a member: the separator it copied goes too.
    """
    parent, missing = _walk(text, keys[:-1])
    member = None if missing else parent.find(keys[-1])
    if member is None:
        return None
    index = parent.members.index(member)
    if len(parent.members) == 1:  # the object becomes empty: `{}`
        return text[: parent.start + 1] + text[parent.end :]
    if index == len(parent.members) - 1:  # the last: from the end of the one before it
        return text[: parent.members[index - 1].end] + text[member.end :]
    return text[: member.start] + text[parent.members[index + 1].start :]
