"""An httpx transport whose every connection goes to an address checked the moment before.

httpcore asks its network backend to `connect_tcp(host, port)`; the backend here
resolves `host` once, checks every address it resolves to (`_net.address_problem`,
unless `--allow-host` names the host or the address), and connects to one of those same
addresses. The name is never resolved a second time, so DNS rebinding has no window,
and TLS still verifies the certificate against the URL's host name (httpcore sends the
origin's host as SNI), as does the Host header. Each redirect hop opens its connection
through here too.

Imported on first use of `http_request`: it loads httpx and httpcore.
"""

from __future__ import annotations

import functools
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import anyio
import httpcore
import httpx

from ._net import AddressNotAllowed, HostAllowList, IPAddress, address_problem, parse_ip

__all__ = ["GuardedBackend", "GuardedTransport", "resolve_checked"]


async def resolve_checked(host: str, port: int, allow: HostAllowList) -> list[str]:
    """The addresses to connect to for `host:port`, each one checked; raises AddressNotAllowed."""
    try:
        infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise httpcore.ConnectError(f"Cannot resolve {host!r}: {exc}") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if allow.allows_name(host, port):
        return addresses
    for address in addresses:
        ip = parse_ip(address)
        problem = "not an IP address" if ip is None else address_problem(ip)
        if problem is not None and not (ip is not None and allow.allows_ip(ip, port)):
            _refuse(host, port, address, ip, problem)
    return addresses


def _refuse(host: str, port: int, address: str, ip: IPAddress | None, problem: str) -> None:
    target = host if address == host else f"{host} (resolves to {address})"
    shown = f"[{host}]:{port}" if ip is not None and ip.version == 6 and address == host else f"{host}:{port}"
    raise AddressNotAllowed(
        f"Refused: {target} is {problem}. http_request reaches public addresses only;"
        f" the server's configuration can allow this one with --allow-host {shown}."
    )


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to checked addresses (see the module docstring)."""

    def __init__(self, allow: HostAllowList, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.allow = allow
        self.inner = inner if inner is not None else httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        with anyio.move_on_after(timeout) as deadline:
            addresses = await resolve_checked(host, port, self.allow)
        if deadline.cancelled_caught:
            raise httpcore.ConnectTimeout(f"Resolving {host!r} timed out")
        error: Exception = httpcore.ConnectError(f"{host!r} has no address")
        for address in addresses:  # in the resolver's order of preference, as a browser tries them
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise AddressNotAllowed("Unix sockets are not reachable with http_request.")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle takes milliseconds; one context serves every request.
    return httpx.create_ssl_context()


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport over a connection pool that uses `GuardedBackend`.

    `AsyncHTTPTransport.__init__` only builds `self._pool` (with no way to pass a
    network backend), so it is not called; request and response handling are inherited.
    No proxy is used: a proxy would make the connection instead of us, unchecked.
    """

    def __init__(self, allow: HostAllowList, *, backend: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=_ssl_context(),
            network_backend=GuardedBackend(allow, backend),
            max_connections=10,
            http1=True,
            http2=False,
        )
