"""The sealed `requestState` of 2026-07-28 input-required rounds (basic/patterns/input-required).

It carries, between rounds, the answers a request (a tool call, a prompt, a resource
read) got so far. The client holds it, so it is attacker-controlled input: it is signed
with HMAC-SHA256 under the configured `request_state_key` or a random per-process key,
and bound to the method, a hash of the canonical request (the tool or prompt name and
its arguments, or the resource URI) and an expiry. Whatever does not open (tampered, sealed by
another key, for another call, expired) is one -32602 "Invalid or expired requestState",
never saying which check failed. Signed, not encrypted: it holds only what the client
itself answered.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from .. import _json
from ..errors import InvalidParams, ToolError

# hashlib, hmac and zlib are imported where used: every server builds a StateSeal at start,
# few calls ever take an input-required round.

__all__ = ["INVALID_STATE", "Answer", "Opened", "StateSeal"]

INVALID_STATE: Final = "Invalid or expired requestState"
_UNPACKED_RATIO: Final = 4
"""A state unpacks to at most this many times `request_state_max_bytes`."""
_FORMAT: Final = "v2"
"""Bound under the signature: a later format cannot be passed off as this one."""

Answer = tuple[str, dict[str, Any]]
"""A question's method and the client's result for it."""


@dataclass(frozen=True, slots=True)
class Opened:
    answers: dict[str, Answer]
    """Each question answered so far, by its key in `inputRequests`."""
    pending: list[tuple[str, str]]
    """The key and method of each question the client was asked last, answered in `inputResponses`."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(data) != text:  # the unused low bits of the last character changed: still a tampered state
        raise ValueError("not canonical base64url")
    return data


def _request_digest(request: dict[str, Any]) -> str:
    # Canonical: sorted keys, no spaces, ASCII (total for any text the wire decoded).
    import hashlib

    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


class StateSeal:
    """Seals and opens `requestState` for one process (or several sharing a key)."""

    def __init__(self, key: str | None, ttl: float, max_bytes: int) -> None:
        # os.urandom is what secrets.token_bytes calls; `secrets` would import `random` at start.
        self._key = key.encode() if key is not None else os.urandom(32)
        self._ttl = ttl
        self._max_bytes = max_bytes

    def _mac(self, packed: bytes) -> bytes:
        import hashlib
        import hmac

        return hmac.new(self._key, _FORMAT.encode() + b"." + packed, hashlib.sha256).digest()

    def seal(
        self, method: str, request: dict[str, Any], answers: dict[str, Answer], pending: Sequence[tuple[str, str]]
    ) -> str:
        """The state for the next round; a ToolError when it would pass `request_state_max_bytes`."""
        import zlib

        body = {
            "t": method,
            "a": _request_digest(request),
            "e": time.time() + self._ttl,  # wall clock: processes sharing a key share it too
            "p": [list(question) for question in pending],
            "r": [[key, asked, result] for key, (asked, result) in answers.items()],
        }
        raw = _json.dumps(body)
        packed = zlib.compress(raw)
        state = f"{_FORMAT}.{_b64(packed)}.{_b64(self._mac(packed))}"
        # Bounded unpacked too: answers that compress well (a client's 10 MB of one letter)
        # would otherwise unpack, every round, to many times the limit.
        size = max(len(state), len(raw) // _UNPACKED_RATIO)
        if size > self._max_bytes:
            raise ToolError(
                f"The answers this request got so far make a requestState of {len(state)} bytes"
                f" ({len(raw)} unpacked), more than request_state_max_bytes ({self._max_bytes}; unpacked"
                f" {_UNPACKED_RATIO} times that): ask fewer or shorter questions in one call, or raise the setting."
            )
        return state

    def open(self, state: object, method: str, request: dict[str, Any]) -> Opened:
        """The answers a state carries, if this process sealed it for this request and it has not expired."""
        import hmac
        import zlib

        if not isinstance(state, str) or len(state) > self._max_bytes:
            raise InvalidParams(INVALID_STATE)
        parts = state.split(".")
        try:
            if len(parts) != 3 or parts[0] != _FORMAT:
                raise ValueError(parts[0])
            packed, mac = _unb64(parts[1]), _unb64(parts[2])
        except (ValueError, binascii.Error):
            raise InvalidParams(INVALID_STATE) from None
        if not hmac.compare_digest(mac, self._mac(packed)):
            raise InvalidParams(INVALID_STATE)
        # Sealed by us (or a process sharing the key): only the binding and expiry remain to check.
        body = _json.loads(zlib.decompress(packed))
        if body["t"] != method or body["a"] != _request_digest(request) or time.time() > body["e"]:
            raise InvalidParams(INVALID_STATE)
        return Opened({key: (asked, result) for key, asked, result in body["r"]}, [(k, m) for k, m in body["p"]])
