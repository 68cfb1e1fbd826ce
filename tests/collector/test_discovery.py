"""Feed autodiscovery: a site's page stands for the feed it names (on its first check)."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

from collector.discovery import feed_candidates, linked_feeds, looks_like_html
from collector.service import Collector
from sandbox.collector_options import CollectorOptions
from sandbox.feed_server import LocalFeedServer
from storage.db import Database
from storage.feeds import FeedImport, get_feed, import_feeds
from tests.collector.conftest import LoopbackTransport, fake_resolver
from tests.collector.helpers import add_feeds, articles, feed_row, rss

HOME = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Harbour Gazette</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" hreflang="fr" href="/fr/">
<link rel="alternate" type="application/rss+xml" title="News" href="{href}">
<link rel="alternate" type="application/rss+xml" title="Comments" href="/comments/feed">
</head><body><h1>Harbour Gazette</h1><p>Today's news.</p></body></html>
"""
ITEMS = [("ferry-1", "{base_url}/ferry", "The ferry timetable changes.")]


def test_a_page_names_its_feeds_in_order_made_absolute() -> None:
    page = b"""<html><head><base href="https://cdn.example/site/">
    <link rel="alternate" type="application/atom+xml" href="atom.xml#top">
    <LINK REL="Alternate Feed" TYPE="application/RSS+XML; charset=utf-8" HREF="/rss">
    <link rel="alternate" type="application/feed+json" href="https://example.org/feed.json">
    <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
    <link rel="alternate" type="text/html" href="/other">
    <link rel="icon" type="application/rss+xml" href="/not-a-feed">
    <link rel="alternate" type="application/atom+xml" href="atom.xml">
    </head><body></body></html>"""
    assert linked_feeds(page, "https://example.org/news/") == [
        "https://cdn.example/site/atom.xml",
        "https://cdn.example/rss",
        "https://example.org/feed.json",
    ]
    assert linked_feeds(b"", "https://example.org/") == []
    assert linked_feeds(b"\xff\xfe garbage <<<", "https://example.org/") == []


def test_candidates_are_the_named_feeds_then_the_usual_paths_never_the_page() -> None:
    page = b'<html><head><link rel="alternate" type="application/rss+xml" href="/rss"></head>'
    assert feed_candidates(page, "https://example.org/blog/") == [
        "https://example.org/rss",
        "https://example.org/feed",
        "https://example.org/rss.xml",
        "https://example.org/atom.xml",
        "https://example.org/feed.xml",
        "https://example.org/index.xml",
    ]
    assert "https://example.org/feed" not in feed_candidates(b"<html>", "https://example.org/feed")


def test_only_web_pages_are_searched_for_feeds() -> None:
    assert looks_like_html(b"<p>hi</p>", "text/html; charset=utf-8")
    assert looks_like_html(b"\xef\xbb\xbf  <!DOCTYPE html><html>", "")
    assert looks_like_html(b"<html><head>", "text/plain")
    assert not looks_like_html(b"<html>", "image/png")
    assert not looks_like_html(b'{"version": 1}', "application/json")
    assert not looks_like_html(b"<?xml version='1.0'?><rss>", "application/xml")


