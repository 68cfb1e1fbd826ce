"""Acceptance: one event from several feeds is one briefing item; a later source updates it."""

from __future__ import annotations

import html
from pathlib import Path

from bot.app import build_application
from bot.settings import load_settings
from collector.service import Collector
from sandbox.fake_bot_api import FakeBotAPI, SentMessage
from sandbox.feed_server import LocalFeedServer
from storage.db import Database
from storage.feeds import add_feed
from storage.migrate import upgrade
from storage.topics import add_topic

CHAT = 6006

# Fictional reports written for this test: four outlets on one event, one on another.
LEAD = (
    "Glenmoor's water board approved a £95m reservoir at Ashby Vale on Thursday, voting 11 "
    "to 4 to flood the valley after three dry summers left taps running low."
)
BODY = [
    "The reservoir will hold 14 billion litres and supply 210,000 homes from 2031.",
    "Farmers in the valley will be offered new land on the eastern ridge, the board said.",
    "Campaigners said they would ask the courts to review the decision within six weeks.",
    "Engineers plan a 38-metre earth dam with a spillway on its northern side.",
]
REPORTS = {
    "gazette": ("Water board backs £95m Ashby Vale reservoir", [LEAD, *BODY]),
    "herald": (
        "Ashby Vale to be flooded for new reservoir",
        ["By our environment desk", LEAD, BODY[1], BODY[0], BODY[3], BODY[2]],
    ),
    "wire": (
        "UPDATE 1-Glenmoor approves Ashby Vale reservoir plan",
        [f"GLENMOOR (Valley Wire) - {LEAD}", *BODY[:3], "Reporting by the Valley Wire desk."],
    ),
    "late": (
        "Reservoir vote: what Ashby Vale's £95m plan means",
        [LEAD, BODY[0], BODY[2], BODY[3], "Sign up for our morning newsletter."],
    ),
}
OTHER = (
    "Ferry company adds a winter crossing to the islands",
    [
        "Island Ferries will run a second daily crossing to the northern isles from December, "
        "the company said on Thursday.",
        "The extra sailing leaves at seven in the evening and returns the next morning.",
        "Islanders had asked for a later boat for years, the council's transport chair said.",
    ],
)


def _page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f"<html><head><title>{html.escape(title)}</title></head><body>"
        f"<article><h1>{html.escape(title)}</h1>{body}</article></body></html>"
    )


def _feed(name: str, items: list[tuple[str, str, list[str]]]) -> str:
    entries = "".join(
        f"<item><title>{html.escape(title)}</title>"
        f"<link>{{base_url}}/{name}/{slug}.html</link><guid>{name}-{slug}</guid>"
        f"<description>{html.escape(paragraphs[0])}</description></item>"
        for slug, title, paragraphs in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{name.title()} News</title><link>{{base_url}}/</link>{entries}</channel></rss>"
    )


def _serve(site: LocalFeedServer, name: str, items: list[tuple[str, str, list[str]]]) -> str:
    site.add(f"/{name}.xml", _feed(name, items))
    for slug, title, paragraphs in items:
        site.add(f"/{name}/{slug}.html", _page(title, paragraphs), "text/html; charset=utf-8")
    return site.url(f"/{name}.xml")


async def _replies(api: FakeBotAPI, text: str) -> list[SentMessage]:
    before = len(api.messages(CHAT))
    api.inject_message(CHAT, text, user_id=CHAT)
    return (await api.wait_for_messages(CHAT, before + 1, within=20))[before:]


async def test_one_event_from_three_feeds_is_one_item_and_a_fourth_updates_it(
    tmp_path: Path,
) -> None:
    async with LocalFeedServer() as site, FakeBotAPI() as api:
        urls = {}
        for name in ("gazette", "herald", "wire"):
            items = [("reservoir", *REPORTS[name])]
            if name == "gazette":
                items.append(("ferry", *OTHER))
            urls[name] = _serve(site, name, items)
        settings = load_settings(
            database_url=f"sqlite:///{tmp_path / 'stories.db'}",
            bot_token=api.token,
            telegram_api_url=api.base_url,
            allow_private_networks=True,
        )
        upgrade(settings.database_url)
        db = Database(settings.database_url)
        try:
            async with db.session() as session:
                await add_topic(session, "Local")
                for url in urls.values():
                    await add_feed(session, "local", url)
            async with Collector(db, settings) as collector:
                app = build_application(settings, db, collector=collector, schedule_jobs=False)
                async with app:
                    await app.start()
                    assert app.updater is not None
                    await app.updater.start_polling(poll_interval=0.0, timeout=1)
                    try:
                        await _replies(api, "/start")
                        await _replies(api, "/subscribe local")
                        report = await collector.collect_all()
                        assert report.new == 4
                        first = await _replies(api, "/briefing")
                        late_url = _serve(site, "late", [("reservoir", *REPORTS["late"])])
                        async with db.session() as session:
                            await add_feed(session, "local", late_url)
                        report = await collector.collect_all()
                        assert report.new == 1
                        second = await _replies(api, "/briefing")
                    finally:
                        await app.updater.stop()
                        await app.stop()
        finally:
            await db.dispose()

    plain = "\n".join(m.plain_text for m in first)
    assert "2 stories" in plain  # the reservoir once, the ferry once
    assert plain.count("Ashby Vale") >= 1
    reservoir = [block for block in plain.split("\n\n") if "reservoir" in block.lower()]
    assert len(reservoir) == 1, plain
    assert "3 sources" in reservoir[0]
    text = "\n".join(m.text for m in first)
    for name in ("gazette", "herald", "wire"):
        assert site.url(f"/{name}/reservoir.html") in text  # a link to each source
    assert "Ferry company adds a winter crossing" in plain

    again = "\n".join(m.plain_text for m in second)
    assert "1 story" in again, again  # only the grown story; the ferry was already shown
    assert "Update" in again and "4 sources" in again
    assert "Ferry" not in again
