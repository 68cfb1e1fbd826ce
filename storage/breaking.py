"""Queries behind breaking news: which stories qualify, who opted in and may still get one,
and the queue rows that carry the alerts (kind "breaking", one per chat and story)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_insert
from storage.models import (
    Article,
    ArticleTopic,
    Delivery,
    SentStory,
    Story,
    Subscriber,
    Subscription,
)
from storage.preferences import ChatOptions

BREAKING = "breaking"


@dataclass(frozen=True)
class BreakingStory:
    """A story that reached many sources soon after its first report."""

    story_id: int
    first_seen_at: datetime
    source_count: int
    topic_ids: frozenset[int]


@dataclass(frozen=True)
class BreakingReader:
    """A chat that turned breaking news on, with what its alert needs."""

    subscriber_id: int
    topic_ids: frozenset[int]
    options: ChatOptions


async def breaking_stories(
    session: AsyncSession, *, first_seen_since: datetime, min_sources: int
) -> list[BreakingStory]:
    """Stories first seen at or after `first_seen_since` that have `min_sources` or more."""
    stories = (
        await session.execute(
            select(Story.id, Story.first_seen_at, Story.source_count).where(
                Story.first_seen_at >= first_seen_since, Story.source_count >= min_sources
            )
        )
    ).all()
    if not stories:
        return []
    topics: defaultdict[int, set[int]] = defaultdict(set)
    rows = await session.execute(
        select(Article.story_id, ArticleTopic.topic_id)
        .join(ArticleTopic, ArticleTopic.article_id == Article.id)
        .where(Article.story_id.in_([s for s, _, _ in stories]))
        .distinct()
    )
    for story_id, topic_id in rows.tuples():
        topics[story_id].add(topic_id)
    return [
        BreakingStory(story_id, first_seen, count, frozenset(topics[story_id]))
        for story_id, first_seen, count in stories
    ]


async def breaking_readers(session: AsyncSession) -> list[BreakingReader]:
    """Every active chat with breaking news on, with the topics it follows."""
    subscribers = list(
        await session.scalars(
            select(Subscriber).where(Subscriber.breaking.is_(True), Subscriber.status == "active")
        )
    )
    if not subscribers:
        return []
    followed: defaultdict[int, set[int]] = defaultdict(set)
    rows = await session.execute(
        select(Subscription.subscriber_id, Subscription.topic_id).where(
            Subscription.subscriber_id.in_([s.id for s in subscribers])
        )
    )
    for subscriber_id, topic_id in rows.tuples():
        followed[subscriber_id].add(topic_id)
    return [BreakingReader(s.id, frozenset(followed[s.id]), ChatOptions.of(s)) for s in subscribers]


async def already_shown(
    session: AsyncSession, subscriber_ids: Collection[int], story_ids: Collection[int]
) -> set[tuple[int, int]]:
    """(subscriber, story) pairs the chat was shown in a briefing or an earlier alert."""
    if not subscriber_ids or not story_ids:
        return set()
    rows = await session.execute(
        select(SentStory.subscriber_id, SentStory.story_id).where(
            SentStory.subscriber_id.in_(list(subscriber_ids)),
            SentStory.story_id.in_(list(story_ids)),
        )
    )
    return set(rows.tuples().all())


async def alerts_since(
    session: AsyncSession, subscriber_ids: Collection[int], since: datetime
) -> dict[int, int]:
    """How many breaking alerts each chat was queued since `since`."""
    if not subscriber_ids:
        return {}
    rows = await session.execute(
        select(Delivery.subscriber_id, func.count())
        .where(
            Delivery.kind == BREAKING,
            Delivery.created_at >= since,
            Delivery.subscriber_id.in_(list(subscriber_ids)),
        )
        .group_by(Delivery.subscriber_id)
    )
    return dict(rows.tuples().all())


def alert_slot(story: BreakingStory) -> datetime:
    """The queue slot of a story's alerts: the second of its first report, with the story's id
    as the microseconds. One per story (stories first seen in the same pass share the instant),
    so the unique (subscriber, kind, slot) lets no second scan, or second process, queue an
    alert twice."""
    return story.first_seen_at.replace(microsecond=story.story_id % 1_000_000)


async def enqueue_alert(
    session: AsyncSession, subscriber_id: int, slot_at: datetime, payload: str, now: datetime
) -> bool:
    """Queue one rendered alert at `alert_slot`; False when the chat already has it."""
    stmt = (
        dialect_insert(session)(Delivery)
        .values(
            subscriber_id=subscriber_id,
            kind=BREAKING,
            slot_at=slot_at,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            payload=payload,
            parts_sent=0,
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(Delivery.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None
