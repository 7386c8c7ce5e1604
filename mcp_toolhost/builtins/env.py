"""The environment built-ins: `get_env` and `list_env`, with secrets redacted.

A variable whose name looks secret (it contains TOKEN, SECRET, KEY, PASS, CREDENTIAL,
AUTH, PRIVATE, COOKIE, SESSION, ...; see `_redact.py`) is shown as set, with its value
redacted, unless `allow_env` names it. In any other variable, the credentials a value
visibly holds (a URL's password, `AccountKey=...`, a JSON object's `"TOKEN": "..."`) are
masked. A name or value that is not valid UTF-8 is shown with U+FFFD for its
undecodable bytes (see `_text.py`).
"""

from __future__ import annotations

import os

from typing_extensions import TypedDict  # pydantic needs it over typing's before Python 3.12

from .._redact import REDACTED, is_secret_name, redact_text
from .._text import as_text
from .._tools.tool import tool
from ._config import config

__all__ = ["get_env", "list_env"]


class Variable(TypedDict):
    name: str
    set: bool
    value: str | None
    """The value; `[redacted]` when the name looks secret; null when not set."""
    redacted: bool


class Variables(TypedDict):
    variables: list[Variable]
    count: int


def _variable(name: str, value: str | None) -> Variable:
    # Judged on the real name and value; only what is shown is made valid text.
    shown_name = as_text(name)
    if value is None:
        return Variable(name=shown_name, set=False, value=None, redacted=False)
    if name in config().settings.allow_env:
        return Variable(name=shown_name, set=True, value=as_text(value), redacted=False)
    if is_secret_name(name):
        return Variable(name=shown_name, set=True, value=REDACTED, redacted=True)
    masked = redact_text(value)
    return Variable(name=shown_name, set=True, value=as_text(masked), redacted=masked != value)


@tool(title="Get an environment variable", read_only_hint=True, open_world_hint=False)
def get_env(name: str) -> Variable:
    """The server's value of one environment variable; values of secret-looking names are redacted.

    Bytes of a value that are not valid UTF-8 are shown as U+FFFD.

    Args:
        name: The variable's name (case-sensitive).
    """
    return _variable(name, os.environ.get(name))


@tool(title="List environment variables", read_only_hint=True, open_world_hint=False)
def list_env(prefix: str | None = None) -> Variables:
    """The server's environment variables, sorted by name; values of secret-looking names are redacted.

    Bytes of a name or value that are not valid UTF-8 are shown as U+FFFD.

    Args:
        prefix: Only names starting with this (case-sensitive).
    """
    names = sorted(name for name in os.environ if prefix is None or as_text(name).startswith(prefix))
    variables = [_variable(name, os.environ[name]) for name in names]
    return Variables(variables=variables, count=len(variables))
