"""The SSRF guard refuses private, loopback and other non-public hosts, checked after DNS."""

from __future__ import annotations

import httpx
import pytest

from collector.addresses import address_kind, check_url
from collector.errors import BlockedURLError, FetchError


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata endpoints live here
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "private"),
        ("100.64.0.1", "non-public"),  # carrier-grade NAT
        ("::ffff:127.0.0.1", "loopback"),
        ("fd00::1", "private"),
        ("93.184.216.34", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_address_kinds(address: str, kind: str | None) -> None:
    assert address_kind(address) == kind


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        # 6to4 (2002::/16): the IPv4 address is bits 16-47.
        ("2002:7f00:1::1", "loopback"),  # 127.0.0.1
        ("2002:a00:5::", "private"),  # 10.0.0.5
        ("2002:a9fe:a9fe::1", "link-local"),  # 169.254.169.254, cloud metadata
        ("2002:5db8:d822::1", None),  # 93.184.216.34
        # NAT64, well-known prefix 64:ff9b::/96: the last 32 bits.
        ("64:ff9b::7f00:1", "loopback"),
        ("64:ff9b::10.0.0.1", "private"),
        ("64:ff9b::a9fe:a9fe", "link-local"),
        ("64:ff9b::5db8:d822", None),
        # NAT64, local-use prefix 64:ff9b:1::/48: every RFC 6052 layout the address fits.
        ("64:ff9b:1::7f00:1", "loopback"),  # /96
        ("64:ff9b:1:7f00:0:100::", "loopback"),  # /48: 127.0 before the u octet, 0.1 after
        ("64:ff9b:1::5db8:d822", None),
        # Teredo (2001::/32): the client address is stored XOR-obscured in the last 32 bits.
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback"),  # client 127.0.0.1
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "private"),  # client 10.0.0.1
        ("2001:0:4136:e378:8000:63bf:a247:27dd", None),  # client 93.184.216.34
        # IPv4-mapped, -compatible and -translated spellings.
        ("::ffff:7f00:1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("::127.0.0.1", "loopback"),
        ("::a00:1", "private"),
        ("::ffff:0:7f00:1", "loopback"),
        ("::ffff:0:5db8:d822", None),
        # IPv6's own addresses keep their own meaning.
        ("::", "unspecified"),
        ("::1", "loopback"),
        ("2001:db8::1", "private"),  # documentation
    ],
)
def test_ipv6_spellings_of_ipv4_addresses_are_judged_by_the_ipv4_address(
    address: str, kind: str | None
) -> None:
    assert address_kind(address) == kind


def resolver_for(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    async def resolve(host: str) -> list[str]:
        return table[host]

    return resolve


async def test_a_6to4_literal_for_loopback_is_refused() -> None:
    url = httpx.URL("http://[2002:7f00:1::1]:8080/feed")
    with pytest.raises(BlockedURLError, match=r"refused 2002:7f00:1::1: a loopback address"):
        await check_url(url, allow_private=False, resolver=resolver_for({}))


async def test_public_names_pass_and_private_ones_are_refused_after_resolution() -> None:
    resolve = resolver_for(
        {
            "news.example": ["93.184.216.34"],
            "intranet.example": ["10.0.0.5"],
            "mixed.example": ["93.184.216.34", "127.0.0.1"],
        }
    )
    await check_url(httpx.URL("https://news.example/feed"), allow_private=False, resolver=resolve)
    with pytest.raises(BlockedURLError, match=r"intranet.example \(10.0.0.5\): a private address"):
        await check_url(
            httpx.URL("http://intranet.example/"), allow_private=False, resolver=resolve
        )
    # One bad address among several is enough: the connection could go to any of them.
    with pytest.raises(BlockedURLError, match="loopback"):
        await check_url(httpx.URL("http://mixed.example/"), allow_private=False, resolver=resolve)


async def test_ip_literals_schemes_and_the_operator_switch() -> None:
    resolve = resolver_for({})
    with pytest.raises(BlockedURLError, match="NEWSBRIEF_ALLOW_PRIVATE_NETWORKS"):
        await check_url(httpx.URL("http://127.0.0.1:8080/"), allow_private=False, resolver=resolve)
    with pytest.raises(BlockedURLError, match="loopback"):
        await check_url(httpx.URL("http://[::1]/"), allow_private=False, resolver=resolve)
    for url in ("file:///etc/passwd", "ftp://example.com/feed", "gopher://x/"):
        with pytest.raises(BlockedURLError, match="only http and https"):
            await check_url(httpx.URL(url), allow_private=True, resolver=resolve)
    await check_url(httpx.URL("http://127.0.0.1:8080/"), allow_private=True, resolver=resolve)


async def test_a_name_that_does_not_resolve_is_a_readable_error() -> None:
    async def failing(host: str) -> list[str]:
        raise OSError(-2, "Name or service not known")

    with pytest.raises(FetchError, match=r"could not resolve host nowhere\.example"):
        await check_url(httpx.URL("http://nowhere.example/"), allow_private=False, resolver=failing)
