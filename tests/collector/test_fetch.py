"""Fetching against the local server: conditional GET, caps, timeouts, redirects and the guard."""

from __future__ import annotations

import asyncio
import re
import socket
import ssl
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator

import httpx
import pytest

from collector.errors import BlockedURLError, FetchError
from collector.fetch import USER_AGENT, Fetcher
from sandbox.collector_options import CollectorOptions
from sandbox.feed_server import LocalFeedServer
from tests.collector.conftest import PUBLIC_ADDRESS, LoopbackTransport, fake_resolver
from tests.netguard import NetworkAccessError


async def test_etag_and_last_modified_round_trip_to_a_304(
    server: LocalFeedServer, options: CollectorOptions
) -> None:
    async with Fetcher(options) as fetcher:
        first = await fetcher.get(server.url("/rss2.xml"))
        assert first.status == 200 and b"Harbor Gazette" in first.body
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        second = await fetcher.get(server.url("/rss2.xml"), etag=etag, last_modified=modified)
        assert second.not_modified and second.body == b""
        only_date = await fetcher.get(server.url("/rss2.xml"), last_modified=modified)
        assert only_date.not_modified
    sent = server.requests_for("/rss2.xml")[1].headers
    assert sent["If-None-Match"] == etag and sent["If-Modified-Since"] == modified
    assert sent["User-Agent"] == USER_AGENT.strip() and "gzip" in sent["Accept-Encoding"]


async def test_a_changed_feed_is_sent_again(
    server: LocalFeedServer, options: CollectorOptions
) -> None:
    async with Fetcher(options) as fetcher:
        first = await fetcher.get(server.url("/atom.xml"))
        server.add("/atom.xml", first.body.replace(b"faint comet", b"bright comet"))
        again = await fetcher.get(server.url("/atom.xml"), etag=first.headers["etag"])
    assert again.status == 200 and b"bright comet" in again.body


async def test_gzip_bodies_are_decoded(server: LocalFeedServer, options: CollectorOptions) -> None:
    server.add("/zipped.xml", "<rss>" + "x" * 5000 + "</rss>", gzip=True)
    async with Fetcher(options) as fetcher:
        result = await fetcher.get(server.url("/zipped.xml"))
    assert result.body == b"<rss>" + b"x" * 5000 + b"</rss>"
    assert result.headers["content-encoding"] == "gzip"


async def test_error_statuses_carry_status_and_retry_after(
    server: LocalFeedServer, options: CollectorOptions
) -> None:
    server.fail("/rss2.xml", 503, retry_after=120)
    async with Fetcher(options) as fetcher:
        with pytest.raises(FetchError, match="HTTP 503 Service Unavailable") as caught:
            await fetcher.get(server.url("/rss2.xml"))
        assert caught.value.status == 503 and caught.value.retry_after == 120
        server.clear("/rss2.xml")
        assert (await fetcher.get(server.url("/rss2.xml"))).status == 200
        with pytest.raises(FetchError, match="HTTP 404"):
            await fetcher.get(server.url("/nothing-here.xml"))


async def test_a_slow_server_times_out(server: LocalFeedServer, options: CollectorOptions) -> None:
    server.delay("/atom.xml", 5)
    options.fetch_timeout_seconds = 0.3
    started = time.perf_counter()
    async with Fetcher(options) as fetcher:
        with pytest.raises(FetchError, match=r"did not answer within 0\.3s"):
            await fetcher.get(server.url("/atom.xml"))
    assert time.perf_counter() - started < 3


async def test_connection_refused_is_reported(options: CollectorOptions) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with Fetcher(options) as fetcher:
        with pytest.raises(
            FetchError, match=r"could not connect to 127\.0\.0\.1: Connection refused"
        ):
            await fetcher.get(f"http://127.0.0.1:{port}/feed.xml")


