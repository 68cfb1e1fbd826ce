"""Queries on feeds: the admin's view (add, list, remove)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from storage.clock import utcnow
from storage.models import Feed
from storage.topics import TopicError, get_topic, topic_slug


class FeedError(ValueError):
    """A feed operation the user asked for cannot be done; the message says why."""


async def add_feed(session: AsyncSession, topic_name: str, url: str) -> Feed:
    """Add a feed to a topic, due for its first check now; raise FeedError on a bad request."""
    topic = await get_topic(session, topic_name)
    if topic is None:
        raise FeedError(f"no topic named {topic_slug(topic_name)!r}; add it first")
    if await get_feed(session, url) is not None:
        raise FeedError(f"feed {url} is already added")
    now = utcnow()
    feed = Feed(url=url, topic_id=topic.id, next_check_at=now, created_at=now)
    session.add(feed)
    await session.flush()
    return feed


async def get_feed(session: AsyncSession, url: str) -> Feed | None:
    """The feed with exactly this URL, or None."""
    return await session.scalar(select(Feed).where(Feed.url == url))


async def list_feeds(session: AsyncSession) -> list[Feed]:
    """Every feed with its topic loaded, by topic then URL."""
    rows = await session.scalars(
        select(Feed).options(joinedload(Feed.topic)).order_by(Feed.topic_id, Feed.url)
    )
    return list(rows)


async def remove_feed(session: AsyncSession, url: str) -> Feed:
    """Delete a feed (its articles stay); raise FeedError if it does not exist."""
    feed = await get_feed(session, url)
    if feed is None:
        raise FeedError(f"no feed with URL {url}")
    await session.delete(feed)
    await session.flush()
    return feed


__all__ = ["FeedError", "TopicError", "add_feed", "get_feed", "list_feeds", "remove_feed"]
