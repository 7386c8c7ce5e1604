"""Which network addresses `http_request` may reach: public ones, and what `--allow-host` names.

Server-side request forgery is the risk: a model asked to "fetch this URL" must not
reach the machine's own services, the local network or a cloud metadata endpoint
(169.254.169.254). Hostnames are never judged by their spelling: every address a name
resolves to is checked, and the connection is then made to one of those very
addresses (see `_pinned.py`), so a second DNS answer cannot swap in another one. The
C library's resolver also decodes every spelling of an IPv4 literal (`127.1`,
`0x7f000001`, `2130706433`, `0177.0.0.1`), so they all arrive here as `127.0.0.1`.

IPv6 addresses that embed an IPv4 one (`::ffff:127.0.0.1`, 6to4, Teredo, NAT64) are
judged by the address they embed.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from ..errors import SettingError, ToolError

__all__ = ["AddressNotAllowed", "HostAllowList", "address_problem", "parse_ip"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Checked in this order, so an address gets its most telling name.
_CATEGORIES = (
    ("an unspecified address", "is_unspecified"),
    ("a loopback address", "is_loopback"),
    ("a link-local address", "is_link_local"),
    ("a multicast address", "is_multicast"),
    ("a reserved address", "is_reserved"),
    ("a private address", "is_private"),
)


class AddressNotAllowed(ToolError):
    """A URL's host is, or resolves to, an address that may not be reached."""


def parse_ip(text: str) -> IPAddress | None:
    """`text` as an IP address (an IPv6 zone such as `%eth0` dropped), or None if it is not one."""
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]  # the client's address (stored inverted; ipaddress undoes that)
    if ip in _NAT64:
        return ipaddress.IPv4Address(ip.packed[-4:])
    return None


def address_problem(ip: IPAddress) -> str | None:
    """Why `ip` may not be reached (e.g. "a loopback address"), or None if it is public."""
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        problem = address_problem(embedded)
        return None if problem is None else f"{problem} (it embeds {embedded})"
    for description, attribute in _CATEGORIES:
        if getattr(ip, attribute):
            return description
    if not ip.is_global:  # e.g. 100.64.0.0/10, shared by carrier-grade NAT
        return "not a public address"
    return None


@dataclass(frozen=True, slots=True)
class HostAllowList:
    """`--allow-host HOST[:PORT]` entries: hosts reachable even though local or private.

    A name entry matches the URL's host name; an IP entry matches the resolved address, so
    `127.0.0.1:8000` also admits `http://localhost:8000/`. No port means any port.
    """

    names: frozenset[tuple[str, int | None]] = field(default_factory=frozenset)
    ips: frozenset[tuple[IPAddress, int | None]] = field(default_factory=frozenset)

    @classmethod
    def parse(cls, entries: tuple[str, ...]) -> HostAllowList:
        names: set[tuple[str, int | None]] = set()
        ips: set[tuple[IPAddress, int | None]] = set()
        for entry in entries:
            host, port = _split_host_port(entry)
            ip = parse_ip(host)
            if ip is not None:
                ips.add((_unmapped(ip), port))
            else:
                names.add((_normal_name(host), port))
        return cls(frozenset(names), frozenset(ips))

    def allows_name(self, host: str, port: int) -> bool:
        name = _normal_name(host)
        return (name, port) in self.names or (name, None) in self.names

    def allows_ip(self, ip: IPAddress, port: int) -> bool:
        ip = _unmapped(ip)
        return (ip, port) in self.ips or (ip, None) in self.ips

    def __bool__(self) -> bool:
        return bool(self.names or self.ips)


def _unmapped(ip: IPAddress) -> IPAddress:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _normal_name(host: str) -> str:
    return host.lower().rstrip(".")


def _split_host_port(entry: str) -> tuple[str, int | None]:
    entry = entry.strip()
    if entry.startswith("["):  # [v6] or [v6]:port
        host, bracket, rest = entry[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise SettingError(
                f"Invalid allowed host {entry!r}: use HOST, HOST:PORT or [IPv6]:PORT (--allow-host)", "allow_hosts"
            )
        port_text = rest[1:] if rest else None
    elif entry.count(":") == 1:
        host, port_text = entry.split(":")
    else:  # a name, an IPv4 address, or a bare IPv6 address
        host, port_text = entry, None
    if not host:
        raise SettingError(f"Invalid allowed host {entry!r}: the host is empty (--allow-host)", "allow_hosts")
    if port_text is None:
        return host, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SettingError(f"Invalid allowed host {entry!r}: the port must be 1-65535 (--allow-host)", "allow_hosts")
    return host, int(port_text)
