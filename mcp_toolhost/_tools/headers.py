"""Tool parameters mirrored into HTTP headers: the `Header` marker and the `x-mcp-header` declarations.

basic/transports/streamable-http, "Custom Headers from Tool Parameters" (2026-07-28, SEP-2243):
a property of a tool's inputSchema may carry `"x-mcp-header": "Region"`; a client then sends that
argument's value as `Mcp-Param-Region` too, so that a load balancer can route on it, and the server
checks that the two agree (`_transports/http_headers`). Clients MUST drop a tool whose declarations
break the rules, so a declaration is checked here, once per tool, and a bad one refuses the tool.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from ..errors import ConfigError

if TYPE_CHECKING:
    from pydantic import GetJsonSchemaHandler
    from pydantic_core import CoreSchema

__all__ = ["HEADER_KEY", "Declared", "Header", "declared_headers", "mirrorable"]

logger = logging.getLogger("mcp_toolhost")

HEADER_KEY: Final = "x-mcp-header"
_PREFIX: Final = "Mcp-Param-"
_TOKEN: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
"""RFC 9110 section 5.6.2 `token`: what a header name may be made of (no space, no control character)."""
_PRIMITIVES: Final = frozenset({"string", "integer", "boolean"})
"""The types a mirrored property may have: not `number` (its text form differs between languages)."""


@dataclass(frozen=True, slots=True)
class Header:
    """Mirror this tool parameter into the `Mcp-Param-{name}` HTTP header: `Annotated[str, Header("Region")]`.

    Over Streamable HTTP (2026-07-28) a client sends the argument's value in that header too, so that a
    proxy or load balancer can route on it without reading the body; the server refuses a request whose
    header and argument disagree. The parameter must be a `str`, `int` or `bool` (optional is fine).
    Header values are visible to every intermediary: never mirror a secret.
    """

    name: str

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        # pydantic calls this for Annotated metadata: the property's schema gains the annotation.
        return {**handler(core_schema), HEADER_KEY: self.name}


@dataclass(frozen=True, slots=True)
class Declared:
    """One mirrored parameter: where its value is in the arguments, and the header that carries it."""

    path: tuple[str, ...]
    """The chain of property names from the arguments object to the value."""
    header: str
    """The header's name as clients send it (`Mcp-Param-Region`)."""
    type: str
    """The property's JSON type: "string", "integer" or "boolean"."""

    @property
    def argument(self) -> str:
        """The argument's name for messages (`region`, `target.region`)."""
        return ".".join(self.path)


def mirrorable(schema: dict[str, Any]) -> None:
    """Leave null out of each mirrored property's type, in place.

    An optional parameter accepts null (`shapes.nullable_defaults`), which makes its type an array;
    the official SDK clients drop a tool whose mirrored property has no single primitive type. A null
    or absent argument is sent without its header, so the property need not say it may be null.
    """
    for _, _, node in _annotated(schema):
        kinds = node.get("type")
        if isinstance(kinds, list) and "null" in kinds:
            rest = [kind for kind in kinds if kind != "null"]
            node["type"] = rest[0] if len(rest) == 1 else rest
        if isinstance(node.get("enum"), list):
            node["enum"] = [value for value in node["enum"] if value is not None]
        if "default" in node and node["default"] is None:
            del node["default"]


def declared_headers(schema: dict[str, Any], owner: str) -> tuple[Declared, ...]:
    """The mirrored parameters of `owner`'s input schema; raises ConfigError naming the first bad declaration.

    The rules are those of "Custom Headers from Tool Parameters" (2026-07-28): a non-empty token,
    unique ignoring case, on a string, integer or boolean property reached from the root through
    `properties` alone (not through items, anyOf, $ref...). A parameter that looks secret is
    mirrored with a warning: the revision says a server SHOULD NOT, as intermediaries see headers.
    """
    from .._redact import is_secret_key  # here: `Header` is imported with the package, this is not

    declared: list[Declared] = []
    seen: dict[str, str] = {}
    for path, static, node in _annotated(schema):
        where = f"{owner}: parameter {'.'.join(path)!r}" if path else owner
        name = node[HEADER_KEY]
        if not static:
            raise ConfigError(
                f"{where}: {HEADER_KEY} {name!r} is not on a property reached through 'properties' alone"
                " (it is inside items, anyOf, $defs or the like): only a parameter, or a property of an"
                " object parameter, can be mirrored"
            )
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            raise ConfigError(
                f"{where}: {HEADER_KEY} {name!r} is not a valid header name: use letters, digits and"
                " !#$%&'*+-.^_`|~ only, at least one"
            )
        kind = node.get("type")
        if kind not in _PRIMITIVES:
            raise ConfigError(
                f"{where}: {HEADER_KEY} {name!r} needs one type among string, integer and boolean, not"
                f" {kind!r}: make the parameter a str, int or bool"
            )
        if name.lower() in seen:
            raise ConfigError(
                f"{where}: {HEADER_KEY} {name!r} is already the header of parameter {seen[name.lower()]!r}"
                " (header names ignore case): give each its own"
            )
        seen[name.lower()] = ".".join(path)
        if is_secret_key(path[-1]) or is_secret_key(name):
            logger.warning(
                "%s is mirrored into the header %s%s although its name suggests a secret;"
                " headers are visible to every proxy on the way",
                where,
                _PREFIX,
                name,
            )
        declared.append(Declared(path, _PREFIX + name, kind))
    return tuple(declared)


def _annotated(schema: dict[str, Any]) -> Iterator[tuple[tuple[str, ...], bool, dict[str, Any]]]:
    """Each subschema carrying `x-mcp-header`: the property names down to it, and whether they alone lead there."""
    from .shapes import subschemas

    todo: deque[tuple[tuple[str, ...], bool, Any]] = deque([((), True, schema)])
    while todo:  # breadth first: parameters in their order
        path, static, node = todo.popleft()
        if not isinstance(node, dict):
            continue
        if HEADER_KEY in node:
            yield path, static and bool(path), node  # the root itself is no parameter
        properties = node.get("properties")
        if isinstance(properties, dict):
            todo += [((*path, key), static, value) for key, value in properties.items()]
        # Any other way down (items, anyOf, $defs...) is not static: a declaration there is refused.
        todo += [(path, False, child) for child in subschemas({k: v for k, v in node.items() if k != "properties"})]
