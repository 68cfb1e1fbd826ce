"""Placing a new article in a story: its near-duplicate's, the most similar recent one's, or
a story of its own; and pooling a grown story's summary across its sources."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from collector.clustering import StoryClusterer
from collector.dedup import IndexedArticle
from storage.articles import set_article_story
from storage.stories import (
    ClusterRow,
    StoryText,
    create_story,
    merge_stories,
    refresh_story,
    set_story_summary,
    story_exists,
    story_texts,
)
from summarizer.multidoc import StoryArticle, summarize_story

log = logging.getLogger(__name__)


async def place_in_story(
    session: AsyncSession,
    *,
    article_id: int,
    title: str,
    summary: str,
    near: IndexedArticle | None,
    now: datetime,
    text: str = "",
    clusterer: StoryClusterer | None = None,
    language: str | None = None,
) -> int:
    """Join the near-duplicate's story, else the open story the article reports (by
    `clusterer`; `language` is the article's ISO code, None when not known), else start one;
    the joined story recounts its sources. Returns the story id."""
    near_id = near.article_id if near is not None else None
    story_id = near.story_id if near is not None else None
    article = clusterer.terms(title, text, language) if clusterer is not None else None
    if story_id is None and clusterer is not None and article is not None:
        match = clusterer.best_match(article, now)
        # The clusterer may name a story of a transaction that rolled back or is not yet
        # committed: check, and start a new story rather than break a foreign key.
        if match is not None and await story_exists(session, match.story_id):
            story_id = match.story_id
            also = [o for o in match.also if await story_exists(session, o)]
            if also:  # the article shows these stories to be one event: merged into the oldest
                await merge_stories(session, story_id, also, now)
                clusterer.merge(story_id, also)
    if story_id is not None:
        await set_article_story(session, article_id, story_id, near_duplicate_of=near_id)
        await refresh_story(session, story_id, now)
    else:
        story = await create_story(session, title=title, summary=summary, now=now)
        await set_article_story(session, article_id, story.id, near_duplicate_of=near_id)
        story_id = story.id
    if clusterer is not None and article is not None:
        clusterer.add(article_id, story_id, article, now)
    return story_id


def remember_recent(clusterer: StoryClusterer, rows: Sequence[ClusterRow]) -> None:
    """Put stored articles (of this or another worker) in the clusterer, oldest first, in the
    language detected when they were stored (told from the text for older ones)."""
    for row in rows:
        if row.article_id in clusterer:
            continue
        clusterer.add(
            row.article_id,
            row.story_id,
            clusterer.terms(row.title, row.text, row.language),
            row.fetched_at,
        )


def pool_summary(texts: Sequence[StoryText], sentences: int) -> str:
    """A story's summary pooled across its articles, sentences one per line (worker side)."""
    articles = [StoryArticle(t.source, t.title, t.text) for t in texts]
    return "\n".join(summarize_story(articles, sentences))


async def resummarize_stories(
    reading: Callable[[], AbstractAsyncContextManager[AsyncSession]],
    writing: Callable[[], AbstractAsyncContextManager[AsyncSession]],
    story_ids: Sequence[int],
    sentences: int,
    run: Callable[..., Awaitable[str]],
) -> int:
    """Pool the summary of each grown story in a worker (`run`); returns how many changed."""
    changed = 0
    for story_id in story_ids:
        async with reading() as session:
            texts = await story_texts(session, story_id)
        if len({t.source for t in texts}) < 2:
            continue
        try:
            summary = await run(pool_summary, texts, sentences)
        except Exception:  # a summary is best effort; the story keeps its previous one
            log.warning("pooling the summary of story %d failed", story_id, exc_info=True)
            continue
        if summary.strip():
            async with writing() as session:
                await set_story_summary(session, story_id, summary)
            changed += 1
    return changed
