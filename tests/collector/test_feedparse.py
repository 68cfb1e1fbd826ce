"""Feed documents of every supported format become items; broken ones are used or refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from collector.errors import FeedParseError
from collector.feedparse import MAX_ITEMS, parse_feed
from tests.collector.conftest import fixture_text

BASE = "http://feeds.example"
RSS = {"content-type": "application/rss+xml"}


def test_rss2_items_with_guids_links_dates_text_and_ttl() -> None:
    feed = parse_feed(fixture_text("rss2.xml", BASE), RSS, f"{BASE}/rss2.xml")
    assert feed.title == "Harbor Gazette"
    assert feed.ttl_seconds == 3600
    assert feed.warning is None
    assert [i.guid for i in feed.items] == ["harbor-1001", "harbor-1002", "harbor-1003"]
    first = feed.items[0]
    assert first.link == f"{BASE}/pages/bridge.html?utm_source=rss&utm_medium=feed"
    assert first.published == datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    assert first.text == "The swing bridge reopened after two years."  # HTML stripped


@pytest.mark.parametrize(
    ("name", "content_type", "title", "item_title"),
    [
        ("atom.xml", "application/atom+xml", "Valley Science Notes", "Amateur astronomers"),
        ("rss1.rdf", "application/rdf+xml", "Orchard Weekly", "Apple harvest ends"),
        ("rss091.xml", "text/xml", "Old Town Crier", "Market square fountain"),
        ("feed.json", "application/feed+json", "Riverside Tech Log", "Town library lends"),
    ],
)
def test_every_format_yields_its_items(
    name: str, content_type: str, title: str, item_title: str
) -> None:
    feed = parse_feed(fixture_text(name, BASE), {"content-type": content_type}, f"{BASE}/{name}")
    assert feed.title == title
    assert len(feed.items) == 1
    assert feed.items[0].title.startswith(item_title)
    assert feed.items[0].link and feed.items[0].link.startswith(f"{BASE}/pages/")


def test_json_feed_author_and_date() -> None:
    item = parse_feed(fixture_text("feed.json", BASE), {}, f"{BASE}/feed.json").items[0]
    assert item.author == "M. Lindqvist"
    assert item.published == datetime(2026, 11, 1, 15, 0, tzinfo=UTC)
    assert item.text == "Residents can now borrow a laptop for two weeks."


def test_latin1_declared_feed_keeps_its_accents() -> None:
    item = parse_feed(fixture_text("rss091.xml", BASE), RSS, BASE).items[0]
    assert "café" in item.text


def test_malformed_feed_that_still_has_entries_is_used_with_a_warning() -> None:
    broken = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title>
    <item><title>Still here & readable</title><link>http://x.example/1</link></item>
    <item><title>Second</title><link>http://x.example/2</link></item>
    </channel>"""  # a bare '&' and no closing </rss>
    feed = parse_feed(broken, RSS, BASE)
    assert [i.link for i in feed.items] == ["http://x.example/1", "http://x.example/2"]
    assert feed.warning and feed.warning.startswith("malformed feed used anyway")


def test_feed_with_broken_encoding_still_yields_its_items() -> None:
    # Declared UTF-8, but the body holds Latin-1 bytes (\xe9 is not valid UTF-8 on its own).
    body = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Caf\xe9</title>'
        b"<item><title>Men\xfc of the day</title><guid isPermaLink='false'>m-1</guid></item>"
        b"</channel></rss>"
    )
    feed = parse_feed(body, {"content-type": "application/rss+xml; charset=utf-8"}, BASE)
    assert len(feed.items) == 1
    assert feed.items[0].guid == "m-1"
    assert feed.items[0].title.startswith("Men")


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (bytes(range(256)) * 8, "application/rss+xml", "not a usable feed"),
        (b"<html><body><p>Welcome to our site</p></body></html>", "text/html", "not a"),
        (b"", "application/rss+xml", "not a"),
        (b'{"items": [', "application/feed+json", "invalid JSON"),
        (b'{"hello": "world"}', "application/json", "jsonfeed.org version"),
    ],
)
def test_documents_that_are_not_feeds_are_refused_with_a_reason(
    body: bytes, content_type: str, message: str
) -> None:
    with pytest.raises(FeedParseError, match=message):
        parse_feed(body, {"content-type": content_type}, BASE)