async def test_a_home_page_is_replaced_by_the_feed_it_names(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    server.add("/", HOME.format(href="/news/feed.xml"), "text/html; charset=utf-8")
    server.add("/news/feed.xml", rss("Harbour Gazette", ITEMS))
    page_url = server.url("/")
    await add_feeds(db, "local", [page_url])
    async with Collector(db, options, executor=process_pool) as collector:
        result = await collector.check_feed(page_url)

    feed_url = server.url("/news/feed.xml")
    assert (result.status, result.url, result.discovered_from) == ("ok", feed_url, page_url)
    assert result.new == 1 and result.title == "Harbour Gazette"
    row = await feed_row(db, feed_url)
    assert row.last_success_at is not None and row.error_count == 0
    async with db.session() as session:
        assert await get_feed(session, page_url) is None
    (article,) = await articles(db)
    assert article.feed_id == row.id
    assert not server.requests_for("/comments/feed")  # the first named feed worked


async def test_a_page_naming_no_feed_is_searched_at_the_usual_paths_then_refused(
    db: Database, options: CollectorOptions, process_pool: ProcessPoolExecutor
) -> None:
    bare = "<!DOCTYPE html><html><head><title>Blog</title></head><body>Hi</body></html>"
    async with LocalFeedServer() as site:  # a site with nothing else on it
        site.add("/blog/", bare, "text/html")
        site.add("/rss.xml", rss("Blog", ITEMS))
        site.add("/plain/", bare, "text/html")
        await add_feeds(db, "local", [site.url("/blog/")])
        async with Collector(db, options, executor=process_pool) as collector:
            found = await collector.check_feed(site.url("/blog/"))
            tried = [r.path for r in site.requests if r.path != "/blog/"]
            site.remove("/rss.xml")
            await add_feeds(db, "local", [site.url("/plain/")])
            missing = await collector.check_feed(site.url("/plain/"))

    assert (found.status, found.url) == ("ok", site.url("/rss.xml"))
    assert tried[:3] == ["/feed", "/rss", "/rss.xml"]  # in order, up to the first feed
    assert missing.status == "error" and missing.error is not None
    assert missing.error.startswith(f"{site.url('/plain/')} is a web page, not a feed")
    assert "/feed, /rss, /rss.xml, /atom.xml, /feed.xml, /index.xml" in missing.error
    assert (await feed_row(db, site.url("/plain/"))).error_count == 1


async def test_a_page_whose_feed_is_already_added_is_refused(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    server.add("/", HOME.format(href="/news/feed.xml"), "text/html")
    server.add("/news/feed.xml", rss("Harbour Gazette", ITEMS))
    await add_feeds(db, "local", [server.url("/news/feed.xml"), server.url("/")])
    feed_id = (await feed_row(db, server.url("/news/feed.xml"))).id
    async with Collector(db, options, executor=process_pool) as collector:
        result = await collector.check_feed(server.url("/"))

    assert result.status == "error"
    assert result.error == (
        f"{server.url('/')} is a web page; the feed it names, {server.url('/news/feed.xml')}, "
        f"is already added (#{feed_id})"
    )


async def test_opml_entries_pointing_at_pages_are_discovered_on_their_first_check_only(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    server.add("/", HOME.format(href="/news/feed.xml"), "text/html")
    server.add("/news/feed.xml", rss("Harbour Gazette", ITEMS))
    server.add("/works.xml", rss("Works", [("w-1", "{base_url}/w", "Text.")]))
    async with db.session() as session:
        await import_feeds(
            session,
            [FeedImport(server.url("/"), "Gazette"), FeedImport(server.url("/works.xml"))],
            default_topic="General",
        )
    async with Collector(db, options, executor=process_pool) as collector:
        first = await collector.collect_all()
        # A feed that has worked and now answers with a page is broken, not a page to search.
        server.add("/works.xml", HOME.format(href="/news/feed.xml"), "text/html")
        second = await collector.collect_all()

    assert sorted((r.url, r.status, r.discovered_from) for r in first.results) == [
        (server.url("/news/feed.xml"), "ok", server.url("/")),
        (server.url("/works.xml"), "ok", None),
    ]
    assert (await feed_row(db, server.url("/news/feed.xml"))).title == "Gazette"
    broken = {r.url: r for r in second.results}[server.url("/works.xml")]
    assert broken.status == "error" and broken.discovered_from is None


async def test_discovery_goes_through_the_guard(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    """A public page naming a feed on a loopback address gets the guard's refusal, not the
    feed; the site's own /feed is found instead."""
    options.allow_private_networks = False
    server.add("/", HOME.format(href=server.url("/secret.xml")), "text/html")
    server.add("/secret.xml", rss("Internal", ITEMS))
    server.add("/feed", rss("Harbour Gazette", ITEMS))
    await add_feeds(db, "local", ["http://news.example/"])
    async with Collector(
        db,
        options,
        executor=process_pool,
        resolver=fake_resolver,
        transport=LoopbackTransport(server),
    ) as collector:
        result = await collector.check_feed("http://news.example/")

    assert (result.status, result.url) == ("ok", "http://news.example/feed")
    assert not server.requests_for("/secret.xml")
