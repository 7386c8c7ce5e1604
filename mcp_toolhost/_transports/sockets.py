"""Listening addresses, shared by Streamable HTTP and the dashboard: parsing, loopback, binding."""

from __future__ import annotations

import ipaddress
import socket

__all__ = ["is_loopback", "listen", "parse_address", "url"]


def is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_address(address: str) -> tuple[str, int]:
    """`[HOST:]PORT` (an IPv6 host in brackets) into a host and a port; the host defaults to 127.0.0.1."""
    host, _, port = address.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or int(port) > 65535:
        raise ValueError(f"{address!r} is not [HOST:]PORT, e.g. 8000 or 127.0.0.1:8000")
    return host, int(port)


def listen(host: str, port: int, backlog: int) -> socket.socket:
    """The non-blocking listening socket for HOST:PORT (port 0 picks a free port); OSError if it cannot bind."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on such sockets, and without it
    # Nagle holds the body uvicorn writes after the head for 40 ms (a delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def url(sock: socket.socket) -> str:
    """`http://HOST:PORT` of a listening socket (an IPv6 host in brackets)."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if sock.family == socket.AF_INET6 else f"http://{host}:{port}"
