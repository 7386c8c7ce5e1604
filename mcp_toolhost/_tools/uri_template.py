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
    matching stops at those, or where the literal text after the variable first appears
    (`{name}-{n}` reads `a-b-c` as `a` and `b-c`), and percent-decodes what it took.
    """

    def __init__(self, template: str) -> None:
        self.template = template
        expressions = list(_EXPRESSION.finditer(template))
        literals = _EXPRESSION.split(template)[::2]  # the text before, between and after them
        if set("{}") & set("".join(literals)):
            raise ConfigError(f"URI template {template!r}: unbalanced braces")
        pattern = re.escape(literals[0])
        variables: list[str] = []
        for match, after in zip(expressions, literals[1:], strict=True):
            name = match.group(1)
            if not _VARNAME.fullmatch(name):
                raise ConfigError(
                    f"URI template {template!r}: {{{name}}} is not a level 1 expression;"
                    " use {name} with letters, digits and '_' only"
                )
            if name in variables:
                raise ConfigError(f"URI template {template!r}: {{{name}}} appears twice")
            if not after and match.end() < len(template):
                raise ConfigError(
                    f"URI template {template!r}: {{{name}}} is followed by another variable, so a URI"
                    " cannot tell where its value ends; put literal text (such as '-' or '/') between them"
                )
            variables.append(name)
            # A value runs to the first place the literal after it starts, and never gives
            # characters back (possessive): matching is linear in the URI's length. A
            # backtracking `[^/?#]+` took seconds per kilobyte of a hostile URI, on the event loop.
            stop = f"(?!{re.escape(after)})" if after else ""
            pattern += f"(?P<v{len(variables)}>(?:{stop}[^/?#])++)" + re.escape(after)
        self.variables = tuple(variables)
        self._pattern = re.compile(pattern)

    @property
    def is_template(self) -> bool:
        return bool(self.variables)

    def match(self, uri: str) -> dict[str, str] | None:
        """The variables' values if `uri` is an expansion of this template, else None."""
        found = self._pattern.fullmatch(uri)
        if found is None:
            return None
        return {name: urllib.parse.unquote(found.group(f"v{index}")) for index, name in enumerate(self.variables, 1)}
