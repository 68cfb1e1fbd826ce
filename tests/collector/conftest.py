"""Fixtures for the collector: the local feed server, a shared worker pool, collector settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx
import pytest

from collector.service import make_process_pool
from sandbox.collector_options import CollectorOptions
from sandbox.feed_server import LocalFeedServer

FIXTURES = Path(__file__).with_name("fixtures")
PUBLIC_ADDRESS = "93.184.216.34"


@pytest.fixture(scope="session")
def process_pool() -> Iterator[ProcessPoolExecutor]:
    """One worker process per test worker, shared by every collector in the session."""
    pool = make_process_pool(1)
    yield pool
    pool.shutdown(cancel_futures=True)


@pytest.fixture
async def server() -> AsyncIterator[LocalFeedServer]:
    """The local feed server with every fixture file under /."""
    async with LocalFeedServer() as feed_server:
        feed_server.add_directory(FIXTURES)
        yield feed_server


@pytest.fixture
def options() -> CollectorOptions:
    """Settings for tests: loopback allowed, short timeouts, a 1 MB cap."""
    return CollectorOptions(
        allow_private_networks=True,
        fetch_timeout_seconds=5.0,
        max_body_bytes=1024 * 1024,
        max_concurrency=8,
        max_per_host=4,
        feed_check_interval_seconds=900,
        feed_failures_before_pause=3,
        summary_sentences=2,
    )


async def fake_resolver(host: str) -> list[str]:
    """Names ending in .example resolve to a public address; nothing else resolves."""
    if host.endswith(".example"):
        return [PUBLIC_ADDRESS]
    raise OSError(-2, "Name or service not known")


class LoopbackTransport(httpx.AsyncBaseTransport):
    """Delivers every request to the local server whatever its host, as /etc/hosts would.

    With `fake_resolver` this stands in for the internet: `http://news.example/` passes the
    guard as a public site and is served by the local server.
    """

    def __init__(self, server: LocalFeedServer) -> None:
        self._port = httpx.URL(server.base_url).port
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Rewrite the connection target, keep the Host header."""
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self._port)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the inner transport."""
        await self._inner.aclose()


def fixture_text(name: str, base_url: str) -> bytes:
    """A fixture file as the server sends it."""
    return (FIXTURES / name).read_bytes().replace(b"{base_url}", base_url.encode())
