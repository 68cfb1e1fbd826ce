"""Follow-up answers are computed in the worker pool: other chats are answered meanwhile."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

import pytest

from collector.pool import WorkerPool
from sandbox.fake_bot_api import FakeBotAPI
from storage.db import Database
from storage.subscribers import register_subscriber
from storage.topics import add_topic
from tests.bot.conftest import START, FakeClock, RunningBot, make_settings
from tests.followups.news import Report, add_reported_story

T = TypeVar("T")

_PLACES = ("Glenmoor", "Ashby Vale", "Northbridge", "Riverside", "Eastport", "the valley")
_PEOPLE = ("the harbour master", "the council", "dock workers", "the mayor", "engineers")
_VERBS = ("said", "warned", "confirmed", "argued", "estimated", "reported")
_THINGS = ("dredging", "the channel", "silt", "the budget", "night work", "the ferries")


def _long_report(source: str, seed: int) -> Report:
    """An outlet's 12,000-character report on the harbour dredging, in varied sentences."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    while sum(len(p) for p in paragraphs) < 12_000:
        sentences = [
            f"{rng.choice(_PEOPLE).capitalize()} in {rng.choice(_PLACES)} {rng.choice(_VERBS)} "
            f"that {rng.choice(_THINGS)} would cost {rng.randint(2, 90)} million over "
            f"{rng.randint(2, 12)} years of harbour dredging."
            for _ in range(3)
        ]
        paragraphs.append(" ".join(sentences))
    return Report(source, "Harbour dredging plan approved", tuple(paragraphs))


class _Timed:
    """The real worker pool, also injecting another chat's /help from a thread 20 ms after a
    job starts: if the job ran on the event loop, the injection itself would wait for it."""

    def __init__(self, pool: WorkerPool, api: FakeBotAPI) -> None:
        self.pool = pool
        self.api = api
        self.help_at: float | None = None

    async def run(self, function: Callable[..., T], *args: object) -> T:
        loop = asyncio.get_running_loop()

        def inject() -> None:
            self.help_at = time.monotonic()
            self.api.inject_message(702, "/help")

        if self.help_at is None:
            threading.Timer(0.02, loop.call_soon_threadsafe, (inject,)).start()
        return await self.pool.run(function, *args)


@pytest.fixture
async def pooled_bot(api: FakeBotAPI, sqlite_url: str) -> AsyncIterator[RunningBot]:
    """The bot with a real process pool for its CPU work, as `newsbrief run` wires it."""
    executor = ProcessPoolExecutor(max_workers=1)
    executor.submit(int).result()  # start the worker before anything is timed
    db = Database(sqlite_url)
    try:
        async with db.session() as session:
            await add_topic(session, "Local")
            for chat in (701, 702):
                await register_subscriber(
                    session,
                    chat,
                    chat_type="private",
                    name=None,
                    timezone="UTC",
                    minutes=[480],
                    now=START,
                )
        reports = [_long_report(f"Outlet {n}", n) for n in range(6)]
        await add_reported_story(db, "local", reports, fetched_at=START)
        settings = make_settings(api, sqlite_url)
        cpu = _Timed(WorkerPool(executor), api)
        async with RunningBot(api, settings, db, FakeClock(), cpu=cpu) as running:
            yield running
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        await db.dispose()


async def test_help_is_answered_while_another_chat_waits_for_an_answer(
    pooled_bot: RunningBot,
) -> None:
    bot = pooled_bot
    cpu = bot.cpu
    assert isinstance(cpu, _Timed)
    question_at = time.monotonic()
    bot.api.inject_message(701, "how long will the harbour dredging take and what will it cost?")
    (help_reply,) = await bot.api.wait_for_messages(702, 1, within=15)
    (answer,) = await bot.api.wait_for_messages(701, 1, within=15)

    assert cpu.help_at is not None
    help_latency = help_reply.at - cpu.help_at
    answer_latency = answer.at - question_at
    assert "/briefing" in help_reply.plain_text
    assert "dredging" in answer.plain_text.lower()
    # /help came in while the answer was being computed and went out at once.
    assert help_reply.at < answer.at, (help_latency, answer_latency)
    assert help_latency < 0.05, f"/help took {help_latency * 1000:.0f} ms"
