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


def resolver_for(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    async def resolve(host: str) -> list[str]:
        return table[host]

    return resolve


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
