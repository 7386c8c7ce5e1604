"""Tool and parameter descriptions from a docstring: Google, NumPy and Sphinx styles.

Standard library only: this runs for every tool at registration, before (and
without) the schema module and pydantic.
"""

from __future__ import annotations

import inspect
import re

__all__ = ["parse_docstring"]

# Google-style section headers, lower-cased ("Args:" alone on its line).
_SECTIONS = frozenset(
    {
        "args", "arguments", "parameters", "params", "keyword args", "keyword arguments",
        "other parameters", "returns", "return", "raises", "yields", "yield", "examples",
        "example", "notes", "note", "attributes", "methods", "see also", "warnings",
        "warning", "warns", "references", "todo",
    }
)  # fmt: skip
_PARAM_SECTIONS = frozenset(
    {"args", "arguments", "parameters", "params", "keyword args", "keyword arguments", "other parameters"}
)
_GOOGLE_HEADER = re.compile(r"[A-Za-z][A-Za-z ]*:")
_NUMPY_UNDERLINE = re.compile(r"\s*-{3,}\s*")
# `name (type): text` or `name: text`; the lazy `(.*?)` still spans `(dict(str, int))`.
_GOOGLE_ENTRY = re.compile(r"\*{0,2}(\w+)\s*(?:\(.*?\))?\s*:(?:\s+(.*))?")
# `name : type`, `x, y : type` or just `name`.
_NUMPY_ENTRY = re.compile(r"(\*{0,2}\w+(?:\s*,\s*\*{0,2}\w+)*)\s*(?::.*)?")
# `:param name: text` and `:param type name: text` (and Sphinx's synonyms).
_SPHINX_PARAM = re.compile(r":(?:param|parameter|arg|argument|key|keyword)\s+(?:[^:]*\s)?\*{0,2}(\w+)\s*:(.*)")
# A field list item; the trailing space tells it from a role like :class:`Foo` in prose.
_SPHINX_FIELD = re.compile(r":\w+[^:`]*:(?:\s|$)")


def parse_docstring(doc: str | None) -> tuple[str, dict[str, str]]:
    """Return `(description, {parameter name: description})` from a docstring.

    The description is the text before the first section (`Args:`, `Returns:`, a NumPy
    header, a `:param:` field, ...). Multi-line parameter texts are joined with spaces.
    """
    if not doc:
        return "", {}
    lines = inspect.cleandoc(doc).splitlines()
    sections = _sections(lines)
    end = sections[0][1] if sections else len(lines)
    description = "\n".join(lines[:end]).strip()
    params: dict[str, str] = {}
    for index, (style, header, body_start) in enumerate(sections):
        body_end = sections[index + 1][1] if index + 1 < len(sections) else len(lines)
        body = lines[body_start:body_end]
        if style == "sphinx":
            _sphinx_field(lines[header], body, params)
        elif _normalize(lines[header]) in _PARAM_SECTIONS:
            _entries(body, style, params)
    return description, params


def _sections(lines: list[str]) -> list[tuple[str, int, int]]:
    """Each section as `(style, header line, first body line)`, in order."""
    found: list[tuple[str, int, int]] = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if i + 1 < len(lines) and _NUMPY_UNDERLINE.fullmatch(lines[i + 1]):
            found.append(("numpy", i, i + 2))
        elif _GOOGLE_HEADER.fullmatch(stripped) and _normalize(stripped) in _SECTIONS:
            found.append(("google", i, i + 1))
        elif _SPHINX_FIELD.match(stripped):
            found.append(("sphinx", i, i + 1))
    return found


def _normalize(header: str) -> str:
    return header.strip().rstrip(":").strip().lower()


def _entries(body: list[str], style: str, params: dict[str, str]) -> None:
    """Parse a Google or NumPy parameter list: entries at one indent, text indented deeper."""
    indent: int | None = None
    names: list[str] = []
    text: list[str] = []
    for line in body:
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip())
        if indent is None:
            indent = depth
        if depth < indent:
            break  # prose after the list, outside the section
        entry = None
        if depth == indent:
            pattern = _GOOGLE_ENTRY if style == "google" else _NUMPY_ENTRY
            entry = pattern.fullmatch(line.strip())
        if entry is None:
            text.append(line.strip())
            continue
        _store(names, text, params)
        names = [name.strip().lstrip("*") for name in entry.group(1).split(",")]
        first = entry.group(2) if style == "google" else None
        text = [first.strip()] if first else []
    _store(names, text, params)


def _sphinx_field(header: str, body: list[str], params: dict[str, str]) -> None:
    match = _SPHINX_PARAM.fullmatch(header.strip())
    if match is None:
        return  # :returns:, :raises ...:, :type x: and the like
    text = [match.group(2).strip()]
    for line in body:
        if not line.strip():
            break
        text.append(line.strip())
    _store([match.group(1)], text, params)


def _store(names: list[str], text: list[str], params: dict[str, str]) -> None:
    description = " ".join(part for part in text if part)
    if description:
        params.update(dict.fromkeys(names, description))
