"""One article page fetched and extracted on demand (`newsbrief summarize URL`)."""

from __future__ import annotations

import asyncio

import httpx

from collector.addresses import Resolver
from collector.errors import FetchError
from collector.extract import ExtractedPage, extract_page
from collector.fetch import PAGE_ACCEPT, Fetcher, format_bytes
from collector.htmltext import decode_html, is_html
from collector.settings import FetchSettings


async def fetch_page_text(
    url: str,
    settings: FetchSettings,
    *,
    resolver: Resolver | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> ExtractedPage:
    """Fetch a page with the collector's guard, caps and timeouts and extract its main text."""
    async with Fetcher(settings, resolver=resolver, transport=transport) as fetcher:
        page = await fetcher.get(url, accept=PAGE_ACCEPT)
    if not is_html(page.content_type, page.body):
        shown = page.content_type or "unknown"
        raise FetchError(f"{url} is not an HTML page (content type {shown})")
    html = decode_html(page.body, page.headers.get("content-type", ""))
    # Extraction takes milliseconds of CPU: off the event loop, like everything else here.
    extracted = await asyncio.to_thread(extract_page, html, page.url)
    if not extracted.text:
        size = format_bytes(len(page.body))
        raise FetchError(f"no article text found in {url} ({size} of HTML)")
    return extracted
