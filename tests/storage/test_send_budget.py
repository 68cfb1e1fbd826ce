"""The send budget every process shares on PostgreSQL (storage.send_budget)."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from storage.clock import utcnow
from storage.db import Database
from storage.models import SendSlot
from storage.send_budget import SendBudget, prune_send_slots

pytestmark = pytest.mark.postgres


async def test_budgets_in_two_processes_hand_out_one_slot_after_another(pg_url: str) -> None:
    first, second = Database(pg_url), Database(pg_url)  # two engines: two processes' pools
    try:
        # A backlog already booked 10 s ahead: every reservation queues behind it, so the
        # slots handed out are read off the database, not off when each answer came back.
        async with first.session() as session:
            queued_until = await session.scalar(
                text("SELECT clock_timestamp() + interval '10 seconds'")
            )
            session.add(SendSlot(key="global", free_at=queued_until))
        a, b = SendBudget(first, per_second=10), SendBudget(second, per_second=10)
        waits = await asyncio.gather(*(
            (a, b)[chat % 2].reserve(chat, 1.0) for chat in range(40)
        ))  # fmt: skip
        assert min(waits) > 9.0  # behind the backlog, whoever asked
        async with first.session() as session:
            booked_until = await session.scalar(
                select(SendSlot.free_at).where(SendSlot.key == "global")
            )
        # 40 messages at 10 a second: exactly 40 slots of 0.1 s, one each, never two at once.
        assert (booked_until - queued_until).total_seconds() == pytest.approx(4.0, abs=0.001)
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_chat_gets_its_next_message_a_chat_interval_later(pg_url: str) -> None:
    db = Database(pg_url)
    try:
        budget = SendBudget(db, per_second=100)
        started = time.monotonic()
        first = await budget.reserve(42, 0.5)
        # Another process's message to the same chat: its bot-wide slot is free at once, but
        # the chat is not; the reservation waits for the chat and takes a fresh slot then.
        second = await budget.reserve(42, 0.5)
        total = time.monotonic() - started + second
        assert first < 0.05
        assert total >= 0.5 - 0.02
    finally:
        await db.dispose()


async def test_housekeeping_forgets_chats_quiet_for_an_hour(pg_url: str) -> None:
    db = Database(pg_url)
    try:
        budget = SendBudget(db, per_second=100)
        await budget.reserve(1, 1.0)
        await budget.reserve(2, 1.0)
        assert await prune_send_slots(db, utcnow()) == 0  # too recent
        assert await prune_send_slots(db, utcnow() + timedelta(hours=2)) == 2
        async with db.session() as session:
            left = await session.scalars(select(SendSlot.key))
            assert list(left) == ["global"]  # the bot-wide slot stays
            assert await session.scalar(select(func.count()).select_from(SendSlot)) == 1
    finally:
        await db.dispose()