async def test_a_10_mb_body_is_cut_off_at_the_cap(
    server: LocalFeedServer, options: CollectorOptions
) -> None:
    server.oversize("/huge.xml", 10 * 1024 * 1024)
    started = time.perf_counter()
    async with Fetcher(options) as fetcher:
        with pytest.raises(FetchError, match="body is over the 1 MB limit"):
            await fetcher.get(server.url("/huge.xml"))
    assert time.perf_counter() - started < 5


async def test_a_declared_length_over_the_cap_is_refused_before_reading(
    server: LocalFeedServer, options: CollectorOptions
) -> None:
    server.add("/big.xml", b"<rss>" + b" " * (2 * 1024 * 1024) + b"</rss>")
    async with Fetcher(options) as fetcher:
        with pytest.raises(FetchError, match="body of 2 MB is over the 1 MB limit"):
            await fetcher.get(server.url("/big.xml"))


async def test_redirects_are_followed_up_to_a_limit(
    server: LocalFeedServer, options: CollectorOptions
) -> None:
    server.redirect("/old-feed", "/rss2.xml", status=301)
    server.redirect("/loop-a", "/loop-b")
    server.redirect("/loop-b", "/loop-a")
    async with Fetcher(options) as fetcher:
        moved = await fetcher.get(server.url("/old-feed"))
        assert moved.url == server.url("/rss2.xml") and b"Harbor Gazette" in moved.body
        with pytest.raises(FetchError, match="too many redirects"):
            await fetcher.get(server.url("/loop-a"))


async def test_guard_refuses_loopback_directly_and_after_a_redirect(
    server: LocalFeedServer, options: CollectorOptions
) -> None:
    options.allow_private_networks = False
    server.redirect("/sneaky.xml", server.url("/rss2.xml"))  # to http://127.0.0.1:PORT/...
    server.redirect("/moved.xml", "http://other.example/rss2.xml")
    transport = LoopbackTransport(server)
    async with Fetcher(options, resolver=fake_resolver, transport=transport) as fetcher:
        # A public name (resolved by the fake resolver) is fetched...
        assert (await fetcher.get("http://news.example/rss2.xml")).status == 200
        assert (await fetcher.get("http://news.example/moved.xml")).status == 200
        # ...but its redirect to 127.0.0.1 is refused before any connection is made.
        with pytest.raises(BlockedURLError, match=r"refused 127\.0\.0\.1: a loopback address"):
            await fetcher.get("http://news.example/sneaky.xml")
        with pytest.raises(BlockedURLError, match="loopback"):
            await fetcher.get(server.url("/rss2.xml"))
        with pytest.raises(BlockedURLError, match="only http and https"):
            await fetcher.get("file:///etc/passwd")
    assert [r.path for r in server.requests] == [
        "/rss2.xml",
        "/moved.xml",
        "/rss2.xml",
        "/sneaky.xml",
    ]


