"""What housekeeping deletes, in small batches: old articles, emptied stories, old feed
failures, and feed entries whose article is gone and whose retention has passed.

Every batch is its own short transaction (at most `batch` rows), so a large backlog, such as
the first run after a year without pruning, never holds SQLite's write lock or PostgreSQL's row
locks for long; other writers get in between two batches.

- **Articles** fetched before the cut-off go with their topics (ON DELETE CASCADE) and their
  search entries: SQLite's FTS5 index through the `articles_fts_delete` trigger, PostgreSQL's
  tsvector because it is a column of the row. Copies that named one as their original keep
  nothing but a NULL `near_duplicate_of`.
- **Feed entries** outlive their article (`feed_entries.article_id` becomes NULL, ON DELETE SET
  NULL), so the feed's GUID is still known and the same old item is never collected as new.
  An entry is deleted once it is older than its own retention *and* its article is gone.
- **Stories** left without any article go (their sent_stories rows with them), once their last
  update is older than the article cut-off too: a story that an article joined in a concurrent,
  not yet committed transaction is never taken for an empty one.
- **Feed failures** older than their cut-off go.
- **SQLite's search index** is then merged down (`storage.search.compact_search_index`, a
  bounded step per transaction): FTS5 records a deleted article as a delete marker, and without
  merging the markers into the segments that hold the originals the index would keep growing
  as if nothing were deleted (measured in docs/benchmarks.md, "Retention").
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import Article, FeedEntry, FeedFailure, Story
from storage.search import compact_search_index

BATCH = 500  # rows per transaction
# Feed entries are scanned oldest first (by id, which follows seen_at) a page at a time; the scan
# stops at a page whose last entry is this much younger than the cut-off (ids are handed out a
# little out of seen_at order: a feed check takes minutes).
ENTRY_SCAN_PAGE = 5_000
ENTRY_SCAN_SLACK = timedelta(days=1)
MERGE_PAGES = 2000  # FTS5 pages (~4 KB) one merge step writes, in one transaction
MAX_MERGE_STEPS = 10_000


@dataclass(frozen=True, slots=True)
class RetentionReport:
    """Rows one pruning run deleted."""

    articles: int = 0
    stories: int = 0
    feed_entries: int = 0
    feed_failures: int = 0
    search_merge_steps: int = 0  # transactions that merged SQLite's search index

    @property
    def total(self) -> int:
        """Rows deleted altogether."""
        return self.articles + self.stories + self.feed_entries + self.feed_failures


async def delete_old_articles(session: AsyncSession, *, before: datetime, limit: int) -> int:
    """Delete up to `limit` articles fetched before `before`; returns how many."""
    ids = list(
        await session.scalars(select(Article.id).where(Article.fetched_at < before).limit(limit))
    )
    return await _delete_ids(session, Article, ids)


async def delete_empty_stories(session: AsyncSession, *, before: datetime, limit: int) -> int:
    """Delete up to `limit` stories without articles, last updated before `before`."""
    has_article = exists().where(Article.story_id == Story.id)
    ids = list(
        await session.scalars(
            select(Story.id).where(Story.updated_at < before, ~has_article).limit(limit)
        )
    )
    return await _delete_ids(session, Story, ids)


async def delete_old_feed_failures(session: AsyncSession, *, before: datetime, limit: int) -> int:
    """Delete up to `limit` recorded feed failures older than `before`."""
    ids = list(
        await session.scalars(select(FeedFailure.id).where(FeedFailure.at < before).limit(limit))
    )
    return await _delete_ids(session, FeedFailure, ids)


async def old_feed_entry_ids(
    session: AsyncSession, *, before: datetime, after_id: int, page: int = ENTRY_SCAN_PAGE
) -> tuple[list[int], int | None]:
    """One page of the entry scan from `after_id` on: the ids of entries seen before `before`
    whose article is gone, and the id to go on from (None: the scan is over)."""
    rows = (
        await session.execute(
            select(FeedEntry.id, FeedEntry.seen_at, FeedEntry.article_id)
            .where(FeedEntry.id > after_id)
            .order_by(FeedEntry.id)
            .limit(page)
        )
    ).all()
    found = [row.id for row in rows if row.article_id is None and row.seen_at < before]
    if len(rows) < page or rows[-1].seen_at >= before + ENTRY_SCAN_SLACK:
        return found, None
    return found, rows[-1].id


async def delete_feed_entries(session: AsyncSession, ids: list[int]) -> int:
    """Delete these feed entries, if their article is still gone; returns how many."""
    if not ids:
        return 0
    result = await session.execute(
        delete(FeedEntry)
        .where(FeedEntry.id.in_(ids), FeedEntry.article_id.is_(None))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


async def _delete_ids(session: AsyncSession, model: type, ids: list[int]) -> int:
    if not ids:
        return 0
    result = await session.execute(
        delete(model)
        .where(model.id.in_(ids))  # type: ignore[attr-defined]
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


async def prune_old_data(
    db: Database,
    *,
    articles_before: datetime,
    feed_entries_before: datetime,
    feed_failures_before: datetime,
    batch: int = BATCH,
) -> RetentionReport:
    """Delete what retention lets go, `batch` rows per transaction (see the module's doc)."""

    async def in_batches(step: Callable[[AsyncSession], Awaitable[int]]) -> int:
        total = 0
        while True:
            async with db.session() as session:
                done = await step(session)
            total += done
            if done < batch:
                return total
            await asyncio.sleep(0)  # let the process's other work in between two batches

    articles = await in_batches(
        lambda s: delete_old_articles(s, before=articles_before, limit=batch)
    )
    stories = await in_batches(
        lambda s: delete_empty_stories(s, before=articles_before, limit=batch)
    )
    failures = await in_batches(
        lambda s: delete_old_feed_failures(s, before=feed_failures_before, limit=batch)
    )
    entries = 0
    after_id: int | None = 0
    while after_id is not None:
        async with db.session() as session:
            ids, after_id = await old_feed_entry_ids(
                session, before=feed_entries_before, after_id=after_id
            )
        for start in range(0, len(ids), batch):
            async with db.session() as session:
                entries += await delete_feed_entries(session, ids[start : start + batch])
            await asyncio.sleep(0)
    steps = 0
    if articles:
        while steps < MAX_MERGE_STEPS:
            async with db.session() as session:
                worked = await compact_search_index(session, MERGE_PAGES)
            if not worked:
                break
            steps += 1
            await asyncio.sleep(0)
    return RetentionReport(articles, stories, entries, failures, steps)
