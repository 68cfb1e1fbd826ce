"""Article identity is enforced by the database: a duplicate insert writes nothing."""

from __future__ import annotations

from datetime import timedelta

from storage.articles import (
    add_article_topics,
    article_ids_by_url,
    article_topic_ids,
    find_same_article,
    insert_article,
    known_guids,
    link_feed_entry,
    recent_simhashes,
)
from storage.clock import utcnow
from storage.db import Database
from storage.feeds import add_feed
from storage.models import Feed
from storage.stories import create_story, refresh_story
from storage.topics import add_topic


def fields(url: str, fingerprint: str, **extra: object) -> dict[str, object]:
    return {
        "url": url,
        "title": "A title",
        "fetched_at": utcnow(),
        "text": "Some text.",
        "text_source": "feed",
        "summary": "",
        "fingerprint": fingerprint,
        **extra,
    }


async def setup_feed(db: Database, url: str = "https://a.example/rss") -> Feed:
    async with db.session() as session:
        topic = await add_topic(session, "News")
        return await add_feed(session, topic.name, url)


async def test_same_url_or_same_fingerprint_is_not_inserted_twice(db: Database) -> None:
    async with db.session() as session:
        first = await insert_article(session, **fields("https://a.example/1", "f1"))
        same_url = await insert_article(session, **fields("https://a.example/1", "f2"))
        same_text = await insert_article(session, **fields("https://b.example/9", "f1"))
        assert first is not None and same_url is None and same_text is None
        found = await find_same_article(session, "https://b.example/9", "f1")
        assert found is not None and found.id == first
        assert await article_ids_by_url(session, ["https://a.example/1", "https://x/"]) == {
            "https://a.example/1": first
        }


async def test_feed_entries_and_topics_are_recorded_once(db: Database) -> None:
    feed = await setup_feed(db)
    async with db.session() as session:
        article_id = await insert_article(session, **fields("https://a.example/1", "f1"))
        assert article_id is not None
        now = utcnow()
        assert await link_feed_entry(session, feed.id, "guid-1", article_id, now)
        assert not await link_feed_entry(session, feed.id, "guid-1", article_id, now)
        await add_article_topics(session, article_id, [feed.topic_id, feed.topic_id])
        await add_article_topics(session, article_id, [feed.topic_id])
        assert await article_topic_ids(session, article_id) == {feed.topic_id}
        assert await known_guids(session, feed.id, ["guid-1", "guid-2"]) == {"guid-1"}


async def test_story_sources_count_distinct_feeds_and_sites(db: Database) -> None:
    feed = await setup_feed(db)
    now = utcnow()
    async with db.session() as session:
        story = await create_story(session, title="Flood", summary="Water.", now=now)
        for n, source in enumerate(["Valley Post", "Hill Times", "valley post"]):
            article_id = await insert_article(
                session,
                **fields(f"https://s{n}.example/x", f"f{n}", source_name=source, story_id=story.id),
            )
            assert article_id is not None
        later = now + timedelta(minutes=5)
        assert await refresh_story(session, story.id, later) == 2
        await session.refresh(story)
        assert story.source_count == 2 and story.updated_at == later
        assert feed.id  # the feed carries none of them: it does not count


async def test_recent_simhashes_since_a_time_and_after_an_id(db: Database) -> None:
    now = utcnow()
    async with db.session() as session:
        old = await insert_article(
            session,
            **fields("https://a.example/old", "o", simhash=-5, fetched_at=now - timedelta(days=3)),
        )
        new = await insert_article(session, **fields("https://a.example/new", "n", simhash=2**62))
        await insert_article(session, **fields("https://a.example/none", "z"))
        rows = await recent_simhashes(session, now - timedelta(days=1))
        assert [(r.article_id, r.simhash) for r in rows] == [(new, 2**62)]
        assert await recent_simhashes(session, now - timedelta(days=5), after_id=new or 0) == []
        assert old is not None
