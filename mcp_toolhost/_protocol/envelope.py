"""What a request runs under: its protocol revision, the client's capabilities and log level.

In the handshake era one `RequestScope` is shared by every request of a connection and
set up by `initialize`. In the stateless era (2026-07-28) each request brings its own
envelope in `params._meta` (basic/index, "Per-request protocol fields"), and a server
MUST NOT infer capabilities from earlier requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from .._tools.context import LOG_LEVEL_RANK
from ..errors import InvalidParams, UnsupportedProtocolVersion
from .versions import STATELESS_VERSIONS

PROTOCOL_VERSION_KEY: Final = "io.modelcontextprotocol/protocolVersion"
CLIENT_CAPABILITIES_KEY: Final = "io.modelcontextprotocol/clientCapabilities"
CLIENT_INFO_KEY: Final = "io.modelcontextprotocol/clientInfo"
LOG_LEVEL_KEY: Final = "io.modelcontextprotocol/logLevel"
SERVER_INFO_KEY: Final = "io.modelcontextprotocol/serverInfo"
SUBSCRIPTION_ID_KEY: Final = "io.modelcontextprotocol/subscriptionId"


@dataclass(slots=True)
class RequestScope:
    version: str
    stateless: bool
    client_capabilities: dict[str, Any]
    client_info: dict[str, Any] | None
    log_level: str | None
    """Least severe level the client wants in `notifications/message`; None: send none."""


def has_envelope(params: dict[str, Any] | None) -> bool:
    """Whether a request claims the stateless era.

    The protocol-version key alone is the signal: handshake-era requests carry `_meta`
    too (for `progressToken`), but never a key under the reserved MCP prefix.
    """
    if not params:
        return False
    meta = params.get("_meta")
    return isinstance(meta, dict) and PROTOCOL_VERSION_KEY in meta


def stateless_scope(params: dict[str, Any]) -> RequestScope:
    """Read and check a 2026-07-28 request envelope; raise the error the spec names."""
    meta = params.get("_meta")
    if not isinstance(meta, dict):
        raise InvalidParams(
            f"params._meta must be an object carrying {PROTOCOL_VERSION_KEY!r} and {CLIENT_CAPABILITIES_KEY!r}"
        )
    missing = [key for key in (PROTOCOL_VERSION_KEY, CLIENT_CAPABILITIES_KEY) if key not in meta]
    if missing:
        raise InvalidParams(f"params._meta is missing the required key(s): {', '.join(missing)}")
    version = meta[PROTOCOL_VERSION_KEY]
    if not isinstance(version, str):
        raise InvalidParams(f"params._meta[{PROTOCOL_VERSION_KEY!r}] must be a string")
    if version not in STATELESS_VERSIONS:
        # 2026-07-28 versioning: the error's `supported` lists what this request may name; a
        # handshake-era version is negotiated with `initialize`, never sent in an envelope.
        raise UnsupportedProtocolVersion(version, list(STATELESS_VERSIONS))
    capabilities = meta[CLIENT_CAPABILITIES_KEY]
    if not isinstance(capabilities, dict):
        raise InvalidParams(f"params._meta[{CLIENT_CAPABILITIES_KEY!r}] must be an object")
    client_info = meta.get(CLIENT_INFO_KEY)
    log_level = meta.get(LOG_LEVEL_KEY)
    if log_level is not None and log_level not in LOG_LEVEL_RANK:
        raise InvalidParams(f"params._meta[{LOG_LEVEL_KEY!r}] must be one of {', '.join(LOG_LEVEL_RANK)}")
    return RequestScope(
        version=version,
        stateless=True,
        client_capabilities=capabilities,
        client_info=client_info if isinstance(client_info, dict) else None,
        log_level=log_level,
    )


def progress_token(params: dict[str, Any]) -> str | int | None:
    meta = params.get("_meta")
    if not isinstance(meta, dict):
        return None
    token = meta.get("progressToken")
    if isinstance(token, str) or (isinstance(token, int) and not isinstance(token, bool)):
        return token
    return None