async def test_a_gzip_bomb_is_stopped_at_the_cap_while_it_inflates(
    server: LocalFeedServer, options: CollectorOptions
) -> None:
    server.gzip_bomb("/bomb.xml", 4 * 1024**3)  # 4 GiB once inflated, about 4 MB on the wire
    server.gzip_bomb("/small-bomb.xml", 512 * 1024)  # the same stream, short enough to read
    async with Fetcher(options) as fetcher:
        small = await fetcher.get(server.url("/small-bomb.xml"))
        assert small.body == b" " * (512 * 1024)  # a real gzip stream, decoded in full
        tracemalloc.start()
        try:
            with pytest.raises(FetchError, match="body is over the 1 MB limit"):
                await fetcher.get(server.url("/bomb.xml"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    # The 1 MB cap, one 64 KB decoding step and the server's own writes. Inflating a whole
    # 64 KB network chunk at once, as httpx does, produced 64 MB before the cap was checked.
    assert peak < 3 * 1024 * 1024, f"peak {peak / 2**20:.1f} MB"


async def test_only_the_content_codings_asked_for_are_accepted(
    server: LocalFeedServer, options: CollectorOptions
) -> None:
    text = b"<rss>" + b"deflated " * 2000 + b"</rss>"
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    raw = packer.compress(text) + packer.flush()
    server.add("/zlib.xml", zlib.compress(text), headers={"Content-Encoding": "deflate"})
    server.add("/raw.xml", raw, headers={"Content-Encoding": "deflate"})
    server.add("/brotli.xml", b"\x1b\x03\x00\xf8", headers={"Content-Encoding": "br"})
    server.add("/twice.xml", b"x", headers={"Content-Encoding": "gzip, gzip"})
    async with Fetcher(options) as fetcher:
        assert (await fetcher.get(server.url("/zlib.xml"))).body == text
        assert (await fetcher.get(server.url("/raw.xml"))).body == text  # raw deflate, as sent
        # Bytes in a coding we never offered to read would be stored as garbage.
        with pytest.raises(FetchError, match=r"encoded as 'br'; only gzip, deflate"):
            await fetcher.get(server.url("/brotli.xml"))
        with pytest.raises(FetchError, match=r"encoded as 'gzip, gzip'"):
            await fetcher.get(server.url("/twice.xml"))


async def test_the_connection_goes_to_the_address_the_guard_checked(
    server: LocalFeedServer, options: CollectorOptions
) -> None:
    """DNS rebinding: a public answer for the check, 127.0.0.1 for the connection after it."""
    options.allow_private_networks = False
    lookups: list[str] = []

    async def rebinding(host: str) -> list[str]:
        lookups.append(host)
        return [PUBLIC_ADDRESS] if len(lookups) == 1 else ["127.0.0.1"]

    port = httpx.URL(server.base_url).port
    async with Fetcher(options, resolver=rebinding) as fetcher:
        # The name is looked up once and the socket opened to the checked public address,
        # which the test network refuses (anyio reports it in a group); the local server
        # behind the second answer never sees a request.
        with pytest.raises(ExceptionGroup) as reached:
            await fetcher.get(f"http://localhost:{port}/rss2.xml")
        assert reached.group_contains(NetworkAccessError, match=re.escape(PUBLIC_ADDRESS))
        assert lookups == ["localhost"]
        # A first answer that is loopback is refused before any connection, as before.
        with pytest.raises(BlockedURLError, match=r"refused localhost \(127\.0\.0\.1\): a loop"):
            await fetcher.get(f"http://localhost:{port}/rss2.xml")
        # So is loopback spelled as 6to4, which used to pass as a public address.
        with pytest.raises(BlockedURLError, match="a loopback address"):
            await fetcher.get(f"http://[2002:7f00:1::1]:{port}/rss2.xml")
    assert server.requests == []


@pytest.fixture
async def tls_names() -> AsyncIterator[tuple[int, list[str]]]:
    """A TLS listener on 127.0.0.1 that records the host name each client asks for (SNI)."""
    names: list[str] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)  # no certificate: every handshake fails
    context.sni_callback = lambda _sock, name, _ctx: names.append(name)  # type: ignore[assignment,misc,return-value]

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    listener = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)
    try:
        yield listener.sockets[0].getsockname()[1], names
    finally:
        listener.close()


async def test_tls_names_the_host_while_connecting_to_the_resolved_address(
    tls_names: tuple[int, list[str]], options: CollectorOptions
) -> None:
    port, names = tls_names

    async def resolve(host: str) -> list[str]:
        return ["127.0.0.1"] if host == "feeds.example" else []

    async with Fetcher(options, resolver=resolve) as fetcher:
        with pytest.raises(FetchError, match=r"could not connect to feeds\.example"):
            await fetcher.get(f"https://feeds.example:{port}/feed.xml")
    # The socket went to the address our resolver gave (no system lookup of feeds.example),
    # and the TLS handshake asked for the host name, so the certificate is checked against it.
    assert names == ["feeds.example"]
