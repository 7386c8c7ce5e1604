"""A client's config file: read and checked, our entry edited in, written back atomically.

Only our entry is added, replaced or removed: the rest of the file is kept byte for byte
(`jsonedit`), so installing then uninstalling gives back the file as it was. A file that
is not a JSON object is refused and left untouched. The new text replaces the old
atomically, and the old text is kept beside it as `FILE.bak`.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .._redact import REDACTED, is_secret_name, redact_text, redact_values
from ..builtins._atomic import write_atomic
from ..errors import ConfigError
from .jsonedit import remove_member, set_member
from .targets import Target

__all__ = ["Edit", "install", "uninstall"]

_BOM = "\ufeff"
# A JSON string, and the string value that follows it when it is a key (JSON strings never span lines).
_STRINGS = re.compile(r'("(?:[^"\\]|\\.)*")(?:(\s*:\s*)("(?:[^"\\]|\\.)*"))?')


@dataclass(frozen=True, slots=True)
class Edit:
    """A config file's text before and after our change; nothing is written until `write`."""

    path: Path
    original: bytes | None
    """The file's bytes as read; None when it does not exist."""
    before: str
    after: str
    bom: str = ""
    """A UTF-8 byte order mark the file starts with (Windows editors write one), kept."""

    @property
    def changed(self) -> bool:
        return self.original is None or self.before != self.after

    def diff(self, secrets: Iterable[str] = ()) -> str:
        """A unified diff of the change, with values that look secret (and `secrets`) redacted."""
        lines = difflib.unified_diff(
            self.before.splitlines(keepends=True),
            self.after.splitlines(keepends=True),
            "/dev/null" if self.original is None else str(self.path),
            str(self.path),
        )
        text = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
        return _redacted(text, secrets)

    def write(self) -> None:
        """Write the new text atomically, through a symbolic link, keeping the old as `FILE.bak`.

        Refuses (ConfigError) if the file changed since it was read: a client that rewrites
        its own config file (Claude Code does) must not lose its change to ours.
        """
        path = Path(os.path.realpath(self.path))
        if _bytes(path) != self.original:
            raise ConfigError(f"{self.path} changed while it was being edited (by the client?); run the command again.")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if self.original is not None:
                _backup(path, self.original)
            write_atomic(path, (self.bom + self.after).encode())
        except OSError as exc:
            raise ConfigError(
                f"{exc.filename or path}: cannot write it: {exc.strerror}; {path} is unchanged."
            ) from None


def install(target: Target, path: Path, name: str, command: list[str], env: Mapping[str, str]) -> Edit:
    """The edit that adds our entry `name` to the config file at `path`, or replaces it."""
    original, bom, text = _read(path, target)
    entry = target.entry(command, env)
    if text.strip() not in ("", "{}"):
        after = set_member(text, [target.key, name], entry)
    else:  # a new, empty or bare `{}` file: the clients' own style, two spaces
        after = json.dumps({target.key: {name: entry}}, indent=2, ensure_ascii=False) + "\n"
    return Edit(path, original, text, after, bom)


def uninstall(target: Target, path: Path, name: str) -> Edit | None:
    """The edit that removes our entry `name` from the config file at `path`; None if it has none."""
    original, bom, text = _read(path, target)
    after = remove_member(text, [target.key, name]) if text.strip() else None
    return None if after is None else Edit(path, original, text, after, bom)


def _bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it: {exc.strerror}") from None


def _read(path: Path, target: Target) -> tuple[bytes | None, str, str]:
    """The file's bytes, its byte order mark and its text; ConfigError unless it is a JSON object."""
    data = _bytes(path)
    if data is None:
        return None, "", ""
    try:
        text = data.decode()
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not UTF-8 text (byte {exc.start}); nothing was changed.") from None
    bom = _BOM if text.startswith(_BOM) else ""
    text = text.removeprefix(bom)
    if not text.strip():
        return data, bom, text
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}. Fix the file there"
            " (comments and trailing commas are not JSON), then run the command again; nothing was changed."
        ) from None
    if not isinstance(document, dict):
        raise ConfigError(f"{path} holds {_shown(document)}, not a JSON object of settings; nothing was changed.")
    servers = document.get(target.key, {})
    if not isinstance(servers, dict):
        raise ConfigError(
            f"{path}: {target.key!r} holds {_shown(servers)}, not an object of servers; fix it, then run the"
            " command again; nothing was changed."
        )
    return data, bom, text


def _redacted(text: str, secrets: Iterable[str]) -> str:
    """JSON text with secrets hidden, its structure kept: the string under a key that looks secret
    (`"API_KEY": "..."`), credentials inside other strings (`--token=...`, a URL's password), and `secrets`."""

    def hide(match: re.Match[str]) -> str:
        key, colon, value = match.groups()
        if value is None:
            return f'"{redact_text(key[1:-1])}"'
        if is_secret_name(json.loads(key)):
            return f'{key}{colon}"{REDACTED}"'
        return f'{key}{colon}"{redact_text(value[1:-1])}"'

    return redact_values(_STRINGS.sub(hide, text), secrets)


def _shown(value: object) -> str:
    """A value of the file in an error message: short, and with what looks secret hidden."""
    text = _redacted(json.dumps(value, ensure_ascii=False), ())
    return text if len(text) <= 40 else text[:37] + "..."


def _backup(path: Path, data: bytes) -> None:
    """`FILE.bak`: the bytes before our change, readable by no one the file itself was not."""
    backup = path.with_name(path.name + ".bak")
    mode = stat.S_IMODE(path.stat().st_mode)
    os.close(os.open(backup, os.O_WRONLY | os.O_CREAT, mode))  # created with the file's permissions...
    os.chmod(backup, mode)  # ...or given them, before a byte of a config that may hold secrets is written
    write_atomic(backup, data)
