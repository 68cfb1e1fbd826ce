"""Queries on topics."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.clock import utcnow
from storage.models import Feed, Subscription, Topic

_SLUG_RE = re.compile(r"[^a-z0-9]+")


class TopicError(ValueError):
    """A topic operation the user asked for cannot be done; the message says why."""


def topic_slug(name: str) -> str:
    """The lookup key of a topic name: lower case, words joined by '-'."""
    return _SLUG_RE.sub("-", name.strip().lower()).strip("-")


async def add_topic(session: AsyncSession, name: str, keywords: list[str] | None = None) -> Topic:
    """Create a topic; raise TopicError if the name is empty or already taken."""
    slug = topic_slug(name)
    if not slug:
        raise TopicError("a topic name needs at least one letter or digit")
    if len(slug) > 64:
        raise TopicError("a topic name can be at most 64 characters")
    if await get_topic(session, slug) is not None:
        raise TopicError(f"topic {slug!r} already exists")
    topic = Topic(
        name=slug, title=name.strip(), keywords=" ".join(keywords or []), created_at=utcnow()
    )
    session.add(topic)
    await session.flush()
    return topic


async def get_topic(session: AsyncSession, name: str) -> Topic | None:
    """The topic with this name (any spelling that slugs the same), or None."""
    return await session.scalar(select(Topic).where(Topic.name == topic_slug(name)))


async def list_topics(session: AsyncSession) -> list[tuple[Topic, int, int]]:
    """Every topic with its number of feeds and of subscribers, by name."""
    feed_count = select(func.count(Feed.id)).where(Feed.topic_id == Topic.id).scalar_subquery()
    subscriber_count = (
        select(func.count())
        .select_from(Subscription)
        .where(Subscription.topic_id == Topic.id)
        .scalar_subquery()
    )
    rows = await session.execute(select(Topic, feed_count, subscriber_count).order_by(Topic.name))
    return [(topic, feeds, subscribers) for topic, feeds, subscribers in rows.all()]


async def remove_topic(session: AsyncSession, name: str) -> Topic:
    """Delete a topic with its feeds and subscriptions; raise TopicError if it does not exist."""
    topic = await get_topic(session, name)
    if topic is None:
        raise TopicError(f"no topic named {topic_slug(name)!r}")
    await session.delete(topic)
    await session.flush()
    return topic
