"""Fetching against the local server: conditional GET, caps, timeouts, redirects and the guard."""

from __future__ import annotations

import socket
import time

import pytest

from collector.errors import BlockedURLError, FetchError
from collector.fetch import USER_AGENT, Fetcher
from sandbox.collector_options import CollectorOptions
from sandbox.feed_server import LocalFeedServer
from tests.collector.conftest import LoopbackTransport, fake_resolver


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
