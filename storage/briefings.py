"""Queries behind a briefing: candidate stories per topic, their sources, what each chat has
seen (written when a part is delivered, not when it is built) and what is promised to it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, func, select, update
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


@dataclass(frozen=True)
class Candidate:
    """A story with news in `topic_id`: when it was last news there, why it is in the topic,
    its source count and the weight of the feeds that carried it."""

    story_id: int
    topic_id: int
    news_at: datetime  # the latest news time of its articles in this topic
    source_count: int
    via_feed: bool  # a feed of this topic carried it (not only a keyword match)
    weight: float = 1.0  # the highest admin-set weight among the feeds that carried it


@dataclass(frozen=True)
class Seen:
    """A story a chat was shown: with how many sources, and when."""

    source_count: int
    sent_at: datetime


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
    image_url: str | None = None  # the lead image of its earliest article that has one


@dataclass(frozen=True)
class SavedBriefing:
    """The result of building one delivery: its payload, or None (nothing to send)."""

    delivery_id: int
    payload: str | None


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
    session: AsyncSession, topic_ids: Collection[int], news_since: datetime
) -> list[Candidate]:
    """Stories with an article in one of `topic_ids` that was news at or after `news_since`,
    one row per (story, topic)."""
    if not topic_ids:
        return []
    latest = func.max(Article.news_at)
    via_feed = func.max(case((ArticleTopic.via == "feed", 1), else_=0))
    weight = func.max(func.coalesce(Feed.weight, 1.0))
    rows = await session.execute(
        select(
            Article.story_id, ArticleTopic.topic_id, latest, Story.source_count, via_feed, weight
        )
        .join(ArticleTopic, ArticleTopic.article_id == Article.id)
        .join(Story, Story.id == Article.story_id)
        .outerjoin(Feed, Feed.id == Article.feed_id)
        .where(Article.news_at >= news_since, ArticleTopic.topic_id.in_(list(topic_ids)))
        .group_by(Article.story_id, ArticleTopic.topic_id, Story.source_count)
    )
    return [
        Candidate(s, t, at, n, bool(feed), float(w or 1.0))
        for s, t, at, n, feed, w in rows.tuples()
    ]


@dataclass(frozen=True)
class RecentStory:
    """A story that is news: what personal filters are matched against, and how to rank it."""

    story_id: int
    title: str
    summary: str
    news_at: datetime
    source_count: int
    weight: float


async def recent_stories(session: AsyncSession, news_since: datetime) -> list[RecentStory]:
    """Every story with an article that was news at or after `news_since`, in any topic."""
    latest = func.max(Article.news_at)
    weight = func.max(func.coalesce(Feed.weight, 1.0))
    rows = await session.execute(
        select(Story.id, Story.title, Story.summary, latest, Story.source_count, weight)
        .join(Article, Article.story_id == Story.id)
        .outerjoin(Feed, Feed.id == Article.feed_id)
        .where(Article.news_at >= news_since)
        .group_by(Story.id, Story.title, Story.summary, Story.source_count)
    )
    return [
        RecentStory(i, title, summary or "", at, n, float(w or 1.0))
        for i, title, summary, at, n, w in rows.tuples()
    ]


async def story_texts(
    session: AsyncSession, story_ids: Collection[int]
) -> dict[int, tuple[str, str]]:
    """Each story's title and summary (what /mute phrases are matched against)."""
    if not story_ids:
        return {}
    rows = await session.execute(
        select(Story.id, Story.title, Story.summary).where(Story.id.in_(list(story_ids)))
    )
    return {story_id: (title, summary or "") for story_id, title, summary in rows.tuples()}


async def latest_reports(session: AsyncSession, story_ids: Collection[int]) -> dict[int, datetime]:
    """When each story last gained an independent report: an article of its own, not a copy
    (a near-duplicate, or a link to the same article from another feed)."""
    if not story_ids:
        return {}
    rows = await session.execute(
        select(Article.story_id, func.max(Article.fetched_at))
        .where(Article.story_id.in_(list(story_ids)), Article.near_duplicate_of.is_(None))
        .group_by(Article.story_id)
    )
    return dict(rows.tuples().all())


