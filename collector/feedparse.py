"""Feed documents (RSS 0.9x/1.0/2.0, Atom, JSON Feed) to plain items, never fetching anything."""

from __future__ import annotations

import calendar
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser

from collector.errors import FeedParseError
from collector.htmltext import html_to_text, plain_line, plain_text

MAX_ITEMS = 200  # a hostile feed with 100,000 entries costs no more than this per check
_MAX_GUID = 2048
_FUTURE_SLACK = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of a feed, reduced to what the collector uses."""

    guid: str
    link: str | None
    title: str
    published: datetime | None = None
    author: str | None = None
    text: str = ""  # the entry's content or summary, HTML stripped
    image_url: str | None = None
    language: str | None = None  # as declared (the entry's xml:lang, else the feed's), a hint


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed: its title and site, the TTL it asks for, its items and any parse warning."""

    title: str | None
    site_url: str | None
    ttl_seconds: int | None
    items: list[FeedItem] = field(default_factory=list)
    warning: str | None = None  # a malformed document that still yielded items


def parse_feed(body: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed:
    """Parse a feed body; raise FeedParseError when it is not a usable feed."""
    content_type = headers.get("content-type", "").lower()
    stripped = body.lstrip()
    if "json" in content_type or stripped.startswith(b"{"):
        return _parse_json_feed(body)
    # Bytes (never a string, which feedparser would treat as a URL to fetch) and the headers,
    # so the declared charset and base URL are used.
    document = feedparser.parse(
        body, response_headers={**headers, "content-location": url}, sanitize_html=True
    )
    problem = _bozo_reason(document)
    if not document.entries:
        if problem:
            raise FeedParseError(f"not a usable feed: {problem}")
        if not document.get("version"):
            raise FeedParseError("not a feed: no RSS, Atom or JSON Feed document found")
    info = document.feed
    declared = _string(info.get("language"))
    items = _unique(
        [_item_from_entry(entry, declared) for entry in document.entries[:MAX_ITEMS]]
    )
    return ParsedFeed(
        title=_text_construct(info, "title"),
        site_url=info.get("link") or None,
        ttl_seconds=_ttl(info.get("ttl")),
        items=items,
        warning=f"malformed feed used anyway: {problem}" if problem else None,
    )


def _bozo_reason(document: Any) -> str | None:
    if not document.get("bozo"):
        return None
    exception = document.get("bozo_exception")
    if isinstance(exception, feedparser.NonXMLContentType):
        return None  # a feed mislabelled text/html or text/plain is common and harmless
    text = str(exception).strip() if exception is not None else ""
    return text or (type(exception).__name__ if exception is not None else "malformed document")


def _item_from_entry(entry: Any, feed_language: str | None = None) -> FeedItem:
    link = entry.get("link") or None
    title = _text_construct(entry, "title") or ""
    bodies = [c for c in entry.get("content", []) if c.get("value")]
    summary = entry.get("summary_detail") or {"value": entry.get("summary", "")}
    texts = [_body_text(body) for body in [*bodies, summary]]
    text = max(texts, key=len, default="")
    guid = entry.get("id") or link or _digest(f"{title}\n{text}")
    published = _time(entry.get("published_parsed") or entry.get("updated_parsed"))
    return FeedItem(
        guid=_fit_guid(str(guid)),
        link=link,
        title=title or _first_words(text),
        published=published,
        author=_clean(entry.get("author")),
        text=text,
        image_url=_entry_image(entry),
        language=_declared_language(entry) or feed_language,
    )


def _declared_language(entry: Any) -> str | None:
    """The entry's own xml:lang (feedparser puts it on its text constructs), if any."""
    for key in ("title_detail", "summary_detail"):
        detail = entry.get(key) or {}
        if detail.get("language"):
            return str(detail["language"])
    return None


def _entry_image(entry: Any) -> str | None:
    for media in entry.get("media_thumbnail", []) + entry.get("media_content", []):
        if media.get("url"):
            return str(media["url"])
    for enclosure in entry.get("enclosures", []):
        if str(enclosure.get("type", "")).startswith("image/") and enclosure.get("href"):
            return str(enclosure["href"])
    return None


def _parse_json_feed(body: bytes) -> ParsedFeed:
    # feedparser 6.0 reads only XML feeds, so JSON Feed (jsonfeed.org 1.0/1.1) is read here.
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise FeedParseError(f"not a usable feed: invalid JSON ({exc})") from None
    if not isinstance(document, dict) or "jsonfeed.org" not in str(document.get("version", "")):
        raise FeedParseError("not a feed: JSON without a jsonfeed.org version")
    raw_items = document.get("items")
    if not isinstance(raw_items, list):
        raise FeedParseError("not a usable feed: JSON Feed without an items list")
    declared = _string(document.get("language"))  # JSON Feed 1.1
    items = [
        _item_from_json(i, declared) for i in raw_items[:MAX_ITEMS] if isinstance(i, dict)
    ]
    return ParsedFeed(
        title=_plain(document.get("title")),
        site_url=_string(document.get("home_page_url")),
        ttl_seconds=None,
        items=_unique([i for i in items if i is not None]),
    )


def _item_from_json(item: dict[str, Any], feed_language: str | None = None) -> FeedItem | None:
    link = _string(item.get("url")) or _string(item.get("external_url"))
    html = _string(item.get("content_html"))
    text = html_to_text(html) if html else plain_text(_string(item.get("content_text")) or "")
    if not text:
        text = plain_text(_string(item.get("summary")) or "")
    title = _plain(item.get("title")) or _first_words(text)  # JSON Feed titles are plain text
    guid = _string(item.get("id")) or link
    if not guid and not title:
        return None
    authors = item.get("authors") or [item.get("author")]  # "author" is JSON Feed 1.0
    names = [a.get("name") for a in authors if isinstance(a, dict) and a.get("name")]
    return FeedItem(
        guid=_fit_guid(guid or _digest(f"{title}\n{text}")),
        link=link,
        title=title,
        published=_iso_time(item.get("date_published") or item.get("date_modified")),
        author=_plain(", ".join(str(n) for n in names)),
        text=text,
        image_url=_string(item.get("image")) or _string(item.get("banner_image")),
        language=_string(item.get("language")) or feed_language,
    )


def _unique(items: list[FeedItem]) -> list[FeedItem]:
    """Drop repeated GUIDs within one document (the first occurrence wins)."""
    seen: set[str] = set()
    unique = []
    for item in items:
        if item.guid not in seen:
            seen.add(item.guid)
            unique.append(item)
    return unique


def _time(parsed: Any) -> datetime | None:
    if not parsed:
        return None
    try:
        when = datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, TypeError):
        return None
    return _plausible(when)


