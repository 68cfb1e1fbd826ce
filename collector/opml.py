"""OPML 2.0: read a feed list (outline categories become topics) and write one."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime


class OpmlError(ValueError):
    """The file is not OPML this program can read; the message says why."""


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    """A feed outline: its URL, title and category (the enclosing outline, if any)."""

    url: str
    title: str | None
    category: str | None


def parse_opml(data: bytes) -> list[OpmlFeed]:
    """Every feed outline (one with an xmlUrl) in document order."""
    if b"<!ENTITY" in data:
        raise OpmlError("OPML with entity declarations is refused")  # no entity-expansion bombs
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise OpmlError(f"not valid XML: {exc}") from None
    if root.tag != "opml":
        raise OpmlError(f"not an OPML document (root element is <{root.tag}>)")
    body = root.find("body")
    if body is None:
        raise OpmlError("OPML without a <body>")
    feeds: list[OpmlFeed] = []
    _walk(body, None, feeds)
    return feeds


def _walk(parent: ElementTree.Element, category: str | None, feeds: list[OpmlFeed]) -> None:
    for outline in parent.findall("outline"):
        label = (outline.get("title") or outline.get("text") or "").strip() or None
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url:
            feeds.append(OpmlFeed(url=url, title=label, category=category or _category(outline)))
        # A feed outline has no children worth reading; a folder passes its name down.
        _walk(outline, category if url else (label or category), feeds)


def _category(outline: ElementTree.Element) -> str | None:
    """The last segment of the first `category` attribute path ("/News/World" -> "World")."""
    first = (outline.get("category") or "").split(",")[0]
    segments = [s.strip() for s in first.split("/") if s.strip()]
    return segments[-1] if segments else None


@dataclass(frozen=True, slots=True)
class OpmlTopic:
    """A topic and its feeds as (url, title, site url) for export."""

    title: str
    feeds: list[tuple[str, str | None, str | None]]


def write_opml(topics: Iterable[OpmlTopic], title: str = "newsbrief feeds") -> str:
    """An OPML 2.0 document: one folder outline per topic holding its feeds."""
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = title
    ElementTree.SubElement(head, "dateCreated").text = format_datetime(
        datetime.now(UTC), usegmt=True
    )
    body = ElementTree.SubElement(root, "body")
    for topic in topics:
        folder = ElementTree.SubElement(body, "outline", text=topic.title, title=topic.title)
        for url, feed_title, site_url in topic.feeds:
            attributes = {"type": "rss", "text": feed_title or url, "xmlUrl": url}
            if feed_title:
                attributes["title"] = feed_title
            if site_url:
                attributes["htmlUrl"] = site_url
            ElementTree.SubElement(folder, "outline", attributes)
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, "unicode") + "\n"
