"""Admin commands: happy paths, bad input, and refusal for everyone else."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.app import build_application
from collector.service import Collector
from sandbox.fake_bot_api import FakeBotAPI
from sandbox.feed_server import LocalFeedServer
from storage.db import Database
from storage.feeds import add_feed, get_feed, list_feeds
from storage.models import Feed
from storage.topics import get_topic
from tests.bot.conftest import ADMIN_ID, FakeClock, RunningBot, add_topics, make_settings

USER = 2002

ADMIN_COMMANDS = [
    "/addtopic Tech",
    "/deltopic tech",
    "/addfeed tech https://example.org/rss",
    "/delfeed https://example.org/rss",
    "/pausefeed 1",
    "/resumefeed 1",
    "/feeds",
    "/stats",
    "/broadcast hello",
]

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>The Harbour Gazette</title><link>{base_url}/</link><description>Local news</description>
<item><title>Ferry timetable changes for the summer</title><link>{base_url}/ferry</link>
<guid>ferry-1</guid><pubDate>Mon, 02 Mar 2026 05:00:00 GMT</pubDate>
<description>The harbour authority published a new ferry timetable on Monday. Boats will run every
twenty minutes between May and September. Night crossings return after a two-year break.
</description></item>
<item><title>Lighthouse reopens to visitors</title><link>{base_url}/lighthouse</link>
<guid>lighthouse-1</guid><pubDate>Mon, 02 Mar 2026 04:00:00 GMT</pubDate>
<description>The old lighthouse on the north pier reopened after restoration. Volunteers repainted
the tower and repaired the lantern room. Guided tours start at ten every Saturday.
</description></item>
</channel></rss>
"""


@pytest.mark.parametrize("command", ADMIN_COMMANDS)
async def test_non_admins_are_refused_and_logged(
    bot: RunningBot, command: str, caplog: pytest.LogCaptureFixture
) -> None:
    await add_topics(bot.db, "Tech")
    with caplog.at_level(logging.WARNING, logger="bot.handlers.common"):
        answer = await bot.reply_text(USER, command)
    name = command.split()[0].lstrip("/")
    assert answer == f"Sorry, that is not allowed: /{name} is for admins only."
    assert f"refused /{name} from user {USER}" in caplog.text
    assert bot.api.message_count == 1  # nothing was broadcast, nothing else happened
    async with bot.db.session() as session:
        assert await get_topic(session, "tech") is not None


async def test_addtopic_and_deltopic(bot: RunningBot) -> None:
    answer = await bot.reply_text(ADMIN_ID, "/addtopic Space rocket -football")
    assert answer.startswith("Added topic Space with keywords: rocket -football.")
    async with bot.db.session() as session:
        topic = await get_topic(session, "space")
    assert topic is not None and topic.keywords == "rocket -football"
    assert "already exists" in await bot.reply_text(ADMIN_ID, "/addtopic space")
    assert "Usage: /addtopic <name>" in await bot.reply_text(ADMIN_ID, "/addtopic")
    (question,) = await bot.send(ADMIN_ID, "/deltopic space")
    assert question.plain_text.startswith("Remove the topic Space?")
    bot.api.press_button(ADMIN_ID, "Remove Space")
    await bot.api.wait_for_calls("editMessageText")
    assert bot.api.messages(ADMIN_ID)[-1].plain_text == (
        "🗑 Removed the topic Space with 0 feeds; nobody followed it."
    )
    assert "no topic named 'space'" in await bot.reply_text(ADMIN_ID, "/deltopic space")
    assert "Usage: /deltopic <name>" in await bot.reply_text(ADMIN_ID, "/deltopic")


async def test_addfeed_and_delfeed_bad_input(bot: RunningBot) -> None:
    await add_topics(bot.db, "Tech")
    assert "Usage: /addfeed <topic> <url>" in await bot.reply_text(ADMIN_ID, "/addfeed tech")
    assert "is not an http(s) URL" in await bot.reply_text(
        ADMIN_ID, "/addfeed tech ftp://example.org/rss"
    )
    assert "no topic named 'sport'; add it first" in await bot.reply_text(
        ADMIN_ID, "/addfeed sport https://example.org/rss"
    )
    assert "Usage: /delfeed <feed>" in await bot.reply_text(ADMIN_ID, "/delfeed")
    assert "no feed with URL https://nowhere.example/rss" in await bot.reply_text(
        ADMIN_ID, "/delfeed https://nowhere.example/rss"
    )


@pytest.fixture
async def bot_with_collector(
    api: FakeBotAPI, sqlite_db: Database, clock: FakeClock
) -> AsyncIterator[RunningBot]:
    """The bot with a real collector (threads instead of processes, private networks allowed)."""
    settings = make_settings(api, sqlite_db.url, allow_private_networks=True)
    with ThreadPoolExecutor(2) as pool:
        async with (
            Collector(sqlite_db, settings, executor=pool) as collector,
            RunningBot(api, settings, sqlite_db, clock, collector=collector) as running,
        ):
            yield running


