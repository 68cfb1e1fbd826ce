"""The SSRF guard: only http(s) URLs whose host resolves to public addresses are fetched."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable

import httpx

from collector.errors import BlockedURLError, FetchError

Resolver = Callable[[str], Awaitable[list[str]]]
"""Resolves a host name to its IP addresses (injectable so tests need no DNS)."""

ALLOWED_SCHEMES = frozenset({"http", "https"})
_ALLOW_HINT = "set NEWSBRIEF_ALLOW_PRIVATE_NETWORKS=true to allow it"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 prefixes whose addresses carry an IPv4 address that the packets finally reach (through a
# relay or a translator), so the IPv4 address decides: 2002:7f00:1:: is 127.0.0.1 over 6to4.
# (6to4, 2002::/16, and Teredo, 2001::/32, are read by ipaddress itself.)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052 well-known prefix
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215 local-use prefix
_IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # SIIT, RFC 2765
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d
# Where RFC 6052 puts the IPv4 address for each NAT64 prefix length: (bit ranges, suffix start).
# Bits 64-71 are always skipped (the "u" octet); bits after the address must be zero.
_NAT64_LAYOUTS: tuple[tuple[tuple[tuple[int, int], ...], int], ...] = (
    (((48, 64), (72, 88)), 88),
    (((56, 64), (72, 96)), 96),
    (((72, 104),), 104),
    (((96, 128),), 128),
)


async def system_resolver(host: str) -> list[str]:
    """Every address the operating system's resolver gives for `host`, in its preferred order."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    # getaddrinfo sorts by RFC 6724 preference; connections are tried in this order.
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (mapped, 6to4, Teredo, NAT64...), if any."""
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        # The client address is stored XOR-obscured (ipaddress undoes that); the Teredo server
        # is checked too, to be safe.
        server, client = ip.teredo
        return [client, server]
    value = int(ip)
    if ip in _NAT64 or ip in _IPV4_TRANSLATED:
        return [ipaddress.IPv4Address(value & 0xFFFFFFFF)]
    if ip in _NAT64_LOCAL:
        # The operator picks the prefix length, so every layout the address fits (its bits
        # after the IPv4 part are zero) is a possible reading, and each must be public.
        fits = [r for r, suffix in _NAT64_LAYOUTS if value & ((1 << (128 - suffix)) - 1) == 0]
        return [_nat64_reading(value, ranges) for ranges in fits]
    if ip in _IPV4_COMPATIBLE and value > 1:  # :: and ::1 are IPv6's own
        return [ipaddress.IPv4Address(value)]
    return []


def _nat64_reading(value: int, ranges: tuple[tuple[int, int], ...]) -> ipaddress.IPv4Address:
    bits = 0
    for start, end in ranges:  # bit 0 is the most significant bit of the address
        width = end - start
        bits = (bits << width) | ((value >> (128 - end)) & ((1 << width) - 1))
    return ipaddress.IPv4Address(bits)


def address_kind(address: str) -> str | None:
    """Why an IP address must not be fetched ("loopback", "private", ...), or None if public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        carried = embedded_ipv4(ip)
        if carried:
            # Packets to these end at the IPv4 address inside, whatever the IPv6 prefix says.
            return next((kind for v4 in carried if (kind := _kind(v4)) is not None), None)
    return _kind(ip)


def _kind(ip: IPAddress) -> str | None:
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        # Shared (carrier-grade NAT) and other special ranges are neither private nor global.
        ("non-public", not ip.is_global),
    )
    return next((kind for kind, hit in checks if hit), None)


def ip_literal(host: str) -> str | None:
    """The normalised address when `host` is an IP literal ("[::1]", "127.0.0.1"), else None."""
    try:
        return str(ipaddress.ip_address(host.strip("[]").split("%", 1)[0]))
    except ValueError:
        return None


async def checked_addresses(host: str, *, allow_private: bool, resolver: Resolver) -> list[str]:
    """The addresses `host` resolves to, each checked; BlockedURLError if any is not public.

    This is the one lookup a connection makes: the caller connects to what it returns, so a
    DNS answer that changes between the check and the connection (rebinding) cannot slip past.
    """
    literal = ip_literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            addresses = list(dict.fromkeys(await resolver(host)))
        except OSError as exc:
            raise FetchError(f"could not resolve host {host}: {exc.strerror or exc}") from None
        if not addresses:
            raise FetchError(f"could not resolve host {host}: no addresses")
    if not allow_private:
        for address in addresses:
            kind = address_kind(address)
            if kind is not None:
                shown = host if literal is not None else f"{host} ({address})"
                raise BlockedURLError(f"refused {shown}: a {kind} address; {_ALLOW_HINT}")
    return addresses


async def check_url(
    url: httpx.URL, *, allow_private: bool, resolver: Resolver | None = None
) -> None:
    """Raise BlockedURLError unless `url` is http(s) and its host is public.

    With a resolver the host name is resolved and checked here; without one only IP literals
    are, and the name is checked where the connection is made (`collector.transport`).
    """
    if url.scheme not in ALLOWED_SCHEMES:
        raise BlockedURLError(f"refused {url}: only http and https URLs are fetched")
    host = url.host
    if not host:
        raise BlockedURLError(f"refused {url}: the URL has no host")
    if allow_private or (resolver is None and ip_literal(host) is None):
        return
    await checked_addresses(host, allow_private=False, resolver=resolver or system_resolver)
