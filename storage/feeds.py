"""Queries on feeds as admins manage them: add, find, list, remove, weigh, pause, resume,
import. A feed's short number, as admins see it ("#12"), is its id."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from storage.clock import utcnow
from storage.models import Feed, FeedFailure
from storage.topics import TopicError, add_topic, get_topic, topic_title


class FeedError(ValueError):
    """A feed operation the user asked for cannot be done; the message says why."""


def feed_number(ref: str | int) -> int | None:
    """The feed id in a reference: 12, "12" or "#12" (None for anything else, e.g. a URL)."""
    if isinstance(ref, int):
        return ref
    text = ref.strip().removeprefix("#")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


async def add_feed(session: AsyncSession, topic_name: str, url: str) -> Feed:
    """Add a feed to a topic, due for its first check now; raise FeedError on a bad request."""
    topic = await get_topic(session, topic_name)
    if topic is None:
        raise FeedError(f"no topic named '{topic_title(topic_name)}'; add it first")
    existing = await get_feed(session, url)
    if existing is not None:
        raise FeedError(f"feed {url} is already added (#{existing.id})")
    now = utcnow()
    feed = Feed(url=url, topic_id=topic.id, next_check_at=now, created_at=now)
    session.add(feed)
    await session.flush()
    return feed


async def get_feed(session: AsyncSession, url: str) -> Feed | None:
    """The feed with exactly this URL, or None."""
    return await session.scalar(select(Feed).where(Feed.url == url))


async def find_feed(session: AsyncSession, ref: str | int) -> Feed:
    """The feed a person named: its number (12 or #12, as /feeds shows it) or its exact URL,
    with its topic loaded; raise FeedError if there is none."""
    number = feed_number(ref)
    query = select(Feed).options(joinedload(Feed.topic))
    if number is not None:
        feed = await session.scalar(query.where(Feed.id == number))
        missing = f"no feed #{number}"
    else:
        feed = await session.scalar(query.where(Feed.url == str(ref).strip()))
        missing = f"no feed with URL {str(ref).strip()}"
    if feed is None:
        raise FeedError(missing)
    return feed


async def list_feeds(session: AsyncSession) -> list[Feed]:
    """Every feed with its topic loaded, by topic then URL."""
    rows = await session.scalars(
        select(Feed).options(joinedload(Feed.topic)).order_by(Feed.topic_id, Feed.url)
    )
    return list(rows)


async def remove_feed(session: AsyncSession, ref: str | int) -> Feed:
    """Delete a feed by number or URL (its articles stay); raise FeedError if it does not
    exist."""
    feed = await find_feed(session, ref)
    await session.delete(feed)
    await session.flush()
    return feed


MAX_FEED_WEIGHT = 10.0


async def set_feed_weight(session: AsyncSession, ref: str | int, weight: float) -> Feed:
    """Set how much a feed's stories weigh in briefings (0-10; 1 is the default)."""
    if not 0.0 <= weight <= MAX_FEED_WEIGHT:
        raise FeedError(f"the weight must be between 0 and {MAX_FEED_WEIGHT:g}")
    feed = await find_feed(session, ref)
    feed.weight = weight
    await session.flush()
    return feed


async def resume_feed(session: AsyncSession, ref: str | int) -> Feed:
    """Unpause a feed and make it due now; raise FeedError if it does not exist."""
    feed = await find_feed(session, ref)
    feed.paused = False
    feed.pause_notified = False
    feed.error_count = 0
    feed.next_check_at = utcnow()
    await session.flush()
    return feed


async def pause_feed(session: AsyncSession, ref: str | int) -> Feed:
    """Stop checking a feed until it is resumed (its articles stay); raise FeedError if it does
    not exist."""
    feed = await find_feed(session, ref)
    feed.paused = True
    # An admin's own pause is no news to the admins: the collector announces only feeds it
    # paused after failures, and it takes those whose notice is still owed.
    feed.pause_notified = True
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


# The reason an import gives for a feed it already has (callers tell it from real failures).
ALREADY_ADDED = "already added"


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
        if not url.lower().startswith(("http://", "https://")) or not _has_host(url):
            result.skipped.append((url, "not an http or https URL"))
            continue
        if len(url) > 2048:
            result.skipped.append((url[:80] + "…", "URL longer than 2048 characters"))
            continue
        if await get_feed(session, url) is not None:
            result.skipped.append((url, ALREADY_ADDED))
            continue
        topic_name = (item.topic or "").strip() or default_topic
        topic = await get_topic(session, topic_name)
        if topic is None:
            try:
                topic = await add_topic(session, topic_name)
            except TopicError as exc:
                result.skipped.append((url, f"topic {topic_name!r}: {exc}"))
                continue
            result.topics_created.append(topic.title)
        now = utcnow()
        title = (item.title or "").strip()[:500] or None
        session.add(
            Feed(url=url, topic_id=topic.id, title=title, next_check_at=now, created_at=now)
        )
        await session.flush()
        result.added.append(url)
    return result


def _has_host(url: str) -> bool:
    """Whether an http(s) URL names a host ("https://" alone or "http://[::1" do not)."""
    try:
        return bool(urlsplit(url).hostname)
    except ValueError:  # a malformed IPv6 literal or port
        return False
