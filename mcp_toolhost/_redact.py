"""Secrets kept out of what the server shows: one place that decides what looks secret.

Used by `get_env`/`list_env`, by `run_command` (the secrets it hands a child are masked
in what the child prints), by the logs and by the audit log (the arguments of tool calls).

- An environment variable's *name* looks secret when it contains one of `SECRET_WORDS`
  (case-insensitive) or has `PWD`/`PW` as one of its `_`-separated parts (`MYSQL_PWD`;
  not `PWD`, the working directory). Such a variable's whole value is hidden. Cautious:
  `KEYBOARD` is hidden too.
- A *key* in data (an argument's name, a header, a JSON key in text) is judged by its
  words, so ordinary words stay: `apiKey`, `X-Api-Key`, `access_token`, `PGPASSWORD`
  look secret; `keyboard`, `monkey`, `author`, `max_tokens`, `tokenizer` do not.
- In any *text*, credentials are masked where they can be recognized: the user
  information of a URL (`scheme://user:PASSWORD@host`, the password even when it holds
  `/` or `@`; a lone `scheme://TOKEN@host` whole, since a user name may be a token),
  the value of a `key=value`, `key: value` or `"key": "value"` pair whose key looks
  secret (`AccountKey=...;` in a connection string, a JSON object of variables, a
  `?token=` query, `Authorization: Bearer ...`), and values shaped like keys wherever
  they are (`KEY_SHAPES`: bearer tokens, `sk-...`, AWS key ids, PEM blocks, GitHub,
  Slack and Google keys, JWTs).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Container, Iterable, Mapping
from typing import Any, Final

__all__ = [
    "REDACTED",
    "SECRET_WORDS",
    "is_secret_key",
    "is_secret_name",
    "redact_data",
    "redact_text",
    "redact_values",
    "secret_values",
]

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
_SECRET_KEY_WORDS: Final = frozenset(
    {
        *("key", "token", "secret", "secrets", "password", "passwords", "passwd", "passphrase", "pass"),
        *("credential", "credentials", "creds", "auth", "authorization", "cookie", "cookies", "private"),
        *("session", "signature", "salt", "dsn", "bearer", "jwt", "otp"),
    }
)
"""Words of a key that make it look secret. Not `tokens` (`max_tokens` is a count) nor `keys` (a list of names)."""
_SECRET_KEY_ENDINGS: Final = ("password", "passwd", "passphrase", "secret", "token", "credential", "cookie")
"""Endings of a one-word key that make it look secret (`pgpassword`, `accesstoken`, `setcookie`)."""
_KEY_OWNERS: Final = frozenset(
    {
        *("api", "access", "secret", "private", "signing", "encryption", "master", "client", "app", "auth"),
        *("license", "ssh", "gpg", "pgp", "hmac", "session", "account", "storage", "sas", "subscription"),
    }
)
"""What comes before `key` in a one-word key that holds one (`apikey`, `privatekey`; not `monkey`)."""
KEY_SHAPES: Final = (
    # Each with the texts one of which it cannot match without: a few `in` tests (C speed) spare
    # most strings the regular expressions, which cost microseconds each even on a short one.
    (("-----BEGIN ",), r"-----BEGIN [A-Z0-9 ]{1,40}-----[\s\S]*?(?:-----END [A-Z0-9 ]{1,40}-----|\Z)"),  # PEM
    (("sk-",), r"\bsk-[A-Za-z0-9_-]{20,}"),  # OpenAI, Anthropic (sk-proj-..., sk-ant-...)
    (("AKIA", "ASIA"), r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),  # AWS access key ids (long-term, temporary)
    (("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"), r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_\w{22,})"),
    (("xox",), r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),  # Slack
    (("AIza",), r"\bAIza[0-9A-Za-z_-]{35}"),  # Google API keys
    (("eyJ",), r"\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),  # JWT
    # A bearer token: at least 8 characters with a digit, so "a Bearer token" in prose stays.
    (("Bearer ", "bearer ", "BEARER "), r"(?<=\b(?i:bearer) )(?=[A-Za-z._~+/-]*[0-9])[A-Za-z0-9._~+/-]{8,}=*"),
)
"""Values that look like keys wherever they appear, whatever name they are under: (clues, pattern)."""
_KEY_CLUES: Final = (
    *("key", "tok", "secret", "pass", "pw", "cred", "auth", "cookie", "priv", "sess", "sign", "salt"),
    *("dsn", "bearer", "jwt", "otp"),
)
"""Every word `is_secret_key` finds secret holds one of these (lower case)."""
_CUT_MARGIN: Final = 4096
"""Characters past a cut that are masked too: more than a PEM private key (3.3 KB for RSA 4096)."""
_SHORTEST_SHAPE: Final = 15
"""No `KEY_SHAPES` pattern matches fewer characters (`Bearer ` and 8 more): a shorter text without `:` or `=`
(no URL, no key and value) holds nothing to mask, and skips every test (most arguments are such)."""
_CODE_SUFFIXES: Final = frozenset({"py", "pyi", "pyx", "js", "mjs", "cjs", "ts", "tsx", "jsx", "go", "rs", "rb"})
"""Extensions of code files: `auth.py:42` names a line, so a secret-looking file name does not mask the number."""
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


@functools.cache
def _shapes() -> tuple[list[tuple[tuple[str, ...], re.Pattern[str]]], tuple[str, ...]]:
    """The compiled `KEY_SHAPES`, and all their clues together (most texts hold none)."""
    return [(clues, re.compile(pattern)) for clues, pattern in KEY_SHAPES], tuple(
        clue for clues, _ in KEY_SHAPES for clue in clues
    )


def is_secret_name(name: str) -> bool:
    """Whether an environment variable of this name holds a secret, judged by the name alone (cautiously)."""
    if _patterns()[0].search(name) is not None:
        return True
    parts = name.upper().split("_")
    return len(parts) > 1 and not _SECRET_PARTS.isdisjoint(parts)


@functools.lru_cache(maxsize=4096)  # an argument's names repeat from call to call
def is_secret_key(key: str) -> bool:
    """Whether a key in data (an argument's name, a header) looks like it holds a secret, by its words."""
    words = [word.lower() for word in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+", key)]
    for word in words:
        if word.upper() in _SECRET_PARTS and len(words) > 1:
            return True
        if word in _SECRET_KEY_WORDS or word.endswith(_SECRET_KEY_ENDINGS):
            return True
        if word.endswith("key") and word[:-3] in _KEY_OWNERS:
            return True
    return False


def redact_data(value: Any, longest: int = 0) -> Any:
    """JSON data (a tool call's arguments) with its secrets masked, as a copy.

    The value under a key that looks secret (`is_secret_key`) is hidden whole, at any
    depth, unless it is null or a boolean (a flag such as `"private": true` says nothing
    secret); every string elsewhere is masked like `redact_text` masks text.
    `longest` (0: no limit): strings longer than this are cut to it, and say so.
    """
    if isinstance(value, str):
        if longest and len(value) > longest:
            # Masked a little past the cut, so a secret across it is masked before it is cut.
            return f"{redact_text(value[: longest + _CUT_MARGIN])[:longest]}[... cut: {len(value)} characters]"
        return redact_text(value)
    if isinstance(value, dict):
        return {
            key: (_hidden(item) if isinstance(key, str) and is_secret_key(key) else redact_data(item, longest))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact_data(item, longest) for item in value]
    return value


def _hidden(value: Any) -> Any:
    return value if value is None or isinstance(value, bool) else REDACTED


def redact_text(text: str) -> str:
    """`text` with the credentials it visibly holds replaced by `REDACTED` (see the module docstring)."""
    if len(text) < _SHORTEST_SHAPE and ":" not in text and "=" not in text:
        return text
    _, url, key, value = _patterns()
    shapes, any_clue = _shapes()
    if _holds(text, any_clue):
        for clues, shape in shapes:
            if _holds(text, clues):
                text = shape.sub(REDACTED, text)
    if "://" in text:
        text = url.sub(_url, text)
    if (":" not in text and "=" not in text) or not _holds(text.lower(), _KEY_CLUES):
        return text  # no key that looks secret, so no value to mask
    # Only a secret key's value is consumed: another key's value is searched for keys too (`a=x?token=y`).
    pieces: list[str] = []
    done = 0
    for found in key.finditer(text):
        if found.start() < done or not is_secret_key(found["key"]):
            continue
        shown = value.match(text, found.end())
        if shown is None or shown[0].strip("\"'") == REDACTED or _is_line_of_code(found["key"], shown[0]):
            continue
        quote = shown[0][0] if shown[0][0] in "\"'" else ""
        pieces += [text[done : shown.start()], quote, REDACTED, quote]
        done = shown.end()
    return "".join(pieces) + text[done:]


def _is_line_of_code(key: str, value: str) -> bool:
    """`session.py:74`, as warnings and tracebacks name a line: a file of code and a number, no secret."""
    return value.rstrip(":").isdigit() and key.rpartition(".")[2] in _CODE_SUFFIXES  # "74:" in "a.py:74: Warning"


def _holds(text: str, clues: tuple[str, ...]) -> bool:
    return any(map(text.__contains__, clues))  # a generator expression costs several times more


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
