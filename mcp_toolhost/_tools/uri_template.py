"""`UriTemplate`: RFC 6570 level 1 templates (`notes://{name}`), matched against concrete URIs."""

from __future__ import annotations

import re
import urllib.parse
from typing import Final

from ..errors import ConfigError

__all__ = ["UriTemplate"]

# RFC 6570 section 2.3: a variable name is ALPHA / DIGIT / "_" / pct-encoded, dots between.
_EXPRESSION: Final = re.compile(r"\{([^{}]*)\}")
_VARNAME: Final = re.compile(r"(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})+(?:\.(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})+)*")


class UriTemplate:
    """A level 1 template: literal text and `{var}` expressions.

    Level 1 ("simple string expansion", RFC 6570 section 3.2.2) percent-encodes every
    character outside the unreserved set, so a value never holds a raw `/`, `?` or `#`:
    matching stops at those and percent-decodes what it took.
    """

    def __init__(self, template: str) -> None:
        self.template = template
        pattern = ""
        variables: list[str] = []
        end = 0
        for match in _EXPRESSION.finditer(template):
            name = match.group(1)
            if not _VARNAME.fullmatch(name):
                raise ConfigError(
                    f"URI template {template!r}: {{{name}}} is not a level 1 expression;"
                    " use {name} with letters, digits and '_' only"
                )
            if name in variables:
                raise ConfigError(f"URI template {template!r}: {{{name}}} appears twice")
            variables.append(name)
            pattern += re.escape(template[end : match.start()]) + f"(?P<v{len(variables)}>[^/?#]+)"
            end = match.end()
        if set("{}") & set(_EXPRESSION.sub("", template)):
            raise ConfigError(f"URI template {template!r}: unbalanced braces")
        self.variables = tuple(variables)
        self._pattern = re.compile(pattern + re.escape(template[end:]))

    @property
    def is_template(self) -> bool:
        return bool(self.variables)

    def match(self, uri: str) -> dict[str, str] | None:
        """The variables' values if `uri` is an expansion of this template, else None."""
        found = self._pattern.fullmatch(uri)
        if found is None:
            return None
        return {name: urllib.parse.unquote(found.group(f"v{index}")) for index, name in enumerate(self.variables, 1)}