def _iso_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return _plausible(when.astimezone(UTC))


def _plausible(when: datetime) -> datetime | None:
    # A date far in the future would pin an item to the top of every briefing.
    return None if when > datetime.now(UTC) + _FUTURE_SLACK else when


def _ttl(value: Any) -> int | None:
    try:
        minutes = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return minutes * 60 if minutes > 0 else None


_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _text_construct(element: Any, name: str) -> str | None:
    """A title as text: markup stripped only when the feed says it is HTML (Atom type="html")."""
    detail = element.get(f"{name}_detail") or {}
    value = element.get(name)
    if detail.get("type") in _HTML_TYPES:
        return _line(html_to_text(value)) if isinstance(value, str) else None
    # Plain text: "<Bigco>" in an RSS title is the company's name, not a tag.
    return _plain(value)


def _body_text(body: Any) -> str:
    """An entry's content or summary as text: HTML unless the feed marks it plain text."""
    value = body.get("value") or ""
    return plain_text(value) if body.get("type") == "text/plain" else html_to_text(value)


def _plain(value: Any) -> str | None:
    """A plain-text line from a feed: references decoded once, cleaned, at most 1000 chars."""
    return _line(plain_line(value)) if isinstance(value, str) else None


def _line(text: str) -> str | None:
    return " ".join(text.split())[:1000] or None


def _clean(value: Any) -> str | None:
    """A name that may hold markup (an author): its text when it has tags, else plain text."""
    if not isinstance(value, str):
        return None
    return _line(html_to_text(value)) if "<" in value else _plain(value)


def _string(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _first_words(text: str, count: int = 12) -> str:
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


def _fit_guid(guid: str) -> str:
    guid = guid.strip()
    return guid if len(guid) <= _MAX_GUID else f"sha256:{_digest(guid)}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
