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


async def system_resolver(host: str) -> list[str]:
    """Every address the operating system's resolver gives for `host`."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def address_kind(address: str) -> str | None:
    """Why an IP address must not be fetched ("loopback", "private", ...), or None if public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 reaches 127.0.0.1
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


def _ip_literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]").split("%", 1)[0]))
    except ValueError:
        return None


async def check_url(url: httpx.URL, *, allow_private: bool, resolver: Resolver) -> None:
    """Raise BlockedURLError unless `url` is http(s) and its host resolves only to public IPs."""
    if url.scheme not in ALLOWED_SCHEMES:
        raise BlockedURLError(f"refused {url}: only http and https URLs are fetched")
    host = url.host
    if not host:
        raise BlockedURLError(f"refused {url}: the URL has no host")
    if allow_private:
        return
    literal = _ip_literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            addresses = await resolver(host)
        except OSError as exc:
            raise FetchError(f"could not resolve host {host}: {exc.strerror or exc}") from None
        if not addresses:
            raise FetchError(f"could not resolve host {host}: no addresses")
    for address in addresses:
        kind = address_kind(address)
        if kind is not None:
            shown = host if literal is not None else f"{host} ({address})"
            raise BlockedURLError(f"refused {shown}: a {kind} address; {_ALLOW_HINT}")
