"""The collector's schedule of feeds: claims with a lease, and what each check records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Feed, FeedFailure


@dataclass(frozen=True, slots=True)
class ClaimedFeed:
    """A feed a worker holds a lease on, with what a check needs to know about it."""

    id: int
    url: str
    topic_id: int
    title: str | None
    etag: str | None
    last_modified: str | None
    error_count: int
    paused: bool
    ttl_seconds: int | None
    last_success_at: datetime | None = None  # None: never worked (maybe a page, not a feed)


async def claim_feeds(
    session: AsyncSession,
    *,
    now: datetime,
    lease_until: datetime,
    limit: int,
    due_only: bool = True,
    ids: Sequence[int] | None = None,
    include_paused: bool = False,
    checked_before: datetime | None = None,
) -> list[ClaimedFeed]:
    """Lease up to `limit` feeds no other worker holds (SKIP LOCKED on PostgreSQL), due first.

    `checked_before` keeps a pass from taking a feed that another worker has already checked
    since the pass began.
    """
    candidates = select(Feed.id).where(or_(Feed.claimed_until.is_(None), Feed.claimed_until <= now))
    if not include_paused:
        candidates = candidates.where(Feed.paused.is_(False))
    if due_only:
        candidates = candidates.where(Feed.next_check_at <= now)
    if ids is not None:
        candidates = candidates.where(Feed.id.in_(list(ids)))
    if checked_before is not None:
        candidates = candidates.where(
            or_(Feed.last_checked_at.is_(None), Feed.last_checked_at < checked_before)
        )
    # One UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED): concurrent workers on
    # PostgreSQL each get different rows; SQLite runs the statement atomically (one writer).
    candidates = (
        candidates.order_by(Feed.next_check_at, Feed.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = await session.scalars(
        update(Feed)
        .where(Feed.id.in_(candidates.scalar_subquery()))
        .values(claimed_until=lease_until)
        .returning(Feed.id)
        .execution_options(synchronize_session=False)
    )
    claimed_ids = list(claimed)
    if not claimed_ids:
        return []
    rows = await session.execute(
        select(
            Feed.id,
            Feed.url,
            Feed.topic_id,
            Feed.title,
            Feed.etag,
            Feed.last_modified,
            Feed.error_count,
            Feed.paused,
            Feed.ttl_seconds,
            Feed.last_success_at,
        )
        .where(Feed.id.in_(claimed_ids))
        .order_by(Feed.next_check_at, Feed.id)
    )
    return [ClaimedFeed(*row) for row in rows.all()]


async def move_feed(session: AsyncSession, feed_id: int, url: str) -> int | None:
    """Point a feed at `url` (the feed a page it was added with links to); if another feed
    already has that URL, change nothing and return that feed's id."""
    other = await session.scalar(select(Feed.id).where(Feed.url == url, Feed.id != feed_id))
    if other is not None:
        return int(other)
    await session.execute(update(Feed).where(Feed.id == feed_id).values(url=url))
    return None


async def unpaused_feed_ids(session: AsyncSession) -> list[int]:
    """Ids of every feed that is not paused."""
    return list(await session.scalars(select(Feed.id).where(Feed.paused.is_(False))))


async def release_claim(session: AsyncSession, feed_id: int) -> None:
    """Give a lease back without recording a check."""
    await session.execute(update(Feed).where(Feed.id == feed_id).values(claimed_until=None))


async def record_feed_success(
    session: AsyncSession,
    feed_id: int,
    *,
    now: datetime,
    next_check_at: datetime,
    etag: str | None,
    last_modified: str | None,
    title: str | None = None,
    site_url: str | None = None,
    ttl_seconds: int | None = None,
) -> None:
    """A successful check: store validators and TTL, reset the failure count, schedule, release."""
    values: dict[str, object] = {
        "etag": (etag or None) and etag[:500],
        "last_modified": (last_modified or None) and last_modified[:200],
        "last_checked_at": now,
        "last_success_at": now,
        "error_count": 0,
        "last_error": None,
        "paused": False,
        "pause_notified": False,
        "next_check_at": next_check_at,
        "claimed_until": None,
        "ttl_seconds": ttl_seconds,
    }
    await session.execute(update(Feed).where(Feed.id == feed_id).values(**values))
    # The feed's own title and site fill in what the admin left blank; an admin's title stays.
    if title:
        await session.execute(
            update(Feed).where(Feed.id == feed_id, Feed.title.is_(None)).values(title=title[:500])
        )
    if site_url:
        await session.execute(
            update(Feed)
            .where(Feed.id == feed_id, Feed.site_url.is_(None))
            .values(site_url=site_url[:2048])
        )


async def record_feed_failure(
    session: AsyncSession,
    feed_id: int,
    *,
    now: datetime,
    reason: str,
    error_count: int,
    next_check_at: datetime,
    pause: bool,
) -> None:
    """A failed check: store the reason, the new failure count and schedule; pause if told to."""
    session.add(FeedFailure(feed_id=feed_id, at=now, reason=reason))
    values: dict[str, object] = {
        "last_checked_at": now,
        "error_count": error_count,
        "last_error": reason,
        "next_check_at": next_check_at,
        "claimed_until": None,
    }
    await session.execute(update(Feed).where(Feed.id == feed_id).values(**values))
    if pause:
        await session.execute(
            update(Feed)
            .where(Feed.id == feed_id, Feed.paused.is_(False))
            .values(paused=True, pause_notified=False)
        )
    await session.flush()


async def take_pause_notices(session: AsyncSession) -> list[str]:
    """URLs of paused feeds not yet announced, now marked announced: only one caller gets each."""
    urls = await session.scalars(
        update(Feed)
        .where(and_(Feed.paused.is_(True), Feed.pause_notified.is_(False)))
        .values(pause_notified=True)
        .returning(Feed.url)
        .execution_options(synchronize_session=False)
    )
    return sorted(urls)
