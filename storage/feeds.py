"""Queries on feeds: the admin's view (add, list, remove, import) and the collector's schedule."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from storage.clock import utcnow
from storage.models import Feed, FeedFailure
from storage.topics import TopicError, add_topic, get_topic, topic_slug


class FeedError(ValueError):
    """A feed operation the user asked for cannot be done; the message says why."""


async def add_feed(session: AsyncSession, topic_name: str, url: str) -> Feed:
    """Add a feed to a topic, due for its first check now; raise FeedError on a bad request."""
    topic = await get_topic(session, topic_name)
    if topic is None:
        raise FeedError(f"no topic named {topic_slug(topic_name)!r}; add it first")
    if await get_feed(session, url) is not None:
        raise FeedError(f"feed {url} is already added")
    now = utcnow()
    feed = Feed(url=url, topic_id=topic.id, next_check_at=now, created_at=now)
    session.add(feed)
    await session.flush()
    return feed


async def get_feed(session: AsyncSession, url: str) -> Feed | None:
    """The feed with exactly this URL, or None."""
    return await session.scalar(select(Feed).where(Feed.url == url))


async def list_feeds(session: AsyncSession) -> list[Feed]:
    """Every feed with its topic loaded, by topic then URL."""
    rows = await session.scalars(
        select(Feed).options(joinedload(Feed.topic)).order_by(Feed.topic_id, Feed.url)
    )
    return list(rows)


async def remove_feed(session: AsyncSession, url: str) -> Feed:
    """Delete a feed (its articles stay); raise FeedError if it does not exist."""
    feed = await get_feed(session, url)
    if feed is None:
        raise FeedError(f"no feed with URL {url}")
    await session.delete(feed)
    await session.flush()
    return feed


MAX_FEED_WEIGHT = 10.0


async def set_feed_weight(session: AsyncSession, url: str, weight: float) -> Feed:
    """Set how much a feed's stories weigh in briefings (0-10; 1 is the default)."""
    if not 0.0 <= weight <= MAX_FEED_WEIGHT:
        raise FeedError(f"the weight must be between 0 and {MAX_FEED_WEIGHT:g}")
    feed = await get_feed(session, url)
    if feed is None:
        raise FeedError(f"no feed with URL {url}")
    feed.weight = weight
    await session.flush()
    return feed


async def resume_feed(session: AsyncSession, url: str) -> Feed:
    """Unpause a feed and make it due now; raise FeedError if it does not exist."""
    feed = await get_feed(session, url)
    if feed is None:
        raise FeedError(f"no feed with URL {url}")
    feed.paused = False
    feed.pause_notified = False
    feed.error_count = 0
    feed.next_check_at = utcnow()
    await session.flush()
    return feed


async def recent_failures(
    session: AsyncSession, feed_id: int, limit: int = 20
) -> list[FeedFailure]:
    """A feed's latest failures, newest first."""
    rows = await session.scalars(
        select(FeedFailure)
        .where(FeedFailure.feed_id == feed_id)
        .order_by(FeedFailure.at.desc(), FeedFailure.id.desc())
        .limit(limit)
    )
    return list(rows)


# --- OPML import -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedImport:
    """A feed to import: its URL, an optional title and the topic it goes to (None: default)."""

    url: str
    title: str | None = None
    topic: str | None = None


@dataclass(slots=True)
class ImportResult:
    """What an import did: feeds added, topics created, and entries skipped with the reason."""

    added: list[str] = field(default_factory=list)
    topics_created: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


async def import_feeds(
    session: AsyncSession, feeds: Iterable[FeedImport], default_topic: str
) -> ImportResult:
    """Add feeds, creating their topics as needed; already present or invalid ones are skipped."""
    result = ImportResult()
    for item in feeds:
        url = item.url.strip()
        if not url.lower().startswith(("http://", "https://")):
            result.skipped.append((url, "not an http or https URL"))
            continue
        if len(url) > 2048:
            result.skipped.append((url[:80] + "…", "URL longer than 2048 characters"))
            continue
        if await get_feed(session, url) is not None:
            result.skipped.append((url, "already added"))
            continue
        topic_name = (item.topic or "").strip() or default_topic
        topic = await get_topic(session, topic_name)
        if topic is None:
            try:
                topic = await add_topic(session, topic_name)
            except TopicError as exc:
                result.skipped.append((url, f"topic {topic_name!r}: {exc}"))
                continue
            result.topics_created.append(topic.name)
        now = utcnow()
        title = (item.title or "").strip()[:500] or None
        session.add(
            Feed(url=url, topic_id=topic.id, title=title, next_check_at=now, created_at=now)
        )
        await session.flush()
        result.added.append(url)
    return result


# --- the collector's schedule ------------------------------------------------------------------


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
        )
        .where(Feed.id.in_(claimed_ids))
        .order_by(Feed.next_check_at, Feed.id)
    )
    return [ClaimedFeed(*row) for row in rows.all()]


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


__all__ = [
    "ClaimedFeed",
    "FeedError",
    "FeedImport",
    "ImportResult",
    "TopicError",
    "add_feed",
    "claim_feeds",
    "get_feed",
    "import_feeds",
    "list_feeds",
    "record_feed_failure",
    "record_feed_success",
    "release_claim",
    "remove_feed",
    "resume_feed",
    "take_pause_notices",
    "unpaused_feed_ids",
]
