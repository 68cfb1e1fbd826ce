"""Queries on topics."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.clock import utcnow
from storage.models import Feed, Subscription, Topic

MAX_NAME = 64  # topics.name is VARCHAR(64); a title is held to the same length
# Slugs made before they were Unicode kept only a-z and 0-9 ("Économie" became "conomie").
_LEGACY_SLUG_RE = re.compile(r"[^a-z0-9]+")


class TopicError(ValueError):
    """A topic operation the user asked for cannot be done; the message says why."""


def topic_title(name: str) -> str:
    """A topic name as it is shown: surrounding space removed, inner runs of space made one."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def topic_slug(name: str) -> str:
    """The lookup key of a topic name: case-folded, letters and digits of any script kept,
    everything else one '-' ("Science & Health" -> "science-health", "Économie" -> "économie")."""
    # NFKC first: a decomposed "é" (e + combining accent, as some keyboards type it) and a
    # composed one must give the same slug, and full-width letters their plain form.
    folded = unicodedata.normalize("NFKC", name).casefold()
    kept = "".join(c if unicodedata.category(c)[0] in "LMN" else " " for c in folded)
    return unicodedata.normalize("NFC", "-".join(kept.split()))


def _legacy_slug(name: str) -> str:
    return _LEGACY_SLUG_RE.sub("-", name.strip().lower()).strip("-")


def check_keywords(keywords: list[str]) -> list[str]:
    """The keywords, each made of at least one letter or digit; TopicError names one that is not
    (a lone "&" is usually a topic name of several words typed without its quotes)."""
    for keyword in keywords:
        if not topic_slug(keyword.lstrip("-")):
            raise TopicError(f"“{keyword}” is not a keyword: a keyword needs a letter or digit")
    return keywords


async def add_topic(session: AsyncSession, name: str, keywords: list[str] | None = None) -> Topic:
    """Create a topic; raise TopicError if the name is empty, too long or already taken."""
    title = topic_title(name)
    slug = topic_slug(title)
    if not slug:
        raise TopicError("a topic name needs at least one letter or digit")
    if len(title) > MAX_NAME or len(slug) > MAX_NAME:
        raise TopicError(f"a topic name can be at most {MAX_NAME} characters")
    words = check_keywords(list(keywords or []))
    existing = await get_topic(session, title)
    if existing is not None:
        raise TopicError(f"the topic “{existing.title}” already exists")
    topic = Topic(name=slug, title=title, keywords=" ".join(words), created_at=utcnow())
    session.add(topic)
    await session.flush()
    return topic


async def get_topic(session: AsyncSession, name: str) -> Topic | None:
    """The topic named `name`: its title or its slug, in any case or spacing, or None."""
    slug = topic_slug(name)
    if not slug:
        return None
    found = await session.scalar(select(Topic).where(Topic.name == slug))
    if found is not None:
        return found
    # Topics made before slugs were Unicode ("conomie" for "Économie") are found by title.
    # Topics are few (a few dozen), so comparing them here is cheaper than another column.
    legacy = _legacy_slug(name)
    for topic in await session.scalars(select(Topic).order_by(Topic.id)):
        if topic_slug(topic.title) == slug or (legacy and topic.name == legacy):
            return topic
    return None


async def topic_by_id(session: AsyncSession, topic_id: int) -> Topic | None:
    """The topic with this id (a button carries it), or None."""
    return await session.get(Topic, topic_id)


async def list_topics(session: AsyncSession) -> list[tuple[Topic, int, int]]:
    """Every topic with its number of feeds and of subscribers, by name."""
    feed_count = select(func.count(Feed.id)).where(Feed.topic_id == Topic.id).scalar_subquery()
    subscriber_count = (
        select(func.count())
        .select_from(Subscription)
        .where(Subscription.topic_id == Topic.id)
        .scalar_subquery()
    )
    rows = await session.execute(select(Topic, feed_count, subscriber_count).order_by(Topic.name))
    return [(topic, feeds, subscribers) for topic, feeds, subscribers in rows.all()]


@dataclass(frozen=True, slots=True)
class TopicUse:
    """What removing a topic takes with it: its feeds and the subscribers following it."""

    topic_id: int
    title: str
    feeds: int
    subscriber_ids: tuple[int, ...]


async def topic_use(session: AsyncSession, topic: Topic) -> TopicUse:
    """The topic's feeds and followers, counted now."""
    feeds = await session.scalar(select(func.count(Feed.id)).where(Feed.topic_id == topic.id))
    followers = await session.scalars(
        select(Subscription.subscriber_id)
        .where(Subscription.topic_id == topic.id)
        .order_by(Subscription.subscriber_id)
    )
    return TopicUse(topic.id, topic.title, int(feeds or 0), tuple(followers))


@dataclass(frozen=True, slots=True)
class RemovedTopic:
    """A topic just removed: what went with it, and which of its followers follow nothing now."""

    use: TopicUse
    without_topics: frozenset[int]


async def remove_topic_by_id(session: AsyncSession, topic_id: int) -> RemovedTopic | None:
    """Delete a topic with its feeds and subscriptions, saying who followed it; None if it is
    gone already (a second press of the same button)."""
    topic = await topic_by_id(session, topic_id)
    if topic is None:
        return None
    use = await topic_use(session, topic)
    await session.delete(topic)
    await session.flush()
    ids = list(use.subscriber_ids)
    following: set[int] = set()
    if ids:
        following = set(
            await session.scalars(
                select(Subscription.subscriber_id)
                .where(Subscription.subscriber_id.in_(ids))
                .distinct()
            )
        )
    return RemovedTopic(use, frozenset(set(ids) - following))


async def remove_topic(session: AsyncSession, name: str) -> Topic:
    """Delete a topic with its feeds and subscriptions; raise TopicError if it does not exist."""
    topic = await get_topic(session, name)
    if topic is None:
        raise TopicError(f"no topic named '{topic_title(name)}'")
    await session.delete(topic)
    await session.flush()
    return topic
