"""Who may use the dashboard: the token, the cookie, the CSRF token, and Host and Origin checks.

- Every route needs the token, as `Authorization: Bearer TOKEN` or as the HttpOnly,
  SameSite=Strict cookie the page's first load (`/?token=TOKEN`) sets.
- A state-changing route (POST) needs the bearer header or the `X-CSRF-Token` header the
  page sends, never the cookie alone: a cookie rides along on a forged cross-site form post,
  a custom header cannot be sent cross-site without CORS, which is never granted here.
- Host and Origin are checked against DNS rebinding (a page whose name now resolves to
  127.0.0.1): bound to loopback, a request must name a loopback host; a browser's Origin
  must be this server's own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final

from .._transports.asgi import foreign_host

__all__ = ["CSRF_HEADER", "Access", "Refusal"]

COOKIE_PREFIX: Final = "mcp_toolhost_dashboard_"
CSRF_HEADER: Final = "x-csrf-token"

Refusal = tuple[int, str]
"""An HTTP status and the reason, for the JSON error body."""


class Access:
    def __init__(self, token: str | None, *, loopback: bool) -> None:
        self.token = token or secrets.token_urlsafe(24)
        self._token = self.token.encode()
        # Derived, not stored: the page embeds it, and it proves the request came from a page
        # that could read a response of this server (the same origin).
        self.csrf = hmac.new(self._token, b"csrf", hashlib.sha256).hexdigest()
        # A browser sends a host's cookies to all its ports: each server's cookie has a name of
        # its own, so that opening a second server's dashboard does not log out of the first.
        self.cookie = COOKIE_PREFIX + hmac.new(self._token, b"cookie", hashlib.sha256).hexdigest()[:12]
        self._loopback = loopback

    def refusal(self, method: str, headers: dict[str, str], cookies: dict[str, str]) -> Refusal | None:
        """Why a request is refused, or None if it may go on."""
        rebound = foreign_host(headers, loopback=self._loopback)
        if rebound is not None:
            return 403, rebound
        origin = headers.get("origin")
        # Compared as text, not parsed: a malformed origin ("http://[::1") is refused, not an error.
        if origin is not None and origin.partition("://")[2] != headers.get("host"):
            return 403, f"Forbidden: origin {origin!r} is not this dashboard's; open the dashboard at its own address"
        bearer = self.bearer(headers)
        if bearer is not None:
            if hmac.compare_digest(bearer.encode(), self._token):
                return None
            return 401, "Unauthorized: wrong token; use the one the server printed on stderr at start"
        cookie = cookies.get(self.cookie)
        if cookie is None or not hmac.compare_digest(cookie.encode(), self._token):
            return 401, (
                "Unauthorized: open the URL with ?token= the server printed on stderr at start,"
                " or send `Authorization: Bearer TOKEN`"
            )
        if method not in ("GET", "HEAD") and not hmac.compare_digest(
            headers.get(CSRF_HEADER, "").encode(), self.csrf.encode()
        ):
            return 403, f"Forbidden: a change needs `Authorization: Bearer TOKEN` or the {CSRF_HEADER} header"
        return None

    def valid(self, token: str) -> bool:
        return hmac.compare_digest(token.encode(), self._token)

    @staticmethod
    def bearer(headers: dict[str, str]) -> str | None:
        scheme, _, given = headers.get("authorization", "").partition(" ")
        return given.strip() if scheme.lower() == "bearer" else None