def test_duplicate_guids_in_one_document_count_once() -> None:
    items = "".join(
        f"<item><title>T{i}</title><guid isPermaLink='false'>same-guid</guid><link>http://x.example/{i}</link></item>"
        for i in range(3)
    )
    body = f'<rss version="2.0"><channel><title>D</title>{items}</channel></rss>'.encode()
    feed = parse_feed(body, RSS, BASE)
    assert [(i.guid, i.title) for i in feed.items] == [("same-guid", "T0")]


def test_item_count_is_capped_and_future_dates_are_dropped() -> None:
    items = "".join(
        f"<item><title>T{i}</title><guid>g{i}</guid><pubDate>Fri, 01 Jan 2100 00:00:00 GMT"
        "</pubDate></item>"
        for i in range(MAX_ITEMS + 50)
    )
    body = f'<rss version="2.0"><channel><title>Many</title>{items}</channel></rss>'.encode()
    feed = parse_feed(body, RSS, BASE)
    assert len(feed.items) == MAX_ITEMS
    assert feed.items[0].published is None


def test_entries_without_guid_or_link_get_a_stable_identity() -> None:
    body = (
        b'<rss version="2.0"><channel><title>N</title><item><title>Only a title</title>'
        b"<description>Some words.</description></item></channel></rss>"
    )
    first = parse_feed(body, RSS, BASE).items[0]
    again = parse_feed(body, RSS, BASE).items[0]
    assert first.guid == again.guid and len(first.guid) == 64


def test_json_feed_without_items_list_is_refused() -> None:
    body = json.dumps({"version": "https://jsonfeed.org/version/1", "title": "x"}).encode()
    with pytest.raises(FeedParseError, match="items list"):
        parse_feed(body, {"content-type": "application/feed+json"}, BASE)


def test_plain_titles_keep_angle_brackets_and_html_titles_lose_their_tags() -> None:
    rss_title = b"<title>Q&amp;A: why &lt;Bigco&gt; &amp; Smallco merged</title>"
    body = (
        b'<rss version="2.0"><channel><title>T</title><item>'
        + rss_title
        + b"</item></channel></rss>"
    )
    assert parse_feed(body, RSS, BASE).items[0].title == "Q&A: why <Bigco> & Smallco merged"
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title><entry><id>1</id>'
        b'<title type="html">&lt;b&gt;Bold&lt;/b&gt; move &amp;lt;3</title></entry></feed>'
    )
    title = parse_feed(atom, {"content-type": "application/atom+xml"}, BASE).items[0].title
    assert title == "Bold move <3"


def test_the_declared_language_of_a_feed_and_of_an_entry_is_kept_as_a_hint() -> None:
    rss = (
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>Folha</title>"
        b"<language>pt-BR</language><item><title>Greve geral</title><guid>1</guid></item>"
        b"</channel></rss>"
    )
    (item,) = parse_feed(rss, {}, "https://folha.example/rss").items
    assert item.language == "pt-BR"
    atom = (
        b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom' xml:lang='en'>"
        b"<title>Wire</title><id>urn:w</id><updated>2026-11-30T00:00:00Z</updated>"
        b"<entry xml:lang='de'><title>Streik</title><id>urn:1</id>"
        b"<updated>2026-11-30T00:00:00Z</updated></entry>"
        b"<entry><title>Strike</title><id>urn:2</id><updated>2026-11-30T00:00:00Z</updated>"
        b"</entry></feed>"
    )
    german, english = parse_feed(atom, {}, "https://wire.example/atom").items
    assert (german.language, english.language) == ("de", "en")
    feed = json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": "F", "language": "fr",
         "items": [{"id": "1", "title": "Grève", "content_text": "x"}]}
    ).encode()  # fmt: skip
    (item,) = parse_feed(feed, {"content-type": "application/feed+json"}, "https://f.example").items
    assert item.language == "fr"
