"""Topics and feeds as admins manage them."""

from __future__ import annotations

import pytest

from storage.db import Database
from storage.feeds import FeedError, add_feed, list_feeds, remove_feed
from storage.topics import TopicError, add_topic, get_topic, list_topics, remove_topic, topic_slug


def test_topic_slug_folds_case_and_punctuation() -> None:
    assert topic_slug("  World News! ") == "world-news"
    assert topic_slug("AI & ML") == "ai-ml"


async def test_topics_round_trip(db: Database) -> None:
    async with db.session() as session:
        await add_topic(session, "World News", ["ukraine", "-sport"])
        await add_topic(session, "Tech")
    async with db.session() as session:
        names = [(t.name, t.title, t.keywords) for t, _, _ in await list_topics(session)]
        assert names == [("tech", "Tech", ""), ("world-news", "World News", "ukraine -sport")]
        assert (await get_topic(session, "WORLD news")) is not None


async def test_duplicate_and_empty_topics_are_refused(db: Database) -> None:
    async with db.session() as session:
        await add_topic(session, "Tech")
    with pytest.raises(TopicError, match="already exists"):
        async with db.session() as session:
            await add_topic(session, "tech")
    with pytest.raises(TopicError, match="letter or digit"):
        async with db.session() as session:
            await add_topic(session, "!!!")


async def test_feeds_belong_to_existing_topics_and_cascade(db: Database) -> None:
    async with db.session() as session:
        await add_topic(session, "Tech")
        await add_feed(session, "tech", "https://example.org/rss")
    with pytest.raises(FeedError, match="no topic named 'science'"):
        async with db.session() as session:
            await add_feed(session, "science", "https://example.org/other")
    with pytest.raises(FeedError, match="already added"):
        async with db.session() as session:
            await add_feed(session, "tech", "https://example.org/rss")
    async with db.session() as session:
        feeds = await list_feeds(session)
        assert [(f.topic.name, f.url) for f in feeds] == [("tech", "https://example.org/rss")]
        assert feeds[0].next_check_at is not None
    async with db.session() as session:
        await remove_topic(session, "tech")
    async with db.session() as session:
        assert await list_feeds(session) == []
    with pytest.raises(FeedError, match="no feed"):
        async with db.session() as session:
            await remove_feed(session, "https://example.org/rss")
