"""Queries on stories: create, join, recount sources, what clustering and pooling read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_insert
from storage.models import Article, Feed, FeedEntry, SentStory, Story
from storage.sources import source_label


async def create_story(session: AsyncSession, *, title: str, summary: str, now: datetime) -> Story:
    """A new story of one source."""
    story = Story(
        title=title[:1000], summary=summary, source_count=1, first_seen_at=now, updated_at=now
    )
    session.add(story)
    await session.flush()
    return story


async def story_sources(session: AsyncSession, story_id: int) -> set[str]:
    """Distinct source names of a story: its articles' sources and the feeds that carried them."""
    articles = await session.execute(
        select(Article.source_name, Article.url).where(Article.story_id == story_id)
    )
    names = {source_label(name, url) for name, url in articles.tuples()}
    feeds = await session.execute(
        select(Feed.title, Feed.url)
        .join(FeedEntry, FeedEntry.feed_id == Feed.id)
        .join(Article, Article.id == FeedEntry.article_id)
        .where(Article.story_id == story_id)
        .distinct()
    )
    for title, url in feeds.all():
        names.add(source_label(title, url))
    return {name.strip().lower() for name in names if name and name.strip()}


async def refresh_story(session: AsyncSession, story_id: int, now: datetime) -> int:
    """Recount a story's distinct sources after an article joined it; returns the count."""
    # FOR NO KEY UPDATE: it must not wait on the key-share locks that other transactions
    # take by pointing their new articles at this story (that wait deadlocked two workers).
    story = await session.get(Story, story_id, with_for_update={"key_share": True})
    if story is None:
        return 0
    count = max(1, len(await story_sources(session, story_id)))
    if count != story.source_count:
        story.source_count = count
        story.updated_at = now
    await session.flush()
    return count


@dataclass(frozen=True, slots=True)
class ClusterRow:
    """A recent article as the story clusterer needs it: identity, story, time, words."""

    article_id: int
    story_id: int
    title: str
    text: str
    fetched_at: datetime
    language: str | None = None  # detected when stored; None for articles stored before


async def recent_story_articles(
    session: AsyncSession, since: datetime, after_id: int = 0, text_chars: int = 4000
) -> list[ClusterRow]:
    """Articles in a story fetched since `since` with an id above `after_id`, oldest first;
    only the opening `text_chars` of each text (the clusterer reads no further)."""
    rows = await session.execute(
        select(
            Article.id,
            Article.story_id,
            Article.title,
            func.substr(Article.text, 1, text_chars),
            Article.fetched_at,
            Article.language,
        )
        .where(Article.fetched_at >= since, Article.id > after_id, Article.story_id.is_not(None))
        .order_by(Article.id)
    )
    return [ClusterRow(*row) for row in rows.tuples()]


async def story_exists(session: AsyncSession, story_id: int) -> bool:
    """Whether the story is stored (and visible to this transaction)."""
    return await session.scalar(select(Story.id).where(Story.id == story_id)) is not None


async def grown_stories(session: AsyncSession, since: datetime) -> list[int]:
    """Stories of several sources updated at or after `since`: their summary needs pooling."""
    rows = await session.scalars(
        select(Story.id).where(Story.updated_at >= since, Story.source_count > 1).order_by(Story.id)
    )
    return list(rows)


@dataclass(frozen=True, slots=True)
class StoryText:
    """One article of a story: its source, title and text, in the order they arrived."""

    source: str
    title: str
    text: str


async def story_texts(
    session: AsyncSession, story_id: int, limit: int = 12, text_chars: int = 20_000
) -> list[StoryText]:
    """The first `limit` articles of a story with their (cut) texts, earliest first."""
    rows = await session.execute(
        select(
            Article.source_name,
            Article.url,
            Article.title,
            func.substr(Article.text, 1, text_chars),
        )
        .where(Article.story_id == story_id)
        .order_by(Article.fetched_at, Article.id)
        .limit(limit)
    )
    return [
        StoryText(source_label(source, url), title, text or "")
        for source, url, title, text in rows.tuples()
    ]


async def set_story_summary(session: AsyncSession, story_id: int, summary: str) -> None:
    """Store a story's pooled summary (sentences one per line)."""
    await session.execute(update(Story).where(Story.id == story_id).values(summary=summary))


async def merge_stories(
    session: AsyncSession, keep: int, others: Sequence[int], now: datetime
) -> None:
    """Fold `others` into story `keep`: their articles move, the earliest first-seen time stays;
    the emptied stories go (a subscriber who saw one sees the merged story as an update)."""
    others = [o for o in others if o != keep]
    if not others:
        return
    # Locked first: a delivery recording that a reader saw one of them (key-share lock,
    # storage.briefings) finishes before the readers are carried over, or waits and finds the
    # story gone.
    await session.execute(select(Story.id).where(Story.id.in_(others)).with_for_update())
    first_seen = await session.scalar(
        select(func.min(Story.first_seen_at)).where(Story.id.in_([keep, *others]))
    )
    await session.execute(update(Article).where(Article.story_id.in_(others)).values(story_id=keep))
    if first_seen is not None:
        await session.execute(
            update(Story).where(Story.id == keep).values(first_seen_at=first_seen)
        )
    # Whoever was shown a folded story has seen the merged one as it was then: it comes back
    # as an update when it has more sources, not as news they never read.
    seen = (
        select(
            SentStory.subscriber_id,
            literal(keep).label("story_id"),
            func.max(SentStory.source_count),
            func.max(SentStory.delivery_id),
            func.max(SentStory.sent_at),
        )
        .where(SentStory.story_id.in_(others))
        .group_by(SentStory.subscriber_id)
    )
    columns = ["subscriber_id", "story_id", "source_count", "delivery_id", "sent_at"]
    await session.execute(
        dialect_insert(session)(SentStory).from_select(columns, seen).on_conflict_do_nothing()
    )
    await session.execute(delete(Story).where(Story.id.in_(others)))
    await refresh_story(session, keep, now)
