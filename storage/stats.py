"""Counts for the admins' views: feed health and articles collected."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Article, Feed, Topic


@dataclass(frozen=True)
class FeedHealth:
    """One feed as /feeds shows it: its number (the id), URL, title, topic title, health."""

    id: int
    url: str
    title: str | None
    topic: str
    last_success_at: datetime | None
    error_count: int
    last_error: str | None
    paused: bool
    articles_recent: int
    weight: float = 1.0


async def feed_health(
    session: AsyncSession, *, since: datetime, feed_id: int | None = None
) -> list[FeedHealth]:
    """Every feed (or the one with `feed_id`) with its topic's title, health, weight and
    articles fetched after `since`, by topic, then by number."""
    recent = (
        select(func.count(Article.id))
        .where(Article.feed_id == Feed.id, Article.fetched_at > since)
        .scalar_subquery()
    )
    query = (
        select(
            Feed.id,
            Feed.url,
            Feed.title,
            Topic.title,
            Feed.last_success_at,
            Feed.error_count,
            Feed.last_error,
            Feed.paused,
            recent,
            Feed.weight,
        )
        .join(Topic, Topic.id == Feed.topic_id)
        .order_by(Topic.name, Feed.id)
    )
    if feed_id is not None:
        query = query.where(Feed.id == feed_id)
    rows = await session.execute(query)
    return [FeedHealth(*row) for row in rows.tuples()]


async def articles_since(session: AsyncSession, since: datetime) -> int:
    """How many articles were fetched after `since`."""
    count = await session.scalar(
        select(func.count()).select_from(Article).where(Article.fetched_at > since)
    )
    return int(count or 0)
