"""Sizing what a built-in returns, so that output within its documented cap fits `max_result_bytes`.

A text in a structured result is sent twice at most: JSON-escaped in `structuredContent`,
and escaped once more in the text block that repeats the structured result for older
clients (which is all such a client gets). When both copies would not fit, the
connection drops the repeat, so one copy, the doubly-escaped one, is what must fit.
Escaping grows text up to 7 times (a control character becomes `\\u0001`, then
`\\\\u0001`) and base64 grows bytes by 4/3: a 1 MiB command output, HTTP body or a
few-MB file can pass an 8 MiB limit. So texts are measured as they will be sent and cut
to fit, with the result saying it was cut.
"""

from __future__ import annotations

from .. import _json
from ..config import Settings

__all__ = ["Meter", "base64_room", "cost", "fit_lines", "fit_text", "room"]

_RESERVE = 64 * 1024
"""Bytes kept for the rest of a result: the JSON-RPC envelope, paths, headers, counts."""


def room(settings: Settings, share: int = 1) -> int:
    """Bytes of `cost` one of `share` texts in a result may take."""
    return max(settings.max_result_bytes - _RESERVE, 0) // share


def cost(text: str) -> int:
    """Bytes `text` takes in the encoded result: escaped for `structuredContent`, then again for the text block."""
    return len(_json.dumps(_json.dumps(text).decode()))


_EMPTY = cost("")


def fit_text(text: str, limit: int) -> tuple[str, bool]:
    """The longest start of `text` whose `cost` is at most `limit`, and whether anything was cut."""
    if cost(text) <= limit:
        return text, False
    low, high = 0, len(text)  # cost(text[:low]) fits; cost(text[:high]) does not
    while high - low > 1:
        middle = (low + high) // 2
        if cost(text[:middle]) <= limit:
            low = middle
        else:
            high = middle
    return text[:low], True


def fit_lines(lines: list[str], limit: int) -> int:
    """How many of `lines`, from the first, fit in `limit` bytes of `cost` when joined."""
    if cost("".join(lines)) <= limit:
        return len(lines)
    used = _EMPTY
    for count, line in enumerate(lines):
        used += cost(line) - _EMPTY  # escaping is per character: costs add up
        if used > limit:
            return count
    return len(lines)


class Meter:
    """Counts down the room left for the entries of a listing, as they will be sent."""

    def __init__(self, limit: int) -> None:
        self.left = limit - _EMPTY

    def take(self, entry: object) -> bool:
        """Count `entry` (any JSON value); False, counting nothing, when it does not fit any more."""
        needed = cost(_json.dumps(entry).decode()) - _EMPTY
        if needed > self.left:
            return False
        self.left -= needed
        return True


def base64_room(limit: int) -> int:
    """The most bytes whose base64 (never escaped) fits in `limit`."""
    return max(limit - _EMPTY, 0) // 4 * 3
