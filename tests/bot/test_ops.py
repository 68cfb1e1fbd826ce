"""A running bot in the metrics (slots queued, messages sent, Telegram's 429 and 403), its
queue lag, readiness and housekeeping's retention, through the real ops server."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from bot.jobs import tidy_up
from bot.settings import load_settings
from cli.ops import ops_server
from storage.db import Database
from storage.models import Article, SentStory, Story, Subscriber
from telemetry.metrics import REGISTRY
from tests.bot.conftest import RunningBot, add_story, add_subscribers, add_topics


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def fetch(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as answer:
        return answer.status, await answer.text()


async def test_deliveries_show_in_the_metrics_and_the_queue_lag(bot: RunningBot) -> None:
    await add_topics(bot.db, "Tech")
    await add_subscribers(bot.db, [1001, 1002, 1003], topic="tech")
    await add_story(bot.db, "tech", "Metrics day", ["Counted."], fetched_at=bot.clock())
    bot.api.block_chat(1002)
    bot.api.fail(429, chat_id=1003, retry_after=1)
    before = {
        "queued": sample("newsbrief_slots_queued_total"),
        "sent": sample("newsbrief_messages_sent_total"),
        "429": sample("newsbrief_telegram_errors_total", code="429"),
        "403": sample("newsbrief_telegram_errors_total", code="403"),
    }
    bot.clock.set(utc(2026, 3, 2, 8, 0, 10))
    await bot.tick_and_deliver()

    assert sample("newsbrief_slots_queued_total") - before["queued"] == 3
    assert sample("newsbrief_messages_sent_total") - before["sent"] == 1
    assert sample("newsbrief_telegram_errors_total", code="429") - before["429"] == 1
    assert sample("newsbrief_telegram_errors_total", code="403") - before["403"] == 1

    # Chat 1003's briefing waits for Telegram's delay (due 08:00:11); 30 s later it is late.
    bot.clock.set(utc(2026, 3, 2, 8, 0, 41))
    settings = load_settings(database_url=bot.db.url, http_port=free_port(), http_host="127.0.0.1")
    running = {"delivery worker": lambda: bot.services.worker.running}
    async with ops_server(settings, bot.db, role="delivery", running=running, clock=bot.clock):
        base = f"http://127.0.0.1:{settings.http_port}"
        status, body = await fetch(f"{base}/metrics")
        assert status == 200
        families = {f.name: f for f in text_string_to_metric_families(body)}
        assert families["newsbrief_queue_lag_seconds"].samples[0].value == 30.0
        assert await fetch(f"{base}/readyz") == (200, "ready\n")
        await bot.services.worker.stop()
        assert await fetch(f"{base}/readyz") == (503, "not ready: delivery worker is not running\n")
        assert (await fetch(f"{base}/healthz"))[0] == 200

        bot.clock.set(utc(2026, 3, 2, 8, 0, 5))  # before it is due again: nothing is late
        status, body = await fetch(f"{base}/metrics")
        families = {f.name: f for f in text_string_to_metric_families(body)}
        assert families["newsbrief_queue_lag_seconds"].samples[0].value == 0.0


async def test_readiness_fails_with_a_reason_when_the_database_is_away() -> None:
    db = Database("postgresql://newsbrief@127.0.0.1:1/news")  # nothing listens on port 1
    settings = load_settings(http_port=free_port(), http_host="127.0.0.1")
    try:
        async with ops_server(settings, db, role="collector"):
            status, text = await fetch(f"http://127.0.0.1:{settings.http_port}/readyz")
            metrics_status, _ = await fetch(f"http://127.0.0.1:{settings.http_port}/metrics")
    finally:
        await db.dispose()
    assert status == 503
    assert text.startswith("not ready: the database is unreachable: OperationalError:")
    assert "\n" not in text.rstrip("\n")
    assert metrics_status == 200


async def test_without_a_port_there_is_no_server(sqlite_db: Database) -> None:
    settings = load_settings(database_url=sqlite_db.url)
    assert settings.http_port is None
    async with ops_server(settings, sqlite_db, role="all") as server:
        assert server is None


async def test_housekeeping_deletes_old_stories_and_keeps_recent_ones(bot: RunningBot) -> None:
    await add_topics(bot.db, "Tech")
    await add_subscribers(bot.db, [1101], topic="tech")
    now = bot.clock()
    old = await add_story(bot.db, "tech", "Old news", ["Old."], fetched_at=now - timedelta(days=31))
    fresh = await add_story(bot.db, "tech", "Fresh news", ["New."], fetched_at=now)
    async with bot.db.session() as session:  # the reader was shown the old story
        reader = await session.scalar(select(Subscriber.id).where(Subscriber.chat_id == 1101))
        session.add(SentStory(subscriber_id=reader, story_id=old, source_count=1, sent_at=now))

    await tidy_up(bot.services)  # housekeeping's work, with the default 30 days

    async with bot.db.session() as session:
        assert list(await session.scalars(select(Story.id))) == [fresh]
        assert list(await session.scalars(select(Article.story_id))) == [fresh]
        assert await session.scalar(select(SentStory.story_id)) is None
    (briefing,) = await bot.send(1101, "/briefing")
    assert "Fresh news" in briefing.plain_text and "Old news" not in briefing.plain_text
