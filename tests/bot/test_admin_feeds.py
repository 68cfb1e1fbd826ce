"""Admins add feeds from a site's page, see them by number, and act on them with buttons."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from bot.admin_views import (
    feed_keyboard,
    feed_text,
    feeds_messages,
    pause_notice,
    remove_feed_keyboard,
    remove_feed_question,
)
from bot.app import build_application
from bot.formatting import telegram_length
from bot.handlers import ADMIN_HANDLERS
from collector.service import Collector
from sandbox.fake_bot_api import FakeBotAPI, SentMessage
from sandbox.feed_server import LocalFeedServer
from sandbox.telegram_html import visible_text
from storage.db import Database
from storage.feeds import add_feed, get_feed, list_feeds
from storage.models import Feed
from storage.stats import FeedHealth
from tests.bot.conftest import ADMIN_ID, FakeClock, RunningBot, add_topics, make_settings

ITEM = """<item><title>{title}</title><link>{{base_url}}/{slug}</link><guid>{slug}</guid>
<description>{title}. The harbour authority said so on Monday, and boats will run every twenty
minutes between May and September.</description></item>"""
HOME = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Harbour Gazette</title>
<link rel="alternate" type="application/rss+xml" title="News" href="/news/feed.xml">
</head><body><h1>Harbour Gazette</h1></body></html>"""


def rss(title: str, *items: tuple[str, str]) -> str:
    body = "".join(ITEM.format(slug=slug, title=text) for slug, text in items)
    channel = f"<channel><title>{title}</title>{body}</channel>"
    return f"<?xml version='1.0'?><rss version='2.0'>{channel}</rss>"


FERRY = ("ferry", "Ferry timetable changes for the summer")
LIGHTHOUSE = ("lighthouse", "Lighthouse reopens to visitors")
MARKET = ("market", "The fish market moves to the east quay")


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


async def add_feed_and_wait(bot: RunningBot, command: str) -> SentMessage:
    """Send /addfeed; return its one message once "Checking…" has been edited into the result."""
    edits = len(bot.api.calls_to("editMessageText"))
    (checking,) = await bot.send(ADMIN_ID, command)
    assert checking.plain_text.startswith("Checking ")
    await bot.api.wait_for_calls("editMessageText", edits + 1, within=30)
    (result,) = [m for m in bot.api.messages(ADMIN_ID) if m.message_id == checking.message_id]
    return result


async def test_addfeed_on_a_home_page_adds_the_feed_it_names(
    bot_with_collector: RunningBot,
) -> None:
    bot = bot_with_collector
    await add_topics(bot.db, "Local News")
    async with LocalFeedServer() as site:
        site.add("/", HOME, "text/html; charset=utf-8")
        site.add("/news/feed.xml", rss("The Harbour Gazette", FERRY, LIGHTHOUSE))
        before = len(bot.api.messages(ADMIN_ID))
        result = await add_feed_and_wait(bot, f"/addfeed local news {site.url('/')}")

    assert len(bot.api.messages(ADMIN_ID)) == before + 1  # one message, edited
    lines = result.plain_text.split("\n")
    assert lines[0].startswith("✅ Added The Harbour Gazette as #1 to Local News: 2 new articles (")
    assert lines[1] == (
        f"🔎 {site.url('/')} is a web page; the feed it names is the one added: "
        f"{site.url('/news/feed.xml')}"
    )
    async with bot.db.session() as session:
        assert [f.url for f in await list_feeds(session)] == [site.url("/news/feed.xml")]


