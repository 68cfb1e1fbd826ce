"""`fetch_page_text`: one page with the collector's guard, caps and timeouts."""

from __future__ import annotations

import pytest

from collector.errors import BlockedURLError, FetchError
from collector.pages import fetch_page_text
from sandbox.collector_options import CollectorOptions
from sandbox.feed_server import LocalFeedServer


async def test_a_page_is_fetched_and_its_article_extracted(
    server: LocalFeedServer, options: CollectorOptions
) -> None:
    page = await fetch_page_text(server.url("/pages/ferry.html"), options)
    assert page.title == "Ferry timetable changes for the winter"
    assert page.text.startswith("The island ferry will run five crossings a day")
    assert "Subscribe to our newsletter" not in page.text
    assert page.site_name == "Port Alder News"


async def test_pages_that_cannot_be_summarised_get_a_readable_error(
    server: LocalFeedServer, options: CollectorOptions
) -> None:
    server.add("/empty.html", "<html><body><script>let a = 1;</script></body></html>", "text/html")
    with pytest.raises(FetchError, match="is not an HTML page"):
        await fetch_page_text(server.url("/rss2.xml"), options)
    with pytest.raises(FetchError, match="HTTP 404"):
        await fetch_page_text(server.url("/pages/nope.html"), options)
    with pytest.raises(FetchError, match="no article text found"):
        await fetch_page_text(server.url("/empty.html"), options)
    options.allow_private_networks = False
    with pytest.raises(BlockedURLError, match="loopback"):
        await fetch_page_text(server.url("/pages/ferry.html"), options)
