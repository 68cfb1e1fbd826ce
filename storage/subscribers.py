"""Queries on subscribers: registration, topics, delivery times, timezone, status."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DeliveryTime, PersonalFilter, Subscriber, Subscription, Topic
from storage.preferences import FOLLOW, MUTE, Filter, filters_of

ACTIVE, PAUSED, BLOCKED = "active", "paused", "blocked"


@dataclass(frozen=True)
class SubscriberView:
    """Everything /settings shows about one chat."""

    subscriber: Subscriber
    topics: list[Topic]
    minutes: list[int]
    filters: list[Filter] = field(default_factory=list)

    @property
    def follows(self) -> list[Filter]:
        """The chat's /follow phrases."""
        return [f for f in self.filters if f.kind == FOLLOW]

    @property
    def mutes(self) -> list[Filter]:
        """The chat's /mute phrases."""
        return [f for f in self.filters if f.kind == MUTE]

    @property
    def has_interests(self) -> bool:
        """Whether anything can fill its briefings: a topic or a followed phrase."""
        return bool(self.topics or self.follows)


async def get_subscriber(
    session: AsyncSession, chat_id: int, thread_id: int = 0
) -> Subscriber | None:
    """The subscriber for a Telegram chat (or one forum topic of it), or None if it never
    registered."""
    return await session.scalar(
        select(Subscriber).where(Subscriber.chat_id == chat_id, Subscriber.thread_id == thread_id)
    )


async def register_subscriber(
    session: AsyncSession,
    chat_id: int,
    *,
    chat_type: str,
    name: str | None,
    timezone: str,
    minutes: list[int],
    now: datetime,
    thread_id: int = 0,
    managed_by: int | None = None,
) -> tuple[Subscriber, bool]:
    """Create the chat's subscriber (with default delivery times) or reactivate it.

    Returns the subscriber and whether it was created. A chat that had blocked the bot and
    talks to it again is active again; a paused one stays paused (it asked for that).
    """
    subscriber = await get_subscriber(session, chat_id, thread_id)
    if subscriber is not None:
        if subscriber.status == BLOCKED:
            subscriber.status = ACTIVE
        subscriber.name = name or subscriber.name
        subscriber.managed_by = managed_by or subscriber.managed_by
        await session.flush()
        return subscriber, False
    subscriber = Subscriber(
        chat_id=chat_id,
        thread_id=thread_id,
        managed_by=managed_by,
        chat_type=chat_type,
        name=name,
        timezone=timezone,
        status=ACTIVE,
        created_at=now,
    )
    session.add(subscriber)
    await session.flush()
    session.add_all(DeliveryTime(subscriber_id=subscriber.id, minute_of_day=m) for m in minutes)
    await session.flush()
    return subscriber, True


async def reactivate_blocked(session: AsyncSession, chat_id: int, thread_id: int = 0) -> bool:
    """A chat (or forum topic) that had blocked the bot wrote to it: active again. False if it
    was not blocked."""
    result = await session.execute(
        update(Subscriber)
        .where(
            Subscriber.chat_id == chat_id,
            Subscriber.thread_id == thread_id,
            Subscriber.status == BLOCKED,
        )
        .values(status=ACTIVE)
    )
    return bool(result.rowcount)


async def subscribed_topics(session: AsyncSession, subscriber_id: int) -> list[Topic]:
    """The topics a subscriber follows, by name."""
    rows = await session.scalars(
        select(Topic)
        .join(Subscription, Subscription.topic_id == Topic.id)
        .where(Subscription.subscriber_id == subscriber_id)
        .order_by(Topic.name)
    )
    return list(rows)


async def subscribe(session: AsyncSession, subscriber_id: int, topic_id: int) -> bool:
    """Follow a topic; False if it was already followed."""
    existing = await session.get(Subscription, (subscriber_id, topic_id))
    if existing is not None:
        return False
    session.add(Subscription(subscriber_id=subscriber_id, topic_id=topic_id))
    await session.flush()
    return True


async def unsubscribe(session: AsyncSession, subscriber_id: int, topic_id: int) -> bool:
    """Stop following a topic; False if it was not followed."""
    result = await session.execute(
        delete(Subscription).where(
            Subscription.subscriber_id == subscriber_id, Subscription.topic_id == topic_id
        )
    )
    return bool(result.rowcount)


async def delivery_minutes(session: AsyncSession, subscriber_id: int) -> list[int]:
    """The subscriber's local delivery times as minutes after midnight, earliest first."""
    rows = await session.scalars(
        select(DeliveryTime.minute_of_day)
        .where(DeliveryTime.subscriber_id == subscriber_id)
        .order_by(DeliveryTime.minute_of_day)
    )
    return list(rows)


async def set_delivery_minutes(
    session: AsyncSession, subscriber_id: int, minutes: list[int]
) -> None:
    """Replace the subscriber's delivery times (an empty list means no scheduled briefings)."""
    await session.execute(delete(DeliveryTime).where(DeliveryTime.subscriber_id == subscriber_id))
    session.add_all(
        DeliveryTime(subscriber_id=subscriber_id, minute_of_day=m) for m in sorted(set(minutes))
    )
    await session.flush()


