"""Stories for issue 4: a new article starts a story unless it nearly duplicates a recent one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from collector.dedup import IndexedArticle
from storage.articles import set_article_story
from storage.stories import create_story, refresh_story


async def place_in_story(
    session: AsyncSession,
    *,
    article_id: int,
    title: str,
    summary: str,
    near: IndexedArticle | None,
    now: datetime,
) -> int:
    """Join the near-duplicate's story (recounting its sources) or start one; return its id."""
    near_id = near.article_id if near is not None else None
    if near is not None and near.story_id is not None:
        await set_article_story(session, article_id, near.story_id, near_duplicate_of=near_id)
        await refresh_story(session, near.story_id, now)
        return near.story_id
    story = await create_story(session, title=title, summary=summary, now=now)
    await set_article_story(session, article_id, story.id, near_duplicate_of=near_id)
    return story.id
