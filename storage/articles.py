"""Queries on articles: identity lookups, conflict-safe inserts, feed entries and topics."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_insert
from storage.models import Article, ArticleTopic, FeedEntry

_CHUNK = 500  # stay far below every backend's bound-parameter limit


def insert_ignoring_conflicts(session: AsyncSession, table: Any) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING: the unique constraints decide what is a duplicate."""
    return dialect_insert(session)(table).on_conflict_do_nothing()


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


async def known_guids(session: AsyncSession, feed_id: int, guids: Sequence[str]) -> set[str]:
    """The GUIDs among `guids` this feed has already delivered."""
    found: set[str] = set()
    for chunk in _chunks(list(guids)):
        rows = await session.scalars(
            select(FeedEntry.guid).where(FeedEntry.feed_id == feed_id, FeedEntry.guid.in_(chunk))
        )
        found.update(rows)
    return found


async def article_ids_by_url(session: AsyncSession, urls: Sequence[str]) -> dict[str, int]:
    """Stored article ids by canonical URL, for those of `urls` already stored."""
    found: dict[str, int] = {}
    for chunk in _chunks(list(dict.fromkeys(urls))):
        rows = await session.execute(select(Article.url, Article.id).where(Article.url.in_(chunk)))
        found.update({url: article_id for url, article_id in rows.all()})
    return found


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """The identity of an article already in the store."""

    id: int
    story_id: int | None


async def insert_article(session: AsyncSession, **fields: Any) -> int | None:
    """Insert an article; None when its URL or fingerprint is already stored (nothing written)."""
    statement = insert_ignoring_conflicts(session, Article).values(**fields).returning(Article.id)
    return (await session.execute(statement)).scalar_one_or_none()


async def find_same_article(
    session: AsyncSession, url: str, fingerprint: str
) -> StoredArticle | None:
    """The stored article with this canonical URL or content fingerprint, or None."""
    row = (
        await session.execute(
            select(Article.id, Article.story_id)
            .where(or_(Article.url == url, Article.fingerprint == fingerprint))
            .order_by(Article.id)
            .limit(1)
        )
    ).first()
    return StoredArticle(row.id, row.story_id) if row else None


async def link_feed_entry(
    session: AsyncSession, feed_id: int, guid: str, article_id: int, now: datetime
) -> bool:
    """Record that a feed carried an article under a GUID; False if it was already recorded."""
    statement = (
        insert_ignoring_conflicts(session, FeedEntry)
        .values(feed_id=feed_id, guid=guid, article_id=article_id, seen_at=now)
        .returning(FeedEntry.id)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def add_article_topics(
    session: AsyncSession, article_id: int, topic_ids: Iterable[int], *, via: str = "feed"
) -> None:
    """Put an article in these topics, because a feed of theirs carried it (`via` "feed") or
    their keywords matched ("keywords"); a keyword match found to be a feed's becomes "feed"."""
    rows = [{"article_id": article_id, "topic_id": t, "via": via} for t in sorted(set(topic_ids))]
    if not rows:
        return
    stmt = dialect_insert(session)(ArticleTopic)
    if via == "feed":
        stmt = stmt.on_conflict_do_update(
            index_elements=[ArticleTopic.article_id, ArticleTopic.topic_id],
            set_={"via": "feed"},
        )
    else:
        stmt = stmt.on_conflict_do_nothing()
    await session.execute(stmt, rows)


async def article_topic_ids(session: AsyncSession, article_id: int) -> set[int]:
    """The ids of the topics an article belongs to."""
    rows = await session.scalars(
        select(ArticleTopic.topic_id).where(ArticleTopic.article_id == article_id)
    )
    return set(rows)


async def set_article_story(
    session: AsyncSession, article_id: int, story_id: int, near_duplicate_of: int | None = None
) -> None:
    """Attach an article to a story, noting the article it nearly duplicates if any."""
    await session.execute(
        update(Article)
        .where(Article.id == article_id)
        .values(story_id=story_id, near_duplicate_of=near_duplicate_of)
    )


@dataclass(frozen=True, slots=True)
class SimhashRow:
    """An article's near-duplicate signature with its story."""

    article_id: int
    simhash: int
    story_id: int | None
    fetched_at: datetime


async def recent_simhashes(
    session: AsyncSession, since: datetime, after_id: int = 0
) -> list[SimhashRow]:
    """Signatures of articles fetched since `since` with an id above `after_id`, oldest first."""
    rows = await session.execute(
        select(Article.id, Article.simhash, Article.story_id, Article.fetched_at)
        .where(Article.fetched_at >= since, Article.id > after_id, Article.simhash.is_not(None))
        .order_by(Article.id)
    )
    return [SimhashRow(*row) for row in rows.all()]


async def article_text(session: AsyncSession, article_id: int) -> str | None:
    """The stored text of an article, or None if there is no such article."""
    return await session.scalar(select(Article.text).where(Article.id == article_id))


async def get_article(session: AsyncSession, article_id: int) -> Article | None:
    """The article with this id, or None."""
    return await session.get(Article, article_id)


async def count_articles(session: AsyncSession) -> int:
    """How many articles are stored."""
    return int(await session.scalar(select(func.count(Article.id))) or 0)
