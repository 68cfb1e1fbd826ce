"""Subscribers: registration, topics, times, timezone, status, forgetting."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from storage.db import Database
from storage.deliveries import enqueue_manual
from storage.models import Delivery, DeliveryTime, Subscription
from storage.subscribers import (
    count_by_status,
    forget_subscriber,
    get_subscriber,
    move_chat,
    register_subscriber,
    set_delivery_minutes,
    set_status,
    set_timezone,
    subscribe,
    subscriber_view,
    unsubscribe,
)
from storage.topics import add_topic

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


async def _register(db: Database, chat_id: int) -> int:
    async with db.session() as session:
        subscriber, _ = await register_subscriber(
            session,
            chat_id,
            chat_type="private",
            name="Ann",
            timezone="UTC",
            minutes=[480],
            now=NOW,
        )
        return subscriber.id


async def test_register_once_with_default_times(db: Database) -> None:
    async with db.session() as session:
        first, created = await register_subscriber(
            session,
            10,
            chat_type="private",
            name="Ann",
            timezone="Europe/Berlin",
            minutes=[480],
            now=NOW,
        )
        assert created
    async with db.session() as session:
        again, created = await register_subscriber(
            session, 10, chat_type="private", name=None, timezone="UTC", minutes=[60], now=NOW
        )
        assert not created and again.id == first.id
        view = await subscriber_view(session, 10)
    assert view is not None
    assert (view.subscriber.timezone, view.minutes, view.subscriber.name) == (
        "Europe/Berlin",
        [480],
        "Ann",
    )


async def test_a_blocked_chat_that_returns_is_active_but_paused_stays_paused(db: Database) -> None:
    blocked, paused = await _register(db, 1), await _register(db, 2)
    async with db.session() as session:
        await set_status(session, blocked, "blocked")
        await set_status(session, paused, "paused")
    await _register(db, 1)
    await _register(db, 2)
    async with db.session() as session:
        assert (await get_subscriber(session, 1)).status == "active"  # type: ignore[union-attr]
        assert (await get_subscriber(session, 2)).status == "paused"  # type: ignore[union-attr]
        assert await count_by_status(session) == {"active": 1, "paused": 1, "blocked": 0}


async def test_topics_times_and_timezone(db: Database) -> None:
    subscriber_id = await _register(db, 3)
    async with db.session() as session:
        tech = await add_topic(session, "Tech")
        assert await subscribe(session, subscriber_id, tech.id)
        assert not await subscribe(session, subscriber_id, tech.id)
        await set_delivery_minutes(session, subscriber_id, [1080, 450, 450])
        await set_timezone(session, subscriber_id, "Asia/Tokyo")
    async with db.session() as session:
        view = await subscriber_view(session, 3)
        assert view is not None
        assert [t.name for t in view.topics] == ["tech"]
        assert view.minutes == [450, 1080]
        assert view.subscriber.timezone == "Asia/Tokyo"
        assert await unsubscribe(session, subscriber_id, tech.id)
        assert not await unsubscribe(session, subscriber_id, tech.id)


async def test_forgetting_a_chat_removes_everything_about_it(db: Database) -> None:
    subscriber_id = await _register(db, 4)
    async with db.session() as session:
        tech = await add_topic(session, "Tech")
        await subscribe(session, subscriber_id, tech.id)
        await enqueue_manual(session, subscriber_id, NOW)
    async with db.session() as session:
        assert await forget_subscriber(session, 4)
        assert not await forget_subscriber(session, 4)
    async with db.session() as session:
        for model in (Subscription, DeliveryTime, Delivery):
            assert await session.scalar(select(func.count()).select_from(model)) == 0


async def test_a_group_that_became_a_supergroup_keeps_its_settings(db: Database) -> None:
    await _register(db, -100)
    async with db.session() as session:
        await move_chat(session, -100, -1001234)
    async with db.session() as session:
        assert await get_subscriber(session, -100) is None
        assert await get_subscriber(session, -1001234) is not None
