"""Secrets kept out of what the server shows: one place that decides what looks secret.

Used by `get_env`/`list_env`, by `run_command` (the secrets it hands a child are masked
in what the child prints) and by the logs.

- A *name* looks secret when it contains one of `SECRET_WORDS` (case-insensitive) or
  has `PWD`/`PW` as one of its `_`-separated parts (`MYSQL_PWD`; not `PWD`, the working
  directory). Such a variable's whole value is hidden.
- In any *text*, credentials are masked where they can be recognized: the user
  information of a URL (`scheme://user:PASSWORD@host`, the password even when it holds
  `/` or `@`; a lone `scheme://TOKEN@host` whole, since a user name may be a token),
  and the value of a `key=value`, `key: value` or `"key": "value"` pair whose key looks
  secret (`AccountKey=...;` in a connection string, a JSON object of variables, a
  `?token=` query, `Authorization: Bearer ...`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Container, Iterable, Mapping
from typing import Final

__all__ = ["REDACTED", "SECRET_WORDS", "is_secret_name", "redact_text", "redact_values", "secret_values"]

REDACTED: Final = "[redacted]"
SECRET_WORDS: Final = (
    "TOKEN",
    "SECRET",
    "KEY",
    "PASS",
    "CREDENTIAL",
    "AUTH",
    "PRIVATE",
    "COOKIE",
    "SESSION",
    "SIGNATURE",
    "SALT",
    "DSN",
)
"""Parts of a name that make it look secret (case-insensitive; PASS covers PASSWORD, PASSWD, PASSPHRASE)."""
_SECRET_PARTS: Final = frozenset({"PWD", "PW"})
"""Whole `_`-separated parts of a longer name that make it look secret (MYSQL_PWD, DB_PW)."""
_SHORTEST_SECRET: Final = 4
"""Shorter values are not searched for in a program's output: masking every `1` or `yes` would hide too much."""


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    return (
        re.compile("|".join(SECRET_WORDS), re.IGNORECASE),
        # scheme:// and what follows up to a space or a quote; _url decides where the user information ends.
        re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<rest>[^\s\"'<>]+)"),
        re.compile(r"(?P<key>\b[A-Za-z_][\w.-]*)[\"']?\s*[:=](?!//)\s*"),  # a key and what follows it
        re.compile(r"\"(?:[^\"\\]|\\.)*\"|'[^']*'|(?:Bearer|Basic|Token)\s+[^\s;&,\"'}]+|[^\s;&,\"'}]+", re.IGNORECASE),
    )


def is_secret_name(name: str) -> bool:
    """Whether a variable (or key) of this name holds a secret, judged by the name alone."""
    if _patterns()[0].search(name) is not None:
        return True
    parts = name.upper().split("_")
    return len(parts) > 1 and not _SECRET_PARTS.isdisjoint(parts)


def redact_text(text: str) -> str:
    """`text` with the credentials it visibly holds replaced by `REDACTED` (see the module docstring)."""
    _, url, key, value = _patterns()
    text = url.sub(_url, text)
    # Only a secret key's value is consumed: another key's value is searched for keys too (`a=x?token=y`).
    pieces: list[str] = []
    done = 0
    for found in key.finditer(text):
        if found.start() < done or not is_secret_name(found["key"]):
            continue
        shown = value.match(text, found.end())
        if shown is None or shown[0].strip("\"'") == REDACTED:
            continue
        quote = shown[0][0] if shown[0][0] in "\"'" else ""
        pieces += [text[done : shown.start()], quote, REDACTED, quote]
        done = shown.end()
    return "".join(pieces) + text[done:]


def _url(match: re.Match[str]) -> str:
    rest = match["rest"]
    # The user information ends at the last '@' before a query or a fragment (RFC 3986,
    # 3.2.1), so a password holding '@' or '/' is masked whole.
    end = min((i for i in (rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    at = rest.rfind("@", 0, end)
    if at < 0:
        return match[0]
    user, colon, password = rest[:at].partition(":")
    if "/" in user or (colon and re.match(r"\d+(/|$)", password)):
        return match[0]  # an '@' in a path (`host/@scope`, `host:443/@scope`), not a user
    return match["scheme"] + (user + ":" if colon else "") + REDACTED + rest[at:]


def redact_values(text: str, secrets: Iterable[str]) -> str:
    """`text` with each occurrence of the given secret values (longest first) replaced by `REDACTED`."""
    for secret in sorted({s for s in secrets if len(s) >= _SHORTEST_SECRET}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def secret_values(env: Mapping[str, str], *, shown: Container[str] = ()) -> list[str]:
    """The values in `env` that look secret, by their name or by their form, for `redact_values`.

    `shown`: names whose values are not secret here (the operator's `allow_env`, or what the caller set).
    """
    return [
        value
        for name, value in env.items()
        if name not in shown and (is_secret_name(name) or redact_text(value) != value)
    ]
