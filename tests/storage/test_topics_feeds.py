"""Topics and feeds as admins manage them."""

from __future__ import annotations

import pytest

from storage.db import Database
from storage.feeds import (
    FeedError,
    add_feed,
    find_feed,
    list_feeds,
    pause_feed,
    remove_feed,
    resume_feed,
    set_feed_weight,
)
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


def test_slugs_keep_letters_of_every_script() -> None:
    assert topic_slug("Économie") == "économie"
    assert topic_slug("E\u0301conomie") == "économie"  # a decomposed "É" is the same name
    assert topic_slug("Science & Health") == "science-health"
    assert topic_slug("  Straße ") == "strasse"
    assert topic_slug("Здоровье и спорт") == "здоровье-и-спорт"
    assert topic_slug("हिन्दी समाचार") == "हिन्दी-समाचार"  # vowel signs are part of the word
    assert topic_slug("ＷＯＲＬＤ") == "world"


async def test_topics_are_found_by_title_or_slug_and_keywords_need_letters(
    db: Database,
) -> None:
    async with db.session() as session:
        science = await add_topic(session, "  Science   &  Health ", ["vaccine", "-sport"])
        assert (science.name, science.title) == ("science-health", "Science & Health")
        economy = await add_topic(session, "Économie")
        assert economy.name == "économie"
    async with db.session() as session:
        for name in ("science & health", "SCIENCE-HEALTH", "Science  &  Health", "économie"):
            assert await get_topic(session, name) is not None, name
        assert await get_topic(session, "science") is None
        assert await get_topic(session, "&") is None
    with pytest.raises(TopicError, match="“&” is not a keyword"):
        async with db.session() as session:
            await add_topic(session, "Science", ["&", "Health"])
    with pytest.raises(TopicError, match="already exists"):
        async with db.session() as session:
            await add_topic(session, "science and health".replace("and", "&"))


async def test_feeds_are_found_by_number_or_url_and_can_be_paused(db: Database) -> None:
    async with db.session() as session:
        await add_topic(session, "Tech")
        feed = await add_feed(session, "TECH", "https://example.org/rss")
    for ref in (feed.id, str(feed.id), f"#{feed.id}", "https://example.org/rss"):
        async with db.session() as session:
            assert (await find_feed(session, ref)).id == feed.id
    async with db.session() as session:
        paused = await pause_feed(session, f"#{feed.id}")
        assert paused.paused and paused.pause_notified  # no "paused after failures" notice
    async with db.session() as session:
        resumed = await resume_feed(session, str(feed.id))
        assert not resumed.paused and not resumed.pause_notified
        assert (await set_feed_weight(session, feed.id, 2.5)).weight == 2.5
    with pytest.raises(FeedError, match="no feed #999"):
        async with db.session() as session:
            await pause_feed(session, "#999")
    with pytest.raises(FeedError, match=rf"already added \(#{feed.id}\)"):
        async with db.session() as session:
            await add_feed(session, "tech", "https://example.org/rss")
    async with db.session() as session:
        await remove_feed(session, f"#{feed.id}")
    async with db.session() as session:
        assert await list_feeds(session) == []
