"""Feed autodiscovery: the feeds a web page names, and the usual places a site keeps one.

Pure functions on a fetched page (no network): the collector fetches what they propose through
its own fetcher, with the same guard and caps as every other request.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

# The types a <link rel="alternate"> names a feed with (RSS 1.0 is RDF).
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/rdf+xml",
    }
)
# Where sites usually keep their feed, tried at the page's origin when the page names none
# that works (WordPress /feed, Hugo /index.xml, Jekyll /feed.xml...).
COMMON_PATHS = ("/feed", "/rss", "/rss.xml", "/atom.xml", "/feed.xml", "/index.xml")
MAX_CANDIDATES = 10  # every candidate costs a fetch
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_SNIFF_BYTES = 1024


def looks_like_html(body: bytes, content_type: str) -> bool:
    """Whether a fetched body is a web page (by its type, else by how it starts)."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media in _HTML_TYPES:
        return True
    if media and not media.startswith("text/") and "xml" not in media:
        return False
    head = body[:_SNIFF_BYTES].lstrip().lower()
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return head.startswith((b"<!doctype html", b"<html")) or b"<head" in head


def linked_feeds(body: bytes, page_url: str) -> list[str]:
    """The feeds a page names in <link rel="alternate" type="…rss/atom/feed+json…">, absolute,
    in the page's order (its main feed usually first), without repeats."""
    try:
        document = lxml.html.document_fromstring(body)
    except (etree.ParserError, ValueError):  # empty or undecodable: it names nothing
        return []
    base = page_url
    for element in document.iter("base"):
        href = (element.get("href") or "").strip()
        if href:
            base = urljoin(page_url, href)
        break
    found: list[str] = []
    for element in document.iter("link"):
        rel = (element.get("rel") or "").lower().split()
        kind = (element.get("type") or "").split(";", 1)[0].strip().lower()
        href = (element.get("href") or "").strip()
        if not href or kind not in FEED_TYPES or not ({"alternate", "feed"} & set(rel)):
            continue
        url = _http_url(urljoin(base, href))
        if url and url not in found:
            found.append(url)
    return found


def feed_candidates(body: bytes, page_url: str, limit: int = MAX_CANDIDATES) -> list[str]:
    """Where to look for the feed of a page: the feeds it links to, then the common paths at
    its origin; never the page itself, at most `limit`."""
    origin = urlsplit(page_url)
    common = [urlunsplit((origin.scheme, origin.netloc, path, "", "")) for path in COMMON_PATHS]
    candidates: list[str] = []
    for url in [*linked_feeds(body, page_url), *common]:
        if url not in candidates and url != page_url:
            candidates.append(url)
    return candidates[:limit]


def _http_url(url: str) -> str | None:
    """`url` without its fragment if it is http(s), else None (javascript:, data:, ftp:...)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return urlunsplit(parts._replace(fragment=""))
