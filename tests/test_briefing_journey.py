"""A subscriber's day, end to end: three topics from three real feeds (one of them serving old
news), two /briefings and a scheduled slot. Every fresh story arrives exactly once, each topic
gets its share, nothing older than the age limit is briefed, and every item says how old it is.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import build_application
from bot.context import services
from bot.settings import load_settings
from bot.timeparse import format_minute
from collector.service import Collector
from sandbox.fake_bot_api import FakeBotAPI, SentMessage
from sandbox.feed_server import LocalFeedServer
from storage.clock import utcnow
from storage.db import Database
from storage.feeds import add_feed
from storage.migrate import upgrade
from storage.topics import add_topic
from tests.bot.conftest import FakeClock

CHAT = 7070
# Fictional news written for this test: each title its own event, in words of its own.
FEEDS = {
    "world": [
        "World: Coastal summit agrees fishing quotas",
        "World: Border bridge reopens after floods",
        "World: Island nation elects first woman president",
        "World: Volcano ash grounds northern flights",
        "World: Refugee convoy reaches mountain camp",
        "World: Drought talks stall over river dams",
    ],
    "business": [
        "Business: Harbour freight rates fall again",
        "Business: Textile mill hires four hundred workers",
        "Business: Regional bank raises savings rates",
    ],
    "tech": [
        "Tech: Archive item on old memory chips",
        "Tech: Archive item on dial-up modems",
        "Tech: Archive item on floppy disks",
    ],
}
OLD = "Mon, 04 Mar 2019 09:00:00 GMT"  # the tech feed only has news from 2019


def _rss(name: str, titles: list[str]) -> str:
    items = []
    for n, title in enumerate(titles):
        published = OLD if name == "tech" else f"{{ago:{20 + 25 * n}:rfc822}}"
        subject = title.split(": ", 1)[1]
        text = f"{subject}, officials said. Details followed later in the day."
        items.append(
            f"<item><title>{title}</title><guid>{name}-{n}</guid>"
            f"<pubDate>{published}</pubDate><description>{text}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{name.title()} Desk</title>{''.join(items)}</channel></rss>"
    )


def _items(messages: list[SentMessage]) -> list[tuple[str, str]]:
    """(title, its sources line) of every briefing item."""
    text = "\n".join(m.plain_text for m in messages)
    return re.findall(r"^\d+\. (.+)\n(?:.*\n)?(🔗 .+)$", text, flags=re.MULTILINE)


async def _say(api: FakeBotAPI, text: str, expect: int = 1) -> list[SentMessage]:
    before = len(api.messages(CHAT))
    api.inject_message(CHAT, text, user_id=CHAT)
    return (await api.wait_for_messages(CHAT, before + expect, within=20))[before:]


async def test_a_subscribers_day_delivers_every_fresh_story_once(tmp_path: Path) -> None:
    clock = FakeClock(utcnow())
    async with LocalFeedServer() as site, FakeBotAPI() as api:
        for name, titles in FEEDS.items():
            site.add(f"/{name}.xml", _rss(name, titles))
        settings = load_settings(
            database_url=f"sqlite:///{tmp_path / 'day.db'}",
            bot_token=api.token,
            telegram_api_url=api.base_url,
            allow_private_networks=True,
            briefing_max_items=4,
            rate_limit_per_second=0,
        )
        upgrade(settings.database_url)
        db = Database(settings.database_url)
        briefings: list[list[SentMessage]] = []
        try:
            async with db.session() as session:
                for name in FEEDS:
                    await add_topic(session, name.title())
                    await add_feed(session, name, site.url(f"/{name}.xml"))
            async with Collector(db, settings) as collector:
                report = await collector.collect_all()
                assert sorted(r.new for r in report.results) == [3, 3, 6]
                app = build_application(
                    settings, db, collector=collector, clock=clock, schedule_jobs=False
                )
                async with app:
                    await app.start()
                    assert app.updater is not None
                    await app.updater.start_polling(poll_interval=0.0, timeout=1)
                    try:
                        await _say(api, "/start")
                        await _say(api, "/subscribe world business tech")
                        slot = clock() + timedelta(hours=2)
                        await _say(api, f"/time {format_minute(slot.hour * 60 + slot.minute)}")
                        for _ in range(2):
                            clock.advance(minutes=1)
                            briefings.append(await _say(api, "/briefing"))
                        clock.set(slot + timedelta(seconds=5))
                        before = len(api.messages(CHAT))
                        await services(app).scheduler.tick()
                        await services(app).worker.run_until_idle()
                        briefings.append(api.messages(CHAT)[before:])
                    finally:
                        await app.updater.stop()
                        await app.stop()
        finally:
            await db.dispose()

    first, second, scheduled = (_items(b) for b in briefings)
    # Four items at a time, each followed topic with news getting its share.
    assert [t.split(":")[0] for t, _ in first] == ["World", "World", "Business", "Business"]
    assert "➕ 5 more stories: /briefing" in briefings[0][-1].plain_text
    assert sorted(t.split(":")[0] for t, _ in second) == ["Business", "World", "World", "World"]
    assert "➕ 1 more story: /briefing" in briefings[1][-1].plain_text
    assert [t.split(":")[0] for t, _ in scheduled] == ["World"]
    assert "more stor" not in briefings[2][-1].plain_text
    delivered = [t for t, _ in first + second + scheduled]
    fresh = FEEDS["world"] + FEEDS["business"]
    assert sorted(delivered) == sorted(fresh)  # every fresh story, each exactly once
    assert not any("Archive" in t for t in delivered)  # 2019 news is never briefed
    for _, sources in first + second + scheduled:
        assert re.search(r"\d+ (min|h) ago$", sources), sources
    # Within a topic, the freshest first (the feeds publish report 0 newest).
    world_first = [t for t, _ in first if t.startswith("World")]
    assert world_first == FEEDS["world"][:2]
    assert datetime.now(UTC) > clock() - timedelta(hours=3)  # the clock only ran ahead
