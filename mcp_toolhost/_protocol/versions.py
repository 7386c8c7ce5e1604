"""The protocol revisions we speak, and what each one allows.

Revisions are an enumerated set, not an ordered scalar: every "since revision X"
question goes through the index in `ALL_VERSIONS`, never through string comparison.
"""

from __future__ import annotations

from typing import Final

HANDSHAKE_VERSIONS: Final = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
"""Revisions negotiated once per connection with `initialize`."""

STATELESS_VERSIONS: Final = ("2026-07-28",)
"""Revisions where every request carries its own envelope in `params._meta`."""

ALL_VERSIONS: Final = (*HANDSHAKE_VERSIONS, *STATELESS_VERSIONS)
LATEST_HANDSHAKE: Final = HANDSHAKE_VERSIONS[-1]

_INDEX: Final = {version: i for i, version in enumerate(ALL_VERSIONS)}


def at_least(version: str, minimum: str) -> bool:
    """True if `version` is a revision we know and it is `minimum` or newer."""
    index = _INDEX.get(version)
    return index is not None and index >= _INDEX[minimum]


def negotiate(requested: object) -> str:
    """The version to answer an `initialize` with.

    Lifecycle, "Version Negotiation": if the server supports the requested version it
    MUST respond with the same version; otherwise it MUST respond with another version
    it supports, which SHOULD be the latest one.
    """
    if isinstance(requested, str) and requested in HANDSHAKE_VERSIONS:
        return requested
    return LATEST_HANDSHAKE


def allows_batches(version: str | None) -> bool:
    # JSON-RPC batching was added in 2025-03-26 and removed again in 2025-06-18.
    return version == "2025-03-26"


def feature_level(version: str) -> int:
    """How much of a tool definition a revision understands.

    0: 2024-11-05; 1: 2025-03-26 added tool annotations and audio content;
    2: 2025-06-18 added `title`, `outputSchema`, `structuredContent` and resource links.
    """
    if at_least(version, "2025-06-18"):
        return 2
    return 1 if version == "2025-03-26" else 0


def validation_errors_as_results(version: str) -> bool:
    # 2025-11-25 (SEP-1303): input validation errors are tool execution errors, reported
    # with isError so the model can correct itself; earlier revisions answer -32602.
    return at_least(version, "2025-11-25")