async def test_addfeed_counts_articles_and_says_which_were_known_already(
    bot_with_collector: RunningBot,
) -> None:
    bot = bot_with_collector
    await add_topics(bot.db, "Local", "World News")
    async with LocalFeedServer() as site:
        site.add("/one.xml", rss("One", FERRY))
        site.add("/copy.xml", rss("Copy", FERRY, LIGHTHOUSE))
        site.add("/same.xml", rss("Same", FERRY, LIGHTHOUSE))
        site.add("/empty.xml", rss("Empty"))
        one = await add_feed_and_wait(bot, f"/addfeed Local {site.url('/one.xml')}")
        copy = await add_feed_and_wait(bot, f'/addfeed "world news" {site.url("/copy.xml")}')
        same = await add_feed_and_wait(bot, f"/addfeed WORLD NEWS {site.url('/same.xml')}")
        empty = await add_feed_and_wait(bot, f"/addfeed local {site.url('/empty.xml')}")

    assert one.plain_text.startswith("✅ Added One as #1 to Local: 1 new article (")
    assert copy.plain_text.startswith(
        "✅ Added Copy as #2 to World News: 1 new article; 1 more item was already in the news "
        "from other feeds ("
    )
    assert same.plain_text.startswith(
        "✅ Added Same as #3 to World News: no new articles: its 2 items are already in the "
        "news from other feeds ("
    )
    assert empty.plain_text.startswith(
        "✅ Added Empty as #4 to Local: no articles yet (the feed is empty) ("
    )


async def test_addfeed_of_a_page_without_a_feed_says_so_and_keeps_nothing(
    bot_with_collector: RunningBot,
) -> None:
    bot = bot_with_collector
    await add_topics(bot.db, "Local")
    async with LocalFeedServer() as site:
        site.add("/", "<!DOCTYPE html><html><body>Just a page</body></html>", "text/html")
        result = await add_feed_and_wait(bot, f"/addfeed local {site.url('/')}")
    assert result.plain_text == (
        f"❌ Could not use {site.url('/')}: {site.url('/')} is a web page, not a feed, and no "
        "feed was found for it: the page links to none that works and none answers at /feed, "
        "/rss, /rss.xml, /atom.xml, /feed.xml, /index.xml.\n"
        "Nothing was added; check the URL and try again."
    )
    async with bot.db.session() as session:
        assert await list_feeds(session) == []


async def add_feeds(bot: RunningBot) -> None:
    await add_topics(bot.db, "World News", "Tech")
    async with bot.db.session() as session:
        await add_feed(session, "world news", "https://a.example/rss?x=1&y=2")
        await add_feed(session, "tech", "https://b.example/feed")
        feed = await get_feed(session, "https://b.example/feed")
        assert feed is not None
        feed.title, feed.error_count, feed.last_error = "Bits & Bytes", 2, "HTTP 503"


async def press(bot: RunningBot, label: str) -> SentMessage:
    """Press the newest button labelled `label` in the admin's chat; the message it edited (or
    the new message it sent)."""
    calls = len(bot.api.calls_to("answerCallbackQuery"))
    edits = len(bot.api.calls_to("editMessageText"))
    count = len(bot.api.messages(ADMIN_ID))
    update = bot.api.press_button(ADMIN_ID, label)
    pressed = update["callback_query"]["message"]["message_id"]
    await bot.api.wait_for_calls("answerCallbackQuery", calls + 1)
    if label.startswith("#"):  # opens the feed's own view in a new message
        return (await bot.api.wait_for_messages(ADMIN_ID, count + 1))[-1]
    await bot.api.wait_for_calls("editMessageText", edits + 1)
    (message,) = [m for m in bot.api.messages(ADMIN_ID) if m.message_id == pressed]
    return message


async def feed_row(bot: RunningBot, feed_id: int) -> Feed | None:
    async with bot.db.session() as session:
        return await session.get(Feed, feed_id)


