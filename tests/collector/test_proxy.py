"""Feeds and pages through a real HTTP or SOCKS5 proxy on loopback, with the guard still on.

The proxies (`sandbox/proxies.py`) route `*.example` names to the local feed server, as their
own DNS would; the fetcher's resolver says those names are public. So a fetch goes
fetcher -> guard (our resolver) -> proxy on 127.0.0.1 -> feed server, and each step leaves a
record: the proxy's tunnels and the feed server's requests.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import httpx
import pytest

from bot.settings import SettingsError
from cli.common import load_cli_settings
from collector.errors import BlockedURLError, FetchError
from collector.fetch import PAGE_ACCEPT, Fetcher
from collector.service import Collector
from sandbox.collector_options import CollectorOptions
from sandbox.feed_server import LocalFeedServer
from sandbox.proxies import HttpProxy, SocksProxy
from storage.db import Database
from tests.collector.conftest import PUBLIC_ADDRESS
from tests.collector.helpers import add_feeds, articles

Proxy = HttpProxy | SocksProxy
PRIVATE = {"intranet.example": "10.1.2.3", "router.example": "192.168.1.1"}


@dataclass(slots=True)
class ProxiedOptions(CollectorOptions):
    """Collector settings with the feed proxy (bot.settings.Settings has `feed_proxy` too)."""

    feed_proxy: str | None = None


async def resolver(host: str) -> list[str]:
    """Our side of DNS: `*.example` is public, except the names in PRIVATE."""
    if host in PRIVATE:
        return [PRIVATE[host]]
    if host.endswith(".example"):
        return [PUBLIC_ADDRESS]
    raise OSError(-2, "Name or service not known")


def proxied(proxy: Proxy, *, allow_private: bool = False) -> ProxiedOptions:
    return ProxiedOptions(
        allow_private_networks=allow_private,
        fetch_timeout_seconds=5.0,
        max_body_bytes=1024 * 1024,
        max_concurrency=8,
        max_per_host=4,
        feed_failures_before_pause=3,
        summary_sentences=2,
        feed_proxy=proxy.url,
    )


@pytest.fixture(params=["http", "socks5"])
async def proxy(request: pytest.FixtureRequest, server: LocalFeedServer) -> AsyncIterator[Proxy]:
    """An HTTP proxy or a SOCKS5 server on 127.0.0.1 that serves news.example from `server`."""
    port = httpx.URL(server.base_url).port
    assert port is not None
    routes = {("news.example", 80): ("127.0.0.1", port)}
    made = HttpProxy(routes) if request.param == "http" else SocksProxy(routes)
    async with made:
        yield made


async def test_feeds_are_fetched_through_the_proxy(proxy: Proxy, server: LocalFeedServer) -> None:
    server.add("/pages/story.html", "<html><body><p>Story text.</p></body></html>", "text/html")
    async with Fetcher(proxied(proxy), resolver=resolver) as fetcher:
        feed = await fetcher.get("http://news.example/rss2.xml")
        page = await fetcher.get("http://news.example/pages/story.html", accept=PAGE_ACCEPT)
    assert feed.status == 200 and b"Harbor Gazette" in feed.body
    assert feed.url == "http://news.example/rss2.xml"
    assert b"Story text." in page.body
    # The proxy was asked for the name, not an address: it resolves it (here: by its routes).
    assert set(proxy.targets) == {("news.example", 80)}
    via = {"http": "forward", "socks5": "socks5"}[proxy.scheme]
    assert {t.via for t in proxy.tunnels} == {via}
    sent = proxy.sent()
    assert b"GET /rss2.xml HTTP/1.1" in sent and b"GET /pages/story.html HTTP/1.1" in sent
    assert b"Host: news.example" in sent
    assert [r.path for r in server.requests] == ["/rss2.xml", "/pages/story.html"]
    # The proxy is on 127.0.0.1 and private networks are not allowed: the proxy's own address
    # is not the guard's business.


async def test_a_name_that_resolves_privately_never_reaches_the_proxy(
    proxy: Proxy, server: LocalFeedServer
) -> None:
    port = httpx.URL(server.base_url).port
    assert port is not None
    proxy.route("intranet.example", 80, port)  # the proxy could reach it; it is never asked
    async with Fetcher(proxied(proxy), resolver=resolver) as fetcher:
        with pytest.raises(BlockedURLError, match=r"intranet\.example \(10\.1\.2\.3\): a private"):
            await fetcher.get("http://intranet.example/rss2.xml")
        with pytest.raises(BlockedURLError, match=r"refused 127\.0\.0\.1: a loopback address"):
            await fetcher.get(server.url("/rss2.xml"))
        with pytest.raises(BlockedURLError, match=r"refused 169\.254\.169\.254: a link-local"):
            await fetcher.get("http://169.254.169.254/latest/meta-data/")
        with pytest.raises(BlockedURLError, match="only http and https"):
            await fetcher.get("ftp://news.example/rss2.xml")
    assert proxy.accepted == 0 and proxy.tunnels == []
    assert server.requests == []


async def test_a_redirect_to_a_private_address_is_refused_at_that_hop(
    proxy: Proxy, server: LocalFeedServer
) -> None:
    server.redirect("/to-intranet.xml", "http://router.example/admin")
    server.redirect("/to-loopback.xml", server.url("/rss2.xml"))
    server.redirect("/moved.xml", "/rss2.xml")
    async with Fetcher(proxied(proxy), resolver=resolver) as fetcher:
        moved = await fetcher.get("http://news.example/moved.xml")  # a public hop is followed
        assert moved.url == "http://news.example/rss2.xml" and moved.status == 200
        with pytest.raises(BlockedURLError, match=r"router\.example \(192\.168\.1\.1\)"):
            await fetcher.get("http://news.example/to-intranet.xml")
        with pytest.raises(BlockedURLError, match=r"refused 127\.0\.0\.1: a loopback"):
            await fetcher.get("http://news.example/to-loopback.xml")
    # Only the public hops went through the proxy; the refused ones were never asked for.
    assert set(proxy.targets) == {("news.example", 80)}
    assert b"router.example" not in proxy.sent() and b"127.0.0.1" not in proxy.sent()
    assert [r.path for r in server.requests] == [
        "/moved.xml",
        "/rss2.xml",
        "/to-intranet.xml",
        "/to-loopback.xml",
    ]


async def test_with_private_networks_allowed_loopback_goes_through_the_proxy(
    proxy: Proxy, server: LocalFeedServer
) -> None:
    async with Fetcher(proxied(proxy, allow_private=True), resolver=resolver) as fetcher:
        result = await fetcher.get(server.url("/atom.xml"))
    assert result.status == 200 and b"comet" in result.body
    port = httpx.URL(server.base_url).port
    assert proxy.targets == [("127.0.0.1", port)]


async def test_a_collection_pass_fetches_feeds_and_pages_through_the_proxy(
    db: Database,
    server: LocalFeedServer,
    process_pool: ProcessPoolExecutor,
) -> None:
    await add_feeds(db, "local", [server.url("rss2.xml")])
    async with SocksProxy() as socks:
        settings = proxied(socks, allow_private=True)  # the fixture feeds link to 127.0.0.1
        async with Collector(db, settings, executor=process_pool) as collector:  # type: ignore[arg-type]
            report = await collector.collect_all()
    assert [(r.status, r.new) for r in report.results] == [("ok", 3)]
    assert len(await articles(db)) == 3
    # Every request the feed server answered (the feed and each page) came through the proxy.
    paths = [r.path for r in server.requests]
    assert "/rss2.xml" in paths and "/pages/bridge.html" in paths
    sent = socks.sent()
    for path in paths:
        assert f"GET {path}".encode() in sent, path
    assert socks.tunnels and all(t.via == "socks5" and t.connected for t in socks.tunnels)


async def test_https_goes_through_an_http_proxy_as_a_connect_tunnel() -> None:
    """The proxy is asked to CONNECT to the name; TLS then runs end to end inside the tunnel."""
    names: list[str] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)  # no certificate: every handshake fails
    context.sni_callback = lambda _sock, name, _ctx: names.append(name)  # type: ignore[assignment,misc,return-value]

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    listener = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)
    port = listener.sockets[0].getsockname()[1]
    try:
        http_proxy = HttpProxy({("secure.example", 443): ("127.0.0.1", port)})
        async with http_proxy, Fetcher(proxied(http_proxy), resolver=resolver) as fetcher:
            with pytest.raises(FetchError, match=r"through the feed proxy http://127\.0\."):
                await fetcher.get("https://secure.example/feed.xml")
    finally:
        listener.close()
    assert [(t.via, t.host, t.port) for t in http_proxy.tunnels] == [
        ("connect", "secure.example", 443)
    ]
    assert names == ["secure.example"]  # the certificate is checked against the feed's host


async def test_proxy_failures_are_readable_and_never_show_the_password(
    server: LocalFeedServer,
) -> None:
    port = httpx.URL(server.base_url).port
    assert port is not None
    closed = await _closed_port()
    routes = {
        ("news.example", 80): ("127.0.0.1", port),
        ("gone.example", 80): ("127.0.0.1", closed),
    }
    async with SocksProxy(routes, username="reader", password="s3cret-pw") as socks:
        # With the right credentials the feed comes through.
        async with Fetcher(proxied(socks), resolver=resolver) as fetcher:
            assert (await fetcher.get("http://news.example/rss2.xml")).status == 200
            # The proxy cannot reach the host: it says so, and so do we.
            with pytest.raises(FetchError) as unreachable:
                await fetcher.get("http://gone.example/rss2.xml")
        assert str(unreachable.value) == (
            f"could not reach gone.example (through the feed proxy socks5://127.0.0.1:"
            f"{socks.port}): Proxy Server could not connect: Connection refused."
        )
        wrong = ProxiedOptions(feed_proxy=f"socks5://reader:wrong-pw@127.0.0.1:{socks.port}")
        async with Fetcher(wrong, resolver=resolver) as fetcher:
            with pytest.raises(FetchError, match="through the feed proxy") as refused:
                await fetcher.get("http://news.example/rss2.xml")
        assert "wrong-pw" not in str(refused.value)
    # An HTTP proxy that wants other credentials answers a forwarded request itself.
    async with HttpProxy(routes, username="reader", password="s3cret-pw") as http_proxy:
        wrong = ProxiedOptions(feed_proxy=f"http://reader:wrong-pw@127.0.0.1:{http_proxy.port}")
        async with Fetcher(wrong, resolver=resolver) as fetcher:
            with pytest.raises(FetchError) as unauthorised:
                await fetcher.get("http://news.example/rss2.xml")
        assert str(unauthorised.value) == (
            "HTTP 407 Proxy Authentication Required (through the feed proxy http://127.0.0.1:"
            f"{http_proxy.port}): check the credentials in NEWSBRIEF_FEED_PROXY"
        )
        assert http_proxy.tunnels == []  # refused before it connected anywhere
        async with Fetcher(proxied(http_proxy), resolver=resolver) as fetcher:
            assert (await fetcher.get("http://news.example/rss2.xml")).status == 200
    # A proxy that is not there at all.
    down = ProxiedOptions(feed_proxy=f"http://user:s3cret-pw@127.0.0.1:{closed}")
    async with Fetcher(down, resolver=resolver) as fetcher:
        with pytest.raises(FetchError) as no_proxy:
            await fetcher.get("http://news.example/rss2.xml")
    assert str(no_proxy.value) == (
        f"could not connect to news.example (through the feed proxy http://127.0.0.1:{closed}):"
        " Connection refused"
    )
    assert [r.path for r in server.requests] == ["/rss2.xml", "/rss2.xml"]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("socks4://127.0.0.1:1080", r"must be a http://, https://, socks5://, socks5h:// URL"),
        ("ftp://user:hunter2@proxy:21", r"got scheme 'ftp'"),
        ("proxy.lan:3128", r"NEWSBRIEF_FEED_PROXY"),
    ],
)
def test_an_unusable_feed_proxy_is_refused_by_name(setting: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as refused:
        Fetcher(ProxiedOptions(feed_proxy=setting))
    assert "hunter2" not in str(refused.value)


async def _closed_port() -> int:
    """A loopback port nothing listens on (it was free a moment ago)."""
    listener = await asyncio.start_server(lambda _r, _w: None, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    listener.close()
    await listener.wait_closed()
    return int(port)


def test_an_unusable_feed_proxy_is_refused_at_start_without_its_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWSBRIEF_FEED_PROXY", "ftp://reader:s3cret@proxy.example:21")
    with pytest.raises(SettingsError) as refused:
        load_cli_settings()
    message = str(refused.value)
    assert "NEWSBRIEF_FEED_PROXY" in message and "ftp" in message
    assert "s3cret" not in message