async def seen_stories(
    session: AsyncSession, subscriber_ids: Collection[int], story_ids: Collection[int]
) -> dict[tuple[int, int], Seen]:
    """For (subscriber, story) pairs already delivered: what the chat was shown, and when."""
    if not subscriber_ids or not story_ids:
        return {}
    rows = await session.execute(
        select(
            SentStory.subscriber_id, SentStory.story_id, SentStory.source_count, SentStory.sent_at
        ).where(
            SentStory.subscriber_id.in_(list(subscriber_ids)),
            SentStory.story_id.in_(list(story_ids)),
        )
    )
    return {(sub, story): Seen(count, at) for sub, story, count, at in rows.tuples()}


async def promised_payloads(
    session: AsyncSession, subscriber_ids: Collection[int], exclude: Collection[int] = ()
) -> list[tuple[int, str, int]]:
    """(subscriber, payload, parts sent) of built deliveries still going out to these chats:
    what they contain is promised and must not be offered again."""
    if not subscriber_ids:
        return []
    rows = await session.execute(
        select(Delivery.subscriber_id, Delivery.payload, Delivery.parts_sent).where(
            Delivery.subscriber_id.in_(list(subscriber_ids)),
            Delivery.status.in_(("pending", "sending")),
            Delivery.payload.is_not(None),
            Delivery.id.not_in(list(exclude)),
        )
    )
    return [(sub, payload, sent) for sub, payload, sent in rows.tuples()]


async def story_cards(session: AsyncSession, story_ids: Collection[int]) -> dict[int, StoryCard]:
    """The stories with their sources (one link per outlet, earliest article first)."""
    if not story_ids:
        return {}
    stories = await session.scalars(select(Story).where(Story.id.in_(list(story_ids))))
    cards = {
        s.id: StoryCard(s.id, s.title, s.summary, s.source_count, s.first_seen_at) for s in stories
    }
    articles = await session.execute(
        select(Article.story_id, Article.source_name, Article.url, Article.title, Article.image_url)
        .where(Article.story_id.in_(list(cards)))
        .order_by(Article.story_id, func.coalesce(Article.published_at, Article.fetched_at))
    )
    seen: set[tuple[int, str]] = set()
    for story_id, source_name, url, title, image_url in articles.tuples():
        card = cards[story_id]
        if card.image_url is None and image_url and image_url.startswith(("https://", "http://")):
            card.image_url = image_url
        name = source_label(source_name, url)
        if (story_id, name.lower()) in seen:
            continue
        seen.add((story_id, name.lower()))
        cards[story_id].sources.append(SourceLink(name, url, title))
    return cards


async def save_briefings(session: AsyncSession, results: Sequence[SavedBriefing]) -> None:
    """Store each payload on its row; rows with nothing to send are closed as empty.

    Executemany statements: a batch of briefings costs a handful of round trips, not several
    per row. What the chat saw is recorded only as its parts are delivered (`record_seen`).
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
        stmt = (
            update(deliveries)
            .where(by_id)
            .values(status="empty", claimed_until=None, claim_token=None)
        )
        await session.execute(stmt, empty)


async def record_seen(
    session: AsyncSession,
    subscriber_id: int,
    delivery_id: int,
    stories: Sequence[tuple[int, int]],
    at: datetime,
) -> None:
    """A part showing `stories` ((story, source count) pairs) reached the chat at `at`."""
    await session.execute(
        update(Subscriber).where(Subscriber.id == subscriber_id).values(last_briefing_at=at)
    )
    rows = [
        {
            "subscriber_id": subscriber_id,
            "story_id": story_id,
            "source_count": count,
            "delivery_id": delivery_id,
            "sent_at": at,
        }
        for story_id, count in dict(stories).items()
    ]
    if rows:
        await _remember_stories(session, rows)


async def _remember_stories(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    # A story shown in a briefing may have been merged into another since the briefing was built
    # (storage.stories.merge_stories moved its readers to the story it joined). Only stories that
    # still exist are recorded, and they are key-share locked so a merge cannot delete one
    # between this check and the insert.
    wanted = {row["story_id"] for row in rows}
    existing = set(
        (
            await session.scalars(
                select(Story.id).where(Story.id.in_(wanted)).with_for_update(key_share=True)
            )
        ).all()
    )
    rows = [row for row in rows if row["story_id"] in existing]
    if not rows:
        return
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