async def test_feeds_are_numbered_and_each_has_buttons(bot: RunningBot) -> None:
    await add_feeds(bot)
    (listing,) = await bot.send(ADMIN_ID, "/feeds")
    assert listing.plain_text.split("\n") == [
        "Feeds (2) — tap a number for its buttons, or use it in /feedweight, /pausefeed, "
        "/resumefeed and /delfeed",
        "⚠️ #2 Bits & Bytes [Tech] · weight 1",
        "   https://b.example/feed",
        "   last success never · 2 errors · 0 articles in 24 h",
        "   last error: HTTP 503",
        "✅ #1 https://a.example/rss?x=1&y=2 [World News] · weight 1",
        "   https://a.example/rss?x=1&y=2",
        "   last success never · 0 errors · 0 articles in 24 h",
    ]
    assert listing.buttons == [("#2", "feed:2"), ("#1", "feed:1")]

    view = await press(bot, "#2")
    assert view.plain_text.split("\n") == [
        "#2 Bits & Bytes",
        "Topic: Tech",
        "URL: https://b.example/feed",
        "State: ⚠️ failing (2 errors in a row)",
        "Weight: 1 (0-10: how much its stories count in briefings)",
        "Last success: never · 0 articles in 24 h",
        "Last error: HTTP 503",
    ]
    assert view.buttons == [
        ("➖ weight 0.5", "feed:2:w:0.5"),
        ("➕ weight 1.5", "feed:2:w:1.5"),
        ("⏸ Pause", "feed:2:pause"),
        ("🗑 Remove…", "feed:2:del"),
    ]

    view = await press(bot, "➕ weight 1.5")
    assert view.plain_text.startswith("⚖️ Weight set to 1.5.\n#2 Bits & Bytes")
    assert ("➕ weight 2", "feed:2:w:2") in view.buttons
    feed = await feed_row(bot, 2)
    assert feed is not None and feed.weight == 1.5

    view = await press(bot, "⏸ Pause")
    assert view.plain_text.startswith("⏸ Paused: it is not checked until you resume it.\n")
    assert "State: ⏸ paused: not checked until resumed" in view.plain_text
    feed = await feed_row(bot, 2)
    # An admin's own pause is not announced to the admins as a failing feed.
    assert feed is not None and feed.paused and feed.pause_notified
    view = await press(bot, "▶️ Resume")
    assert view.plain_text.startswith("▶️ Resumed: it is checked in the next collection pass.")
    feed = await feed_row(bot, 2)
    assert feed is not None and not feed.paused and feed.error_count == 0

    view = await press(bot, "🗑 Remove…")
    assert view.plain_text == (
        "Remove the feed #2 Bits & Bytes [Tech]?\nhttps://b.example/feed\n"
        "It is no longer checked; the articles it brought stay."
    )
    assert view.buttons == [("🗑 Yes, remove #2", "feed:2:delok"), ("Keep it", "feed:2:view")]
    view = await press(bot, "Keep it")
    assert view.plain_text.startswith("#2 Bits & Bytes")  # back to its buttons, nothing removed
    assert await feed_row(bot, 2) is not None
    await press(bot, "🗑 Remove…")
    view = await press(bot, "Yes, remove #2")
    assert view.plain_text == "🗑 Removed the feed #2 Bits & Bytes; its articles stay."
    assert view.buttons == []
    assert await feed_row(bot, 2) is None


async def test_feed_commands_take_the_number_or_the_url(bot: RunningBot) -> None:
    await add_feeds(bot)
    paused = await bot.reply_text(ADMIN_ID, "/pausefeed 1")
    assert paused.startswith("⏸ Paused: it is not checked until you resume it.\n#1 ")
    assert bot.api.messages(ADMIN_ID)[-1].buttons[-2:] == [
        ("▶️ Resume", "feed:1:resume"),
        ("🗑 Remove…", "feed:1:del"),
    ]
    resumed = await bot.reply_text(ADMIN_ID, "/resumefeed #1")
    assert resumed.startswith("▶️ Resumed: it is checked in the next collection pass.")
    weighed = await bot.reply_text(ADMIN_ID, "/feedweight #2 3")
    assert weighed == "The feed https://b.example/feed now weighs 3."
    feed = await feed_row(bot, 2)
    assert feed is not None and feed.weight == 3
    assert await bot.reply_text(ADMIN_ID, "/pausefeed https://b.example/feed") != ""
    feed = await feed_row(bot, 2)
    assert feed is not None and feed.paused

    # Removing asks first, whether named by number or by URL.
    (question,) = await bot.send(ADMIN_ID, "/delfeed https://a.example/rss?x=1&y=2")
    assert question.plain_text.startswith(
        "Remove the feed #1 https://a.example/rss?x=1&y=2 [World News]?"
    )
    assert await feed_row(bot, 1) is not None
    (question,) = await bot.send(ADMIN_ID, "/delfeed 2")
    assert question.plain_text.startswith("Remove the feed #2 Bits & Bytes [Tech]?")
    view = await press(bot, "Yes, remove #2")
    assert view.plain_text == "🗑 Removed the feed #2 Bits & Bytes; its articles stay."
    assert await feed_row(bot, 2) is None

    assert await bot.reply_text(ADMIN_ID, "/pausefeed 99") == (
        "Could not do it: no feed #99. See /feeds."
    )
    assert (
        await bot.reply_text(ADMIN_ID, "/delfeed #2")
        == "Could not remove it: no feed #2. See /feeds."
    )
    usage = await bot.reply_text(ADMIN_ID, "/resumefeed")
    assert usage == "Usage: /resumefeed <feed>, with the number /feeds shows (12 or #12) or the URL"


