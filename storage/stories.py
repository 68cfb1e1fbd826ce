"""Queries on stories: create one for an article, or join an article to an existing one."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Article, Feed, FeedEntry, Story


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
    names = set(
        await session.scalars(
            select(Article.source_name).where(
                Article.story_id == story_id, Article.source_name.is_not(None)
            )
        )
    )
    feeds = await session.execute(
        select(Feed.title, Feed.url)
        .join(FeedEntry, FeedEntry.feed_id == Feed.id)
        .join(Article, Article.id == FeedEntry.article_id)
        .where(Article.story_id == story_id)
        .distinct()
    )
    for title, url in feeds.all():
        names.add(title or urlsplit(url).hostname or url)
    return {name.strip().lower() for name in names if name and name.strip()}


async def refresh_story(session: AsyncSession, story_id: int, now: datetime) -> int:
    """Recount a story's distinct sources after an article joined it; returns the count."""
    story = await session.get(Story, story_id, with_for_update=True)
    if story is None:
        return 0
    count = max(1, len(await story_sources(session, story_id)))
    if count != story.source_count:
        story.source_count = count
        story.updated_at = now
    await session.flush()
    return count
