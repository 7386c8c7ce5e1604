"""A plugin folder's plugin: `mcp-toolhost serve --plugins examples/plugins` serves its tools.

Every `name.py` (and `name/__init__.py`) in the folder is a plugin; `test_text.py` beside
it is skipped by the loader and found by pytest (see examples/README.md).
"""

import re
import unicodedata

from mcp_toolhost import tool

PLUGIN = {
    "name": "text",
    "version": "1.0.0",
    "description": "Small text helpers.",
    "mcp_toolhost": ">=0.1",
}


@tool(read_only_hint=True, idempotent_hint=True)
def slugify(text: str, separator: str = "-") -> str:
    """Turn a title into a URL slug: lower case ASCII words joined by a separator.

    Args:
        text: The title, e.g. "Crème Brûlée, at home".
        separator: What joins the words.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return separator.join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


@tool(read_only_hint=True, idempotent_hint=True)
def word_count(text: str) -> int:
    """Count the words of a text (runs of characters between white space)."""
    return len(text.split())