async def set_timezone(session: AsyncSession, subscriber_id: int, timezone: str) -> None:
    """Change the subscriber's IANA timezone (validated by the caller)."""
    await session.execute(
        update(Subscriber).where(Subscriber.id == subscriber_id).values(timezone=timezone)
    )


async def set_status(session: AsyncSession, subscriber_id: int, status: str) -> None:
    """Set 'active', 'paused' or 'blocked'."""
    if status not in (ACTIVE, PAUSED, BLOCKED):
        raise ValueError(f"unknown subscriber status {status!r}")
    await session.execute(
        update(Subscriber).where(Subscriber.id == subscriber_id).values(status=status)
    )


async def forget_subscriber(session: AsyncSession, chat_id: int, thread_id: int = 0) -> bool:
    """Delete the chat (or forum topic) and everything about it (topics, times, deliveries);
    False if unknown."""
    subscriber = await get_subscriber(session, chat_id, thread_id)
    if subscriber is None:
        return False
    await session.delete(subscriber)
    await session.flush()
    return True


async def move_chat(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup: keep its subscriber under the new chat id."""
    await session.execute(
        update(Subscriber).where(Subscriber.chat_id == old_chat_id).values(chat_id=new_chat_id)
    )


async def subscriber_view(
    session: AsyncSession, chat_id: int, thread_id: int = 0
) -> SubscriberView | None:
    """The chat's subscriber with its topics and delivery times, or None."""
    subscriber = await get_subscriber(session, chat_id, thread_id)
    if subscriber is None:
        return None
    return SubscriberView(
        subscriber,
        await subscribed_topics(session, subscriber.id),
        await delivery_minutes(session, subscriber.id),
        (await filters_of(session, [subscriber.id])).get(subscriber.id, []),
    )


async def has_interests(session: AsyncSession, subscriber_id: int) -> bool:
    """Whether the chat follows a topic or a phrase of its own (else no briefing can fill)."""
    topic = await session.scalar(
        select(Subscription.topic_id).where(Subscription.subscriber_id == subscriber_id).limit(1)
    )
    if topic is not None:
        return True
    phrase = await session.scalar(
        select(PersonalFilter.id)
        .where(PersonalFilter.subscriber_id == subscriber_id, PersonalFilter.kind == FOLLOW)
        .limit(1)
    )
    return phrase is not None


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    """How many subscribers are active, paused and blocked."""
    rows = await session.execute(
        select(Subscriber.status, func.count()).group_by(Subscriber.status)
    )
    counts = {ACTIVE: 0, PAUSED: 0, BLOCKED: 0}
    counts.update({status: count for status, count in rows.all()})
    return counts


async def set_chat_status(session: AsyncSession, chat_id: int, status: str) -> list[Subscriber]:
    """Set the status of every subscriber of a chat (the chat and its forum topics) that is
    not paused (a pause is the chat's own choice); returns the ones that changed."""
    rows = list(
        await session.scalars(
            select(Subscriber).where(
                Subscriber.chat_id == chat_id,
                Subscriber.status != status,
                Subscriber.status != PAUSED,
            )
        )
    )
    for row in rows:
        row.status = status
    await session.flush()
    return rows


async def channels_managed_by(session: AsyncSession, user_id: int) -> list[Subscriber]:
    """The channels a user added (/addchannel), by name."""
    rows = await session.scalars(
        select(Subscriber)
        .where(Subscriber.managed_by == user_id, Subscriber.chat_type == "channel")
        .order_by(Subscriber.name, Subscriber.id)
    )
    return list(rows)


async def set_language(session: AsyncSession, subscriber_id: int, language: str | None) -> None:
    """The interface language a subscriber reads the bot in (a catalogue's code; None: not
    chosen)."""
    await session.execute(
        update(Subscriber).where(Subscriber.id == subscriber_id).values(language=language)
    )


async def chat_language(
    session: AsyncSession, chat_id: int, thread_id: int = 0
) -> tuple[bool, str | None]:
    """Whether the chat (or its forum topic, else the chat itself) is registered, and the
    language it chose (None: not chosen)."""
    rows = (
        await session.execute(
            select(Subscriber.thread_id, Subscriber.language).where(
                Subscriber.chat_id == chat_id, Subscriber.thread_id.in_({thread_id, 0})
            )
        )
    ).all()
    found = {thread: language for thread, language in rows}
    if thread_id in found:
        return True, found[thread_id] or found.get(0)
    return bool(found), found.get(0)


async def languages_of(
    session: AsyncSession, subscriber_ids: Iterable[int]
) -> dict[int, str | None]:
    """The chosen language of each subscriber (None: not chosen)."""
    ids = list(set(subscriber_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(Subscriber.id, Subscriber.language).where(Subscriber.id.in_(ids))
    )
    return {subscriber_id: language for subscriber_id, language in rows.tuples()}


async def languages_of_chats(session: AsyncSession, chat_ids: Iterable[int]) -> dict[int, str]:
    """The language chosen in each of these chats (e.g. the admins' private chats), for those
    that chose one."""
    ids = list(set(chat_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(Subscriber.chat_id, Subscriber.language).where(
            Subscriber.chat_id.in_(ids),
            Subscriber.thread_id == 0,
            Subscriber.language.is_not(None),
        )
    )
    return {chat_id: language for chat_id, language in rows.tuples()}