async def test_addfeed_fetches_once_and_reports(bot_with_collector: RunningBot) -> None:
    bot = bot_with_collector
    await add_topics(bot.db, "Local")
    async with LocalFeedServer() as feeds:
        url = feeds.add("/harbour.rss", FEED)
        (checking,) = await bot.send(ADMIN_ID, f"/addfeed local {url}")
        assert checking.plain_text == f"Checking {url} …"
        await bot.api.wait_for_calls("editMessageText", within=30)
        done = bot.api.messages(ADMIN_ID)[-1]
        assert done.message_id == checking.message_id  # the same message, edited
        assert done.plain_text.startswith(
            "✅ Added The Harbour Gazette as #1 to Local: 2 new articles"
        )
        missing = feeds.url("/gone.rss")
        await bot.send(ADMIN_ID, f"/addfeed local {missing}")
        await bot.api.wait_for_calls("editMessageText", 2, within=30)
        failed = bot.api.messages(ADMIN_ID)[-1]
    assert failed.plain_text.startswith(f"❌ Could not use {missing}: ")
    assert "404" in failed.plain_text
    assert "Nothing was added" in failed.plain_text
    async with bot.db.session() as session:
        assert [f.url for f in await list_feeds(session)] == [url]
    assert "already added (#1)" in await bot.reply_text(ADMIN_ID, f"/addfeed local {url}")

    listing = await bot.reply_text(ADMIN_ID, "/feeds")
    assert "Feeds (1)" in listing
    assert "✅ #1 The Harbour Gazette [Local] · weight 1" in listing
    assert "0 errors · 2 articles in 24 h" in listing

    (question,) = await bot.send(ADMIN_ID, f"/delfeed {url}")
    assert question.plain_text.startswith("Remove the feed #1 The Harbour Gazette [Local]?")
    bot.api.press_button(ADMIN_ID, "Yes, remove #1")
    await bot.api.wait_for_calls("editMessageText", 3)
    assert bot.api.messages(ADMIN_ID)[-1].plain_text == (
        "🗑 Removed the feed #1 The Harbour Gazette; its articles stay."
    )
    async with bot.db.session() as session:
        assert await get_feed(session, url) is None


async def test_feeds_shows_health(bot: RunningBot) -> None:
    assert "No feeds yet" in await bot.reply_text(ADMIN_ID, "/feeds")
    await add_topics(bot.db, "Tech")
    async with bot.db.session() as session:
        tech = await get_topic(session, "tech")
        assert tech is not None
        now = bot.clock()
        session.add(
            Feed(
                url="https://broken.example/rss",
                topic_id=tech.id,
                title="Broken <Feed>",
                next_check_at=now,
                created_at=now,
                error_count=3,
                last_error="HTTP 500 & worse",
                last_success_at=now.replace(hour=3),
            )
        )
    text = await bot.reply_text(ADMIN_ID, "/feeds")
    assert "⚠️ #1 Broken <Feed> [Tech] · weight 1" in text
    assert "last success 3 h ago · 3 errors · 0 articles in 24 h" in text
    assert "last error: HTTP 500 & worse" in text


async def test_stats_counts_subscribers_briefings_articles_and_queue(bot: RunningBot) -> None:
    await bot.send(1, "/start")
    await bot.send(2, "/start")
    await bot.send(2, "/pause")
    text = await bot.reply_text(ADMIN_ID, "/stats")
    assert "Subscribers: 1 active, 1 paused, 0 blocked" in text
    assert "Briefings sent today (UTC): 0" in text
    assert "Articles collected today (UTC): 0" in text
    assert "Queue: 0 pending, 0 due now, lag none" in text


async def test_broadcast_reaches_active_subscribers_through_the_queue(bot: RunningBot) -> None:
    for chat in (11, 12, 13):
        await bot.send(chat, "/start")
    await bot.send(13, "/pause")
    await bot.send(ADMIN_ID, "/broadcast Maintenance <tonight> & tomorrow")
    bot.api.press_button(ADMIN_ID, "Send to 2")
    await bot.api.wait_for_calls("editMessageText")
    assert bot.api.messages(ADMIN_ID)[-1].plain_text.startswith(
        "✅ Queued for 2 active subscribers."
    )
    await bot.services.worker.run_until_idle()
    for chat in (11, 12):
        last = (await bot.api.wait_for_messages(chat, 2))[-1]
        assert last.plain_text == "📣 Maintenance <tonight> & tomorrow"
        assert last.text == "📣 Maintenance &lt;tonight&gt; &amp; tomorrow"
    assert len(bot.api.messages(13)) == 2  # /start and /pause answers only
    assert "Usage: /broadcast <text>" in await bot.reply_text(ADMIN_ID, "/broadcast")
    too_long = await bot.reply_text(ADMIN_ID, "/broadcast " + "x" * 5000)
    assert too_long == "That is too long: at most 3896 characters, please."


async def test_admins_hear_once_when_a_feed_is_paused(api: FakeBotAPI, sqlite_db: Database) -> None:
    """The collect tick runs on the JobQueue; a feed paused after its failures is announced once."""
    settings = make_settings(
        api,
        sqlite_db.url,
        allow_private_networks=True,
        feed_failures_before_pause=1,
        collect_interval_seconds=10,
    )
    await add_topics(sqlite_db, "Local")
    async with LocalFeedServer() as feeds:
        feeds.fail("/broken.rss", 500)
        broken = feeds.url("/broken.rss")
        async with sqlite_db.session() as session:
            await add_feed(session, "local", broken)
        with ThreadPoolExecutor(2) as pool:
            async with Collector(sqlite_db, settings, executor=pool) as collector:
                app = build_application(settings, sqlite_db, collector=collector)
                async with app:
                    await app.start()
                    (notice,) = await api.wait_for_messages(ADMIN_ID, 1, within=15)
                    await app.stop()
    assert notice.plain_text.startswith(f"⏸ Feed paused after 1 failed check in a row: {broken}")
    assert len(api.messages(ADMIN_ID)) == 1
