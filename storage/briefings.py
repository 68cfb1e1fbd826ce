"""Queries behind a briefing: candidate stories per topic, their sources, what was already sent."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_insert
from storage.models import (
    Article,
    ArticleTopic,
    Delivery,
    Feed,
    SentStory,
    Story,
    Subscriber,
    Subscription,
    Topic,
)
from storage.sources import source_label
from storage.types import UTCDateTime


@dataclass(frozen=True)
class Candidate:
    """A story with an article in `topic_id` fetched at `latest_at`, and its source count."""

    story_id: int
    topic_id: int
    latest_at: datetime
    source_count: int
    weight: float = 1.0  # the highest admin-set weight among the feeds that carried it


@dataclass(frozen=True)
class SourceLink:
    """One outlet that reported a story, with the article's URL."""

    name: str
    url: str
    title: str


@dataclass
class StoryCard:
    """What a briefing item or a "More" answer shows about a story."""

    id: int
    title: str
    summary: str
    source_count: int
    first_seen_at: datetime
    sources: list[SourceLink] = field(default_factory=list)


@dataclass(frozen=True)
class SavedBriefing:
    """The result of building one delivery: its payload (or empty) and the stories it shows."""

    delivery_id: int
    subscriber_id: int
    payload: str | None  # None: nothing to send
    stories: Sequence[tuple[int, int]]  # (story_id, source_count shown)
    built_at: datetime


async def topic_titles(session: AsyncSession) -> dict[int, str]:
    """Every topic id with its display title."""
    rows = await session.execute(select(Topic.id, Topic.title))
    return dict(rows.tuples().all())


async def subscriptions_of(
    session: AsyncSession, subscriber_ids: Collection[int]
) -> dict[int, set[int]]:
    """The topic ids each of these subscribers follows."""
    rows = await session.execute(
        select(Subscription.subscriber_id, Subscription.topic_id).where(
            Subscription.subscriber_id.in_(list(subscriber_ids))
        )
    )
    topics: dict[int, set[int]] = defaultdict(set)
    for subscriber_id, topic_id in rows.tuples():
        topics[subscriber_id].add(topic_id)
    return topics


async def candidates(
    session: AsyncSession, topic_ids: Collection[int], since: datetime
) -> list[Candidate]:
    """Stories with an article in one of `topic_ids` fetched after `since`, per topic."""
    if not topic_ids:
        return []
    latest = func.max(Article.fetched_at)
    weight = func.max(func.coalesce(Feed.weight, 1.0))
    rows = await session.execute(
        select(Article.story_id, ArticleTopic.topic_id, latest, Story.source_count, weight)
        .join(ArticleTopic, ArticleTopic.article_id == Article.id)
        .join(Story, Story.id == Article.story_id)
        .outerjoin(Feed, Feed.id == Article.feed_id)
        .where(Article.fetched_at > since, ArticleTopic.topic_id.in_(list(topic_ids)))
        .group_by(Article.story_id, ArticleTopic.topic_id, Story.source_count)
    )
    return [Candidate(s, t, at, n, float(w or 1.0)) for s, t, at, n, w in rows.tuples()]


async def sent_counts(
    session: AsyncSession, subscriber_ids: Collection[int], story_ids: Collection[int]
) -> dict[tuple[int, int], int]:
    """For (subscriber, story) pairs already shown: the source count they were shown with."""
    if not subscriber_ids or not story_ids:
        return {}
    rows = await session.execute(
        select(SentStory.subscriber_id, SentStory.story_id, SentStory.source_count).where(
            SentStory.subscriber_id.in_(list(subscriber_ids)),
            SentStory.story_id.in_(list(story_ids)),
        )
    )
    return {(sub, story): count for sub, story, count in rows.tuples()}


async def story_cards(session: AsyncSession, story_ids: Collection[int]) -> dict[int, StoryCard]:
    """The stories with their sources (one link per outlet, earliest article first)."""
    if not story_ids:
        return {}
    stories = await session.scalars(select(Story).where(Story.id.in_(list(story_ids))))
    cards = {
        s.id: StoryCard(s.id, s.title, s.summary, s.source_count, s.first_seen_at) for s in stories
    }
    articles = await session.execute(
        select(Article.story_id, Article.source_name, Article.url, Article.title)
        .where(Article.story_id.in_(list(cards)))
        .order_by(Article.story_id, func.coalesce(Article.published_at, Article.fetched_at))
    )
    seen: set[tuple[int, str]] = set()
    for story_id, source_name, url, title in articles.tuples():
        name = source_label(source_name, url)
        if (story_id, name.lower()) in seen:
            continue
        seen.add((story_id, name.lower()))
        cards[story_id].sources.append(SourceLink(name, url, title))
    return cards


async def save_briefings(session: AsyncSession, results: Sequence[SavedBriefing]) -> None:
    """Store each payload on its row (empty ones are closed) and remember what was shown.

    Executemany statements: a batch of briefings costs a handful of round trips, not several
    per row.
    """
    deliveries = Delivery.__table__
    by_id = deliveries.c.id == bindparam("b_id")
    with_payload = [
        {"b_id": r.delivery_id, "b_payload": r.payload} for r in results if r.payload is not None
    ]
    if with_payload:
        stmt = update(deliveries).where(by_id).values(payload=bindparam("b_payload"))
        await session.execute(stmt, with_payload)
    empty = [{"b_id": r.delivery_id} for r in results if r.payload is None]
    if empty:
        stmt = update(deliveries).where(by_id).values(status="empty", claimed_until=None)
        await session.execute(stmt, empty)
    briefed = {r.subscriber_id: r.built_at for r in results if r.stories}
    if briefed:
        subscribers = Subscriber.__table__
        stmt = (
            update(subscribers)
            .where(subscribers.c.id == bindparam("b_id"))
            .values(last_briefing_at=bindparam("b_at", type_=UTCDateTime()))
        )
        await session.execute(stmt, [{"b_id": sub, "b_at": at} for sub, at in briefed.items()])
    shown = {
        (r.subscriber_id, story_id): {
            "subscriber_id": r.subscriber_id,
            "story_id": story_id,
            "source_count": count,
            "delivery_id": r.delivery_id,
            "sent_at": r.built_at,
        }
        for r in results
        for story_id, count in r.stories
    }
    if shown:
        await _remember_stories(session, list(shown.values()))


async def _remember_stories(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    table = SentStory.__table__
    stmt = dialect_insert(session)(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.subscriber_id, table.c.story_id],
        set_={
            "source_count": stmt.excluded.source_count,
            "delivery_id": stmt.excluded.delivery_id,
            "sent_at": stmt.excluded.sent_at,
        },
    )
    await session.execute(stmt, rows)


async def story_card(session: AsyncSession, story_id: int) -> StoryCard | None:
    """One story with its sources, or None if it no longer exists."""
    return (await story_cards(session, [story_id])).get(story_id)
