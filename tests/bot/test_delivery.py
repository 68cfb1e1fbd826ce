"""Scheduled delivery: local times, exactly once across restarts, flood limits, blocked users."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sandbox.fake_bot_api import FakeBotAPI
from storage.clock import utcnow
from storage.db import Database
from storage.deliveries import advance_mark
from storage.subscribers import get_subscriber
from tests.bot.conftest import (
    FakeClock,
    RunningBot,
    add_source,
    add_story,
    add_subscribers,
    add_topics,
    deliveries_of,
    make_settings,
)

REPOSITORY = Path(__file__).resolve().parents[2]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def test_subscribers_get_briefings_at_their_own_local_times(bot: RunningBot) -> None:
    await add_topics(bot.db, "Tech")
    bot.clock.set(utc(2026, 3, 1, 20, 0))  # Sunday evening UTC
    chats = {101: "Asia/Tokyo", 102: "Europe/Berlin", 103: "America/New_York"}
    for chat, zone in chats.items():
        await bot.send(chat, "/start")
        await bot.send(chat, "/subscribe tech")
        await bot.send(chat, f"/timezone {zone}")
        await bot.send(chat, "/time 08:00")
    await add_story(
        bot.db, "tech", "Chip maker opens plant", ["It opened."], fetched_at=bot.clock()
    )
    received_at: dict[int, datetime] = {}
    while bot.clock() < utc(2026, 3, 2, 14, 0):
        bot.clock.advance(minutes=30)
        await bot.tick_and_deliver()
        for chat in chats:
            if len(bot.api.messages(chat)) > 4 and chat not in received_at:
                received_at[chat] = bot.clock()
    # 08:00 in Tokyo (UTC+9), Berlin (UTC+1) and New York (UTC-5) on Monday 2 March.
    assert received_at == {
        101: utc(2026, 3, 1, 23, 0),
        102: utc(2026, 3, 2, 7, 0),
        103: utc(2026, 3, 2, 13, 0),
    }
    for chat, zone in chats.items():
        briefings = bot.api.messages(chat)[4:]
        assert len(briefings) == 1  # once, not at every later tick
        text = briefings[0].plain_text
        assert f"Your briefing · Monday 2 March 2026\n08:00 {zone} · 1 story" in text
        assert "1. Chip maker opens plant" in text


async def test_summer_time_change_keeps_the_local_time(bot: RunningBot) -> None:
    await add_topics(bot.db, "Tech")
    await add_subscribers(bot.db, [201], topic="tech", timezone="Europe/Berlin", times=[480])
    bot.clock.set(utc(2026, 3, 27, 12, 0))
    sent_at = []
    while bot.clock() < utc(2026, 3, 30, 12, 0):
        bot.clock.advance(hours=1)
        await add_story(
            bot.db, "tech", f"News at {bot.clock():%d %H}h", ["x."], fetched_at=bot.clock()
        )
        before = len(bot.api.messages(201))
        await bot.tick_and_deliver()
        if len(bot.api.messages(201)) > before:
            sent_at.append(bot.clock())
    # CET (UTC+1) until Sunday 29 March 02:00, then CEST (UTC+2).
    assert sent_at == [utc(2026, 3, 28, 7), utc(2026, 3, 29, 6), utc(2026, 3, 30, 6)]


async def test_only_new_stories_updates_marked_empty_slots_silent(bot: RunningBot) -> None:
    await add_topics(bot.db, "Tech", "World")
    await add_subscribers(bot.db, [301], topic="tech", times=[8 * 60, 18 * 60])
    clock = bot.clock
    clock.set(utc(2026, 3, 2, 7, 0))
    first = await add_story(
        bot.db,
        "tech",
        "Robots learn to fold laundry",
        ["A lab showed it.", "It is slow."],
        [("Tech Daily", "https://techdaily.example/robots")],
        fetched_at=clock(),
    )
    await add_story(bot.db, "world", "Unfollowed topic story", ["x."], fetched_at=clock())
    await bot.services.scheduler.tick()
    clock.set(utc(2026, 3, 2, 8, 0, 30))
    await bot.tick_and_deliver()
    (morning,) = bot.api.messages(301)
    assert "1. Robots learn to fold laundry" in morning.plain_text
    assert "A lab showed it. It is slow." in morning.plain_text
    assert '<a href="https://techdaily.example/robots">Tech Daily</a>' in morning.text
    assert "Unfollowed topic story" not in morning.plain_text
    assert morning.buttons == [("More #1", f"more:{first}")]
    assert morning.link_preview_disabled

    clock.set(utc(2026, 3, 2, 12, 0))
    await add_story(
        bot.db, "tech", "Battery breakthrough", ["Cells last longer."], fetched_at=clock()
    )
    await add_source(
        bot.db, first, "tech", "Robot Weekly", "https://rw.example/1", fetched_at=clock()
    )
    clock.set(utc(2026, 3, 2, 18, 0, 30))
    await bot.tick_and_deliver()
    evening = bot.api.messages(301)[1].plain_text
    assert "Battery breakthrough" in evening
    # Grown to two sources, it ranks first and is marked as an update.
    assert "🔄 Update: 1. Robots learn to fold laundry" in evening
    assert "2. Battery breakthrough" in evening
    assert "2 sources" in evening

    clock.set(utc(2026, 3, 3, 8, 0, 30))  # nothing new since the evening
    await bot.tick_and_deliver()
    assert len(bot.api.messages(301)) == 2
    rows = await deliveries_of(bot.db, 301)
    assert [(r.status, r.slot_at) for r in rows] == [
        ("sent", utc(2026, 3, 2, 8)),
        ("sent", utc(2026, 3, 2, 18)),
        ("empty", utc(2026, 3, 3, 8)),
    ]
    assert "Nothing new since your last briefing" in await bot.reply_text(301, "/briefing")


async def test_briefing_now_sends_the_news_and_more_expands_a_story(bot: RunningBot) -> None:
    await add_topics(bot.db, "Tech")
    await bot.send(401, "/start")
    assert "You don't follow any topic yet" in await bot.reply_text(401, "/briefing")
    await bot.send(401, "/subscribe tech")
    story = await add_story(
        bot.db,
        "tech",
        "Quantum & classical <mixed>",
        ["One.", "Two.", "Three.", "Four."],
        [("Alpha", "https://alpha.example/q"), ("Beta", "https://beta.example/q")],
        fetched_at=bot.clock(),
    )
    (briefing,) = await bot.send(401, "/briefing")
    assert "1. Quantum & classical <mixed>" in briefing.plain_text
    assert "One. Two. Three." in briefing.plain_text and "Four." not in briefing.plain_text
    assert "Alpha · Beta — 2 sources" in briefing.plain_text
    bot.api.press_button(401, "More #1")
    more = (await bot.api.wait_for_messages(401, 5))[-1]
    assert more.plain_text.startswith("Quantum & classical <mixed>\n\nOne. Two. Three. Four.")
    assert '<a href="https://beta.example/q">Beta</a>' in more.text
    assert bot.api.calls_to("answerCallbackQuery")
    assert more.buttons == [] and story > 0


async def test_paused_subscribers_get_no_scheduled_briefing(bot: RunningBot) -> None:
    await add_topics(bot.db, "Tech")
    await add_subscribers(bot.db, [501, 502], topic="tech")
    await bot.send(502, "/pause")
    await add_story(bot.db, "tech", "Something happened", ["It did."], fetched_at=bot.clock())
    bot.clock.set(utc(2026, 3, 2, 8, 0, 10))
    await bot.tick_and_deliver()
    assert len(bot.api.messages(501)) == 1
    assert len(bot.api.messages(502)) == 1  # only the answer to /pause
    assert "1. Something happened" in (await bot.send(502, "/briefing"))[0].plain_text


async def test_missed_slots_are_sent_if_recent_and_skipped_if_too_old(bot: RunningBot) -> None:
    await add_topics(bot.db, "Tech")
    await add_subscribers(bot.db, [601], topic="tech", times=[8 * 60])
    await add_subscribers(bot.db, [602], topic="tech", times=[7 * 60 + 10])
    bot.clock.set(utc(2026, 3, 2, 7, 0))
    await bot.services.scheduler.tick()  # the last tick before the bot went down
    await add_story(bot.db, "tech", "Overnight news", ["x."], fetched_at=bot.clock())
    bot.clock.set(utc(2026, 3, 2, 9, 30))  # back up: 08:00 is 1.5 h ago, 07:10 is 2 h 20 ago
    await bot.tick_and_deliver()
    assert len(bot.api.messages(601)) == 1
    assert bot.api.messages(602) == []
    (skipped,) = await deliveries_of(bot.db, 602)
    assert skipped.status == "skipped"
    assert skipped.error == "missed while the bot was down (2 h 20 min late)"


async def test_retry_after_delays_then_delivers(api: FakeBotAPI, sqlite_db: Database) -> None:
    settings = make_settings(api, sqlite_db.url)
    async with RunningBot(api, settings, sqlite_db, utcnow):  # type: ignore[arg-type]
        await add_topics(sqlite_db, "Tech")
        await add_subscribers(sqlite_db, [701], topic="tech", created_at=utcnow())
        await add_story(sqlite_db, "tech", "Flood test", ["x."], fetched_at=utcnow())
        api.fail(429, chat_id=701, retry_after=1)
        api.inject_message(701, "/briefing")
        await api.wait_for_messages(701, 1, within=10)
    rejected, accepted = [c for c in api.calls_to("sendMessage") if c.params["chat_id"] == 701]
    assert (rejected.status, accepted.status) == (429, 200)
    assert accepted.at - rejected.at >= 1.0
    (row,) = await deliveries_of(sqlite_db, 701)
    assert row.status == "sent"
    assert row.error == "429 rate limited: retry after 1 s"


async def test_forbidden_marks_the_subscriber_blocked(bot: RunningBot) -> None:
    await add_topics(bot.db, "Tech")
    await add_subscribers(bot.db, [801, 802], topic="tech", times=[8 * 60, 9 * 60])
    await add_story(bot.db, "tech", "Blocked test", ["x."], fetched_at=bot.clock())
    bot.api.block_chat(801)
    bot.clock.set(utc(2026, 3, 2, 8, 0, 10))
    await bot.tick_and_deliver()
    assert len(bot.api.messages(802)) == 1
    (row,) = await deliveries_of(bot.db, 801)
    assert row.status == "blocked"
    assert row.error == "403 Forbidden: bot was blocked by the user"
    async with bot.db.session() as session:
        subscriber = await get_subscriber(session, 801)
    assert subscriber is not None and subscriber.status == "blocked"
    await add_story(bot.db, "tech", "Later news", ["y."], fetched_at=bot.clock())
    bot.clock.set(utc(2026, 3, 2, 9, 0, 10))
    await bot.tick_and_deliver()
    assert len(await deliveries_of(bot.db, 801)) == 1  # no more attempts at a blocked chat
    assert len([c for c in bot.api.calls_to("sendMessage") if c.params["chat_id"] == 801]) == 1
    bot.api.clear_faults()
    await bot.send(801, "/start")  # the user comes back
    async with bot.db.session() as session:
        subscriber = await get_subscriber(session, 801)
    assert subscriber is not None and subscriber.status == "active"


async def test_network_errors_retry_with_backoff_then_give_up(bot: RunningBot) -> None:
    await add_topics(bot.db, "Tech")
    await add_subscribers(bot.db, [901, 902], topic="tech")
    await add_story(bot.db, "tech", "Flaky network", ["x."], fetched_at=bot.clock())
    bot.api.fail(500, chat_id=901, times=1)
    bot.api.fail(502, chat_id=902, times=None)
    bot.clock.set(utc(2026, 3, 2, 8, 0, 10))
    await bot.tick_and_deliver()
    (row,) = await deliveries_of(bot.db, 901)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == utc(2026, 3, 2, 8, 0, 20)  # 10 s later
    assert row.error == "NetworkError: Internal Server Error"
    for _ in range(40):  # 10 s, 20 s, 40 s ... between tries: all eight within the hour
        bot.clock.advance(minutes=2)
        await bot.tick_and_deliver()
    assert len(bot.api.messages(901)) == 1
    (row,) = await deliveries_of(bot.db, 901)
    assert row.status == "sent"
    (given_up,) = await deliveries_of(bot.db, 902)
    assert given_up.status == "failed"
    assert given_up.error == "gave up after 8 tries: NetworkError: Bad Gateway"


async def test_a_multi_part_briefing_resumes_at_the_next_part(bot: RunningBot) -> None:
    await add_topics(bot.db, "Tech")
    await add_subscribers(bot.db, [1001], topic="tech")
    long = "word " * 110
    for n in range(8):
        await add_story(
            bot.db, "tech", f"Long story {n}", [long, long, long], fetched_at=bot.clock()
        )
    bot.api.fail(500, chat_id=1001, after=1)  # the first part goes, the second fails
    bot.clock.set(utc(2026, 3, 2, 8, 0, 10))
    await bot.tick_and_deliver()
    (row,) = await deliveries_of(bot.db, 1001)
    assert (row.status, row.parts_sent) == ("pending", 1)
    bot.clock.advance(seconds=30)
    await bot.tick_and_deliver()
    parts = bot.api.messages(1001)
    assert len(parts) >= 3
    numbers = [
        int(n) for p in parts for n in re.findall(r"^(\d+)\. Long story", p.plain_text, re.M)
    ]
    assert numbers == list(range(1, 9))  # every item once, in order: no part was repeated
    (row,) = await deliveries_of(bot.db, 1001)
    assert row.status == "sent"
    assert json.loads(row.message_ids or "[]") == [p.message_id for p in parts]


@pytest.mark.parametrize("stop_after", [7])
async def test_stopped_mid_fan_out_and_restarted_sends_each_briefing_once(
    api: FakeBotAPI, db: Database, stop_after: int
) -> None:
    """The process dies with messages in flight; a fresh bot on the same database finishes."""
    clock = FakeClock(utc(2026, 3, 2, 7, 59))
    settings = make_settings(api, db.url, delivery_concurrency=4, delivery_batch_size=8)
    chats = list(range(2001, 2031))
    await add_topics(db, "Tech")
    await add_subscribers(db, chats, topic="tech")
    await add_story(db, "tech", "Fan-out", ["x."], fetched_at=clock())
    first = RunningBot(api, settings, db, clock)
    await first.start()
    await first.services.scheduler.tick()
    api.hold("sendMessage", after=stop_after)
    clock.set(utc(2026, 3, 2, 8, 0, 5))
    await first.services.scheduler.tick()
    first.services.worker.wake()
    await api.wait_for_held(4)  # every sender is stuck in a request
    await api.wait_for_messages(None, stop_after)
    await first.stop()  # mid fan-out
    api.release()  # what was in flight never reached Telegram
    assert api.message_count == stop_after

    # Stopping handed the claimed rows back: no need to wait for their leases, on any backend.
    async with RunningBot(api, settings, db, clock) as second:
        await second.services.worker.run_until_idle()
    assert sorted(m.chat_id for m in api.messages()) == chats  # every chat once, none twice
    for chat in chats[:3]:
        (row,) = await deliveries_of(db, chat)
        assert row.status == "sent"


async def test_delivery_jobs_run_on_their_own(api: FakeBotAPI, sqlite_db: Database) -> None:
    """Started with its JobQueue, the bot catches up with a slot that fell due while it was down."""
    from bot.app import build_application

    now = utcnow()
    minute = (now.hour * 60 + now.minute - 30) % 1440
    await add_topics(sqlite_db, "Tech")
    await add_subscribers(
        sqlite_db, [3001], topic="tech", times=[minute], created_at=now - timedelta(days=1)
    )
    await add_story(sqlite_db, "tech", "Catch-up", ["x."], fetched_at=now)
    app = build_application(make_settings(api, sqlite_db.url), sqlite_db)
    async with app:
        await app.start()
        (briefing,) = await api.wait_for_messages(3001, 1, within=10)
        await app.stop()
    assert "1. Catch-up" in briefing.plain_text


async def test_killed_process_resumes_without_repeating(
    api: FakeBotAPI, sqlite_db: Database
) -> None:
    """SIGKILL of a bot process mid fan-out; a new process sends the rest, each chat once."""
    chats = list(range(4001, 4021))
    await add_topics(sqlite_db, "Tech")
    await add_subscribers(sqlite_db, chats, topic="tech")
    await add_story(sqlite_db, "tech", "Kill test", ["x."], fetched_at=utc(2026, 3, 2, 7, 0))
    async with sqlite_db.session() as session:  # the previous tick ran just before 08:00
        await advance_mark(session, "delivery_tick", utc(2026, 3, 2, 7, 59))
    api.hold("sendMessage", after=5)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.bot.fanout_child",
        sqlite_db.url,
        api.base_url,
        api.token,
        stdout=asyncio.subprocess.PIPE,
        cwd=REPOSITORY,  # where `tests` imports from
    )
    try:
        await api.wait_for_held(4, within=20)
        assert api.message_count == 5
        sent = [r for c in chats[:5] for r in await deliveries_of(sqlite_db, c)]
        assert [r.status for r in sent] == ["sent"] * 5  # recorded before the next went out
    finally:
        child.kill()
        await child.wait()
    api.release()
    clock = FakeClock(utc(2026, 3, 2, 8, 1))
    async with RunningBot(api, make_settings(api, sqlite_db.url), sqlite_db, clock) as bot:
        await bot.services.worker.run_until_idle()
    assert sorted(m.chat_id for m in api.messages()) == chats
