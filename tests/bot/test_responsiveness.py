"""One chat's burst, or a fan-out at the budget, never makes another chat wait: through the
real bot with its limiter on and the fake Bot API enforcing Telegram's limits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from bot.formatting import MessagePart, dump_parts
from sandbox.fake_bot_api import FakeBotAPI
from storage.db import Database
from storage.deliveries import enqueue_broadcast
from storage.models import Subscriber
from tests.bot.conftest import FakeClock, RunningBot, make_settings

BUSY, OTHER = 8101, 8102


@pytest.fixture
async def limited(sqlite_db: Database, clock: FakeClock) -> AsyncIterator[RunningBot]:
    """The bot at its default 28 messages/s against a server that enforces Telegram's limits."""
    async with FakeBotAPI(enforce_limits=True) as api:
        settings = make_settings(api, sqlite_db.url, rate_limit_per_second=28)
        async with RunningBot(api, settings, sqlite_db, clock) as bot:
            yield bot


async def test_a_chats_burst_holds_up_no_other_chat_and_keeps_its_own_order(
    limited: RunningBot,
) -> None:
    api = limited.api
    await limited.send(BUSY, "/start")
    # Six commands at once: one message a second to this chat, so six seconds of replies.
    texts = ["/time 07:30", "/help", "/help", "/help", "/help", "/settings"]
    for text in texts:
        api.inject_message(BUSY, text)
    await asyncio.sleep(0.3)
    asked = time.monotonic()
    api.inject_message(OTHER, "/help")
    (answer,) = await api.wait_for_messages(OTHER, 1, within=10)
    assert answer.at - asked < 1.0  # not behind the busy chat's turns
    replies = await api.wait_for_messages(BUSY, 1 + len(texts), within=20)
    # Its own replies in the order it asked: the time was set before /settings read it.
    assert "07:30" in replies[1].plain_text
    assert "Delivery times: 07:30" in replies[-1].plain_text
    assert api.rejected_by_limits == 0


async def test_replies_go_before_a_fan_out_at_the_budget(limited: RunningBot) -> None:
    api, db = limited.api, limited.db
    chats = range(900_001, 900_281)  # 280 messages: ten seconds at the budget
    async with db.session() as session:
        now = limited.clock()
        session.add_all(
            Subscriber(chat_id=chat, chat_type="private", timezone="UTC", status="active",
                       created_at=now)
            for chat in chats
        )  # fmt: skip
        await session.flush()
        await enqueue_broadcast(session, dump_parts([MessagePart("News.")]), now)
    limited.services.worker.start()
    await api.wait_for_messages(None, 40, within=20)  # the fan-out is under way
    waits = []
    for n in range(5):
        chat = 8200 + n
        asked = time.monotonic()
        api.inject_message(chat, "/help")
        (answer,) = await api.wait_for_messages(chat, 1, within=10)
        waits.append(answer.at - asked)
        await asyncio.sleep(0.5)
    assert max(waits) < 1.0, waits  # the next free slot, not the end of the queue
    await limited.services.worker.run_until_idle()
    assert all(len(api.messages(chat)) == 1 for chat in chats)  # every one, once
    assert api.rejected_by_limits == 0