async def test_the_pause_notice_has_a_resume_button(api: FakeBotAPI, sqlite_db: Database) -> None:
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
                    assert app.updater is not None
                    await app.updater.start_polling(timeout=1)
                    (notice,) = await api.wait_for_messages(ADMIN_ID, 1, within=15)
                    assert notice.plain_text.split("\n") == [
                        f"⏸ Feed paused after 1 failed check in a row: {broken}",
                        f"#1 {broken} [Local]",
                        "Last error: HTTP 500 Internal Server Error",
                        "Resume it once it is fixed, or remove it; /feeds lists every feed.",
                    ]
                    assert notice.buttons == [
                        ("▶️ Resume", "feed:1:resume"),
                        ("🗑 Remove…", "feed:1:del"),
                    ]
                    api.press_button(ADMIN_ID, "Resume")
                    await api.wait_for_calls("editMessageText", within=15)
                    await app.updater.stop()
                    await app.stop()
    assert api.messages(ADMIN_ID)[0].plain_text.startswith(
        "▶️ Resumed: it is checked in the next collection pass.\n#1 "
    )
    async with sqlite_db.session() as session:
        feed = await get_feed(session, broken)
    assert feed is not None and not feed.paused


def test_feed_buttons_fit_telegram_limits_with_worst_case_feeds() -> None:
    longest = 2**63 - 1
    now = datetime(2026, 3, 2, tzinfo=UTC)
    hostile = [
        FeedHealth(longest - n, "https://x.example/" + "é&" * 2000, "T" * 500, "É" * 64, None,
                   n, "e" * 5000, bool(n % 2), 9, 1.25)
        for n in range(45)
    ]  # fmt: skip
    plain = [
        FeedHealth(n, f"https://x.example/{n}", None, "Tech", now, 0, None, False, 1)
        for n in range(1, 46)
    ]
    assert len(feeds_messages(plain, now)) == 3  # at most 20 feeds (20 buttons) a message
    messages = feeds_messages(hostile, now) + feeds_messages(plain, now)
    markups = [m for _, m in messages] + [feed_keyboard(f) for f in hostile]
    markups += [remove_feed_keyboard(longest), pause_notice(hostile[0], hostile[0].url, 10)[1]]
    data = [b.callback_data for m in markups if m for row in m.inline_keyboard for b in row]
    assert all(1 <= len(str(d).encode()) <= 64 for d in data)
    assert all(sum(len(r) for r in m.inline_keyboard) <= 20 for _, m in messages if m)
    texts = [text for text, _ in messages] + [
        feed_text(f, now, "⚖️ Weight set to 1.5.") for f in hostile
    ]
    texts += [pause_notice(f, f.url, 10)[0] for f in hostile[:2]]
    texts += [remove_feed_question(f.id, f.title, f.url, f.topic) for f in hostile[:2]]
    for text in texts:  # valid Telegram HTML (else this raises), never over the limit
        assert len(visible_text(text)) <= 4096 and telegram_length(text) <= 4096


async def test_the_admin_menu_and_help_list_every_admin_command(bot: RunningBot) -> None:
    menu = [c["command"] for c in bot.api.commands['{"chat_id": 42, "type": "chat"}']]
    assert set(ADMIN_HANDLERS) <= set(menu)
    assert {"pausefeed", "resumefeed"} <= set(menu)
    help_text = await bot.reply_text(ADMIN_ID, "/help")
    assert "/pausefeed — Stop checking a feed: /pausefeed 12" in help_text
    assert "/resumefeed — Check a paused feed again: /resumefeed 12" in help_text
