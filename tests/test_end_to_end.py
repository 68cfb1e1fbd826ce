"""The whole path: local feeds, a collection pass, a subscriber's briefing on Telegram."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from bot.app import build_application
from bot.settings import load_settings
from cli import main
from collector.service import Collector
from sandbox.fake_bot_api import FakeBotAPI, SentMessage
from sandbox.feed_server import LocalFeedServer
from storage.db import Database
from storage.feeds import add_feed
from storage.migrate import upgrade
from storage.topics import add_topic

CHAT = 5150

# Fixture news written for this test; titles carry the characters Telegram's HTML mode chokes on.
ARTICLES = {
    "merger": (
        "Q&A: why <Bigco> & Smallco merged",
        [
            "Bigco and Smallco completed their merger on Monday, creating the largest maker of "
            "garden tools in the region.",
            "The combined company will employ 4,200 people across six factories.",
            "Shareholders of both firms approved the deal last month by wide margins.",
            "Competition regulators said they would watch prices for the next two years.",
        ],
    ),
    "bridge": (
        "Old Mill bridge reopens after repairs",
        [
            "The Old Mill bridge reopened to traffic on Tuesday after eight months of repairs "
            "to its stone arches.",
            "Engineers replaced 300 tonnes of crumbling masonry and added a separate cycle lane.",
            "Traders on Mill Street said the closure had cut their takings by a third.",
            "The council said the work came in under its budget of 3.2 million.",
        ],
    ),
    "library": (
        "City library to open on Sundays",
        [
            "The central library will open on Sundays from next month after a campaign by "
            "parents and students.",
            "Opening hours will run from ten in the morning until four in the afternoon.",
            "The extra day is paid for by a grant from a local charity for three years.",
            "Librarians said Sunday was the day most requested in a survey of 2,000 readers.",
        ],
    ),
}


def _page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f"<html><head><title>{html.escape(title)}</title></head><body>"
        "<nav><a href='/'>Home</a> | <a href='/news'>News</a></nav>"
        f"<article><h1>{html.escape(title)}</h1>{body}</article>"
        "<footer>Copyright 2026 Town Crier. All rights reserved.</footer></body></html>"
    )


def _feed() -> str:
    items = "".join(
        f"<item><title>{html.escape(title)}</title>"
        f"<link>{{base_url}}/news/{slug}.html</link><guid>{slug}</guid>"
        f"<pubDate>{{ago:{60 * i + 30}:rfc822}}</pubDate>"
        f"<description>{html.escape(paragraphs[0])}</description></item>"
        for i, (slug, (title, paragraphs)) in enumerate(ARTICLES.items())
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Town Crier</title><link>{{base_url}}/</link>{items}</channel></rss>"
    )


async def _replies(api: FakeBotAPI, text: str, expect: int = 1) -> list[SentMessage]:
    before = len(api.messages(CHAT))
    api.inject_message(CHAT, text, user_id=CHAT)
    return (await api.wait_for_messages(CHAT, before + expect, within=20))[before:]


async def test_subscriber_gets_a_briefing_of_collected_feeds(tmp_path: Path) -> None:
    async with LocalFeedServer() as site, FakeBotAPI() as api:
        site.add("/feed.xml", _feed())
        for slug, (title, paragraphs) in ARTICLES.items():
            site.add(f"/news/{slug}.html", _page(title, paragraphs), "text/html; charset=utf-8")
        settings = load_settings(
            database_url=f"sqlite:///{tmp_path / 'e2e.db'}",
            bot_token=api.token,
            telegram_api_url=api.base_url,
            allow_private_networks=True,
        )
        upgrade(settings.database_url)
        db = Database(settings.database_url)
        try:
            async with db.session() as session:
                await add_topic(session, "Local")
                await add_feed(session, "local", site.url("/feed.xml"))
            async with Collector(db, settings) as collector:
                app = build_application(settings, db, collector=collector, schedule_jobs=False)
                async with app:
                    await app.start()
                    assert app.updater is not None
                    await app.updater.start_polling(poll_interval=0.0, timeout=1)
                    try:
                        welcome = await _replies(api, "/start")
                        assert "local" in welcome[0].plain_text.lower()
                        await _replies(api, "/subscribe local")
                        report = await collector.collect_all()
                        assert [r.new for r in report.results] == [3]
                        briefing = await _replies(api, "/briefing")
                    finally:
                        await app.updater.stop()
                        await app.stop()
        finally:
            await db.dispose()

    text = "\n".join(message.text for message in briefing)
    assert all(len(message.text) <= 4096 for message in briefing)
    assert all(message.link_preview_disabled for message in briefing)
    # Every dynamic string reaches Telegram escaped; the reader sees the original characters.
    assert "Q&amp;A: why &lt;Bigco&gt; &amp; Smallco merged" in text
    assert "<Bigco>" not in text
    plain = "\n".join(message.plain_text for message in briefing)
    for slug, (title, paragraphs) in ARTICLES.items():
        assert title in plain
        assert site.url(f"/news/{slug}.html") in text  # the source link
        assert sum(sentence in plain for sentence in paragraphs) in (1, 2, 3)
    assert "Copyright" not in plain and "Home | News" not in plain


def test_demo_prints_a_briefing_with_summarized_items(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--color", "never"]) == 0
    out = capsys.readouterr().out
    briefing, channel = out.split("exactly as the subscriber receives it:", 1)[1].split(
        "An editor adds the channel", 1
    )
    channel, forum = channel.split("In a forum group", 1)
    # The channel gets its own briefing, the top story's lead image above the first item.
    assert "📢 Northbridge News is added" in channel
    posted = channel.split("What the channel's readers see", 1)[1]
    assert re.search(r"🖼  \[photo: http://127\.0\.0\.1:\d+/images/tidal-barrier\.jpg\]", posted)
    assert "News briefing ·" in posted and "1. " in posted and "▍WORLD" in posted
    # The forum's Tech desk topic gets the Tech stories, and only those.
    desk = forum.split("What the “Tech desk” topic receives:", 1)[1]
    assert "▍TECH" in desk and "▍WORLD" not in desk and "▍SCIENCE" not in desk
    items = re.findall(
        r"^\d+\. (.+)\n((?:(?!🔗).+\n)+)🔗 (.+) <(http://127\.0\.0\.1:\d+/\S+)>",
        briefing,
        flags=re.MULTILINE,
    )
    assert len(items) >= 3, briefing
    # Three outlets' reports of the Northbridge tidal barrier vote are one item of 3 sources.
    barrier = [b for b in briefing.split("\n\n") if "🔗" in b and "barrier" in b.lower()]
    assert len(barrier) == 1 and "3 sources" in barrier[0], briefing
    for title, summary, source, link in items:
        assert title.strip() and source.strip() and link
        sentences = re.findall(r"[.!?][\"”’]?(?:\s|$)", summary)
        assert 1 <= len(sentences) <= 3, summary
