"""The collector's view of feeds: outcomes of checks, pausing, announcements, OPML import."""

from __future__ import annotations

from datetime import timedelta

from storage.clock import utcnow
from storage.db import Database
from storage.feed_schedule import (
    claim_feeds,
    record_feed_failure,
    record_feed_success,
    take_pause_notices,
)
from storage.feeds import FeedImport, add_feed, get_feed, import_feeds, recent_failures, resume_feed
from storage.topics import add_topic, get_topic


async def test_failures_pause_and_are_announced_once_then_success_resets(db: Database) -> None:
    async with db.session() as session:
        await add_topic(session, "News")
        feed = await add_feed(session, "news", "https://a.example/rss")
    now = utcnow()
    async with db.session() as session:
        for n in (1, 2):
            await record_feed_failure(
                session, feed.id, now=now, reason=f"HTTP 500 ({n})", error_count=n,
                next_check_at=now + timedelta(minutes=15 * n), pause=n == 2,
            )  # fmt: skip
    async with db.session() as session:
        stored = await get_feed(session, feed.url)
        assert stored is not None and stored.paused and stored.error_count == 2
        assert [f.reason for f in await recent_failures(session, feed.id)] == [
            "HTTP 500 (2)",
            "HTTP 500 (1)",
        ]
        assert await take_pause_notices(session) == [feed.url]
        assert await take_pause_notices(session) == []
        assert await claim_feeds(
            session, now=now + timedelta(days=2), lease_until=now + timedelta(days=3), limit=5
        ) == []  # fmt: skip
    async with db.session() as session:
        await record_feed_success(
            session, feed.id, now=now, next_check_at=now, etag='"v2"', last_modified=None,
            title="Feed title", site_url="https://a.example/",
        )  # fmt: skip
    async with db.session() as session:
        stored = await get_feed(session, feed.url)
        assert stored is not None and not stored.paused and stored.error_count == 0
        assert (stored.etag, stored.title, stored.last_error) == ('"v2"', "Feed title", None)


async def test_resume_makes_a_paused_feed_due(db: Database) -> None:
    async with db.session() as session:
        await add_topic(session, "News")
        feed = await add_feed(session, "news", "https://a.example/rss")
        feed.paused = True
        feed.error_count = 10
    async with db.session() as session:
        resumed = await resume_feed(session, feed.url)
        assert not resumed.paused and resumed.error_count == 0
        assert resumed.next_check_at <= utcnow()


async def test_import_creates_topics_and_skips_what_it_cannot_add(db: Database) -> None:
    async with db.session() as session:
        await add_topic(session, "Science")
        await add_feed(session, "science", "https://old.example/rss")
        result = await import_feeds(
            session,
            [
                FeedImport("https://a.example/rss", "A", "Science"),
                FeedImport("https://b.example/rss", "B", "World News"),
                FeedImport("https://c.example/rss", None, None),
                FeedImport("https://old.example/rss", "Old", "Science"),
                FeedImport("javascript:alert(1)", "X", None),
                FeedImport("https://b.example/rss", "B again", "World News"),
            ],
            default_topic="general",
        )
        assert result.added == [
            "https://a.example/rss",
            "https://b.example/rss",
            "https://c.example/rss",
        ]
        assert result.topics_created == ["World News", "general"]
        assert [reason for _, reason in result.skipped] == [
            "already added",
            "not an http or https URL",
            "already added",
        ]
        world = await get_topic(session, "world news")
        feed = await get_feed(session, "https://b.example/rss")
        assert world is not None and feed is not None
        assert (feed.topic_id, feed.title) == (world.id, "B")
