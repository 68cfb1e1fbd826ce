"""Admins send an OPML file to add its feeds, and /export sends every feed back as one: through
the real bot, the fake Bot API (documents, getFile, sendDocument) and the local feed server."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest

from bot.handlers.opml_files import OPML_FILES
from cli.feeds_cmd import OpmlFiles
from collector.opml import OpmlFeed, parse_opml
from collector.service import Collector
from sandbox.fake_bot_api import FakeBotAPI, SentMessage
from sandbox.feed_server import LocalFeedServer
from storage.db import Database
from storage.feeds import add_feed, list_feeds
from storage.migrate import upgrade
from storage.topics import list_topics
from tests.bot.conftest import ADMIN_ID, FakeClock, RunningBot, add_topics, make_settings

USER_ID = 7  # a subscriber, not an admin
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


def opml(folders: dict[str | None, list[tuple[str, str | None]]]) -> bytes:
    """An OPML file as a reader exports it: a folder per name (None: feeds outside folders)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0"><head/><body>']
    for folder, feeds in folders.items():
        outlines = "".join(
            f'<outline type="rss" text={quoteattr(title or url)} xmlUrl={quoteattr(url)}/>'
            for url, title in feeds
        )
        lines.append(
            f"<outline text={quoteattr(folder)}>{outlines}</outline>" if folder else outlines
        )
    lines.append("</body></opml>")
    return "\n".join(lines).encode()


def dead_url() -> str:
    """A feed on a port nobody listens on: the site is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/rss.xml"


def serve_harbour(site: LocalFeedServer) -> None:
    """A site whose home page names its feed, two more feeds, on the local feed server."""
    site.add("/", HOME, "text/html; charset=utf-8")
    site.add("/news/feed.xml", rss("The Harbour Gazette", ("ferry", "Ferry timetable changes")))
    site.add("/boats.xml", rss("Harbour Boats", ("lighthouse", "Lighthouse reopens to visitors")))
    site.add("/tech.xml", rss("Tech Daily", ("chips", "A new chip plant opens by the river")))


@asynccontextmanager
async def running_bot(
    api: FakeBotAPI, db: Database, clock: FakeClock, pool: ThreadPoolExecutor
) -> AsyncIterator[RunningBot]:
    """The bot with a real collector (private networks allowed) and the CLI's OPML reading and
    writing, as `newsbrief run` wires them."""
    settings = make_settings(api, db.url, allow_private_networks=True)
    async with (
        Collector(db, settings, executor=pool) as collector,
        RunningBot(api, settings, db, clock, collector=collector) as running,
    ):
        assert running.app is not None
        running.app.bot_data[OPML_FILES] = OpmlFiles()
        yield running


@pytest.fixture
async def bot(api: FakeBotAPI, sqlite_db: Database, clock: FakeClock) -> AsyncIterator[RunningBot]:
    """The bot on SQLite with a collector (threads, private networks allowed) and OPML files."""
    with ThreadPoolExecutor(2) as pool:
        async with running_bot(api, sqlite_db, clock, pool) as running:
            yield running


async def send_file(
    bot: RunningBot, name: str, data: bytes, *, user_id: int = ADMIN_ID, caption: str | None = None
) -> SentMessage:
    """Someone sends a file in their private chat; the bot's one answer."""
    before = len(bot.api.messages(user_id))
    bot.api.inject_document(user_id, name, data, caption=caption, user_id=user_id)
    (answer,) = (await bot.api.wait_for_messages(user_id, before + 1, within=15))[before:]
    return answer


async def import_file(
    bot: RunningBot, name: str, data: bytes, *, caption: str | None = None
) -> list[str]:
    """The admin sends an OPML file: "Checking N feeds…" comes first, then it is edited into
    the summary, whose lines are returned."""
    edits = len(bot.api.calls_to("editMessageText"))
    checking = await send_file(bot, name, data, caption=caption)
    assert checking.plain_text.startswith("Checking ")
    await bot.api.wait_for_calls("editMessageText", edits + 1, within=60)
    (result,) = [m for m in bot.api.messages(ADMIN_ID) if m.message_id == checking.message_id]
    return result.plain_text.split("\n")


async def feeds_by_topic(db: Database) -> dict[str, set[str]]:
    """Every feed URL under its topic's title."""
    found: dict[str, set[str]] = {}
    async with db.session() as session:
        for feed in await list_feeds(session):
            found.setdefault(feed.topic.title, set()).add(feed.url)
    return found


async def topic_titles(db: Database) -> set[str]:
    async with db.session() as session:
        return {topic.title for topic, _, _ in await list_topics(session)}


async def test_an_admins_opml_file_adds_its_feeds_and_says_what_failed(bot: RunningBot) -> None:
    dead = dead_url()
    async with LocalFeedServer() as site:
        serve_harbour(site)
        data = opml(
            {
                "Local News": [(site.url("/"), "Gazette"), (site.url("/boats.xml"), "Boats")],
                "Tech": [(site.url("/tech.xml"), None), (dead, "Gone Weekly")],
                None: [("ftp://files.example/feed", "Old FTP")],
            }
        )
        before = len(bot.api.messages(ADMIN_ID))
        lines = await import_file(bot, "feeds.opml", data)

    assert len(bot.api.messages(ADMIN_ID)) == before + 1  # "Checking…", edited into the answer
    assert lines[:4] == [
        "📥 feeds.opml: 3 of 5 feeds added.",
        "✅ 3 added: Gazette, Boats, Tech Daily",
        f"🔎 {site.url('/')} is a web page; the feed it names was added: "
        f"{site.url('/news/feed.xml')}",
        "❌ 2 failed (not kept):",
    ]
    assert lines[4:] == [  # in the file's order, each with its reason
        f"• {dead}: could not connect to 127.0.0.1: Connection refused",
        "• ftp://files.example/feed: not an http or https URL",
        "🗂 2 topics created: Local News, Tech",
    ]
    assert await feeds_by_topic(bot.db) == {
        "Local News": {site.url("/news/feed.xml"), site.url("/boats.xml")},
        "Tech": {site.url("/tech.xml")},
    }
    assert await topic_titles(bot.db) == {"Local News", "Tech"}


async def test_feeds_outside_folders_go_to_the_captions_topic_and_known_ones_are_named(
    bot: RunningBot,
) -> None:
    await add_topics(bot.db, "Harbour")
    async with bot.db.session() as session:
        await add_feed(session, "harbour", "https://known.example/rss")
    async with LocalFeedServer() as site:
        serve_harbour(site)
        data = opml({None: [(site.url("/boats.xml"), None), ("https://known.example/rss", None)]})
        lines = await import_file(bot, "mine.xml", data, caption='"Sea Life"')

    assert lines == [
        "📥 mine.xml: 1 of 2 feeds added.",
        "✅ 1 added: Harbour Boats",
        "☑️ 1 already present: https://known.example/rss",
        "🗂 1 topic created: Sea Life",
    ]
    assert await feeds_by_topic(bot.db) == {
        "Harbour": {"https://known.example/rss"},
        "Sea Life": {site.url("/boats.xml")},
    }


async def test_a_non_admins_file_imports_nothing(bot: RunningBot) -> None:
    data = opml({"Tech": [("https://a.example/rss", None)]})
    answer = await send_file(bot, "feeds.opml", data, user_id=USER_ID)
    assert answer.plain_text == (
        "Sorry, that is not allowed: importing feeds from an OPML file is for admins only."
    )
    other = await send_file(bot, "holiday.pdf", b"%PDF-1.7 ...", user_id=USER_ID)
    assert (
        other.plain_text == "I don't read files. Ask me about the news in a message, or send /help."
    )
    assert bot.api.calls_to("getFile") == []
    assert await feeds_by_topic(bot.db) == {}
    assert await topic_titles(bot.db) == set()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<opml><body><outline", "not valid XML: unclosed token: line 1, column 12"),
        (b"<rss version='2.0'><channel/></rss>", "not an OPML document (root element is <rss>)"),
        (b"<opml version='2.0'><head/></opml>", "OPML without a <body>"),
    ],
)
async def test_a_malformed_opml_file_is_answered_with_what_is_wrong(
    bot: RunningBot, data: bytes, reason: str
) -> None:
    answer = await send_file(bot, "broken.opml", data)
    assert answer.plain_text == (
        f"❌ “broken.opml” is not an OPML file I can read: {reason}.\n"
        "Nothing was imported. An OPML file is XML with <opml>, <body> and an "
        "<outline xmlUrl=…> per feed, as feed readers export it."
    )
    assert await feeds_by_topic(bot.db) == {}


async def test_an_opml_file_without_feeds_and_a_file_that_is_no_opml_are_explained(
    bot: RunningBot,
) -> None:
    empty = await send_file(bot, "empty.opml", opml({"Folder": []}))
    assert empty.plain_text == (
        "“empty.opml” lists no feeds (no <outline> with an xmlUrl). Nothing was imported."
    )
    pdf = await send_file(bot, "report.pdf", b"%PDF-1.7 ...")
    assert pdf.plain_text.startswith("“report.pdf” is not an OPML file, so there is nothing")
    assert len(bot.api.calls_to("getFile")) == 1  # only the OPML file was downloaded


async def test_an_oversized_file_is_refused_without_downloading_it(bot: RunningBot) -> None:
    padding = b"<!-- " + b"x" * 1_600_000 + b" -->"
    data = opml({"Tech": [("https://a.example/rss", None)]}).replace(b"<head/>", padding)
    answer = await send_file(bot, "huge.opml", data)
    assert answer.plain_text == (
        "“huge.opml” is too big (1.5 MB): an OPML file may be at most 1 MB. Nothing was "
        "imported; split the list into smaller files."
    )
    assert bot.api.calls_to("getFile") == []
    assert await feeds_by_topic(bot.db) == {}


async def test_export_sends_every_feed_as_an_opml_document(bot: RunningBot) -> None:
    assert (await bot.reply_text(ADMIN_ID, "/export")).startswith("There are no feeds to export")
    await add_topics(bot.db, "World News", "Tech & Science")
    async with bot.db.session() as session:
        await add_feed(session, "world news", "https://a.example/rss?x=1&y=2")
        await add_feed(session, "world news", "https://b.example/atom")
        await add_feed(session, "tech & science", "https://c.example/feed")

    (document,) = await bot.send(ADMIN_ID, "/export")
    assert document.kind == "document"
    assert document.document_name == "newsbrief-feeds-2026-03-02.opml"
    assert document.plain_text == "3 feeds in 2 topics"
    assert document.document_bytes is not None
    assert parse_opml(document.document_bytes) == [
        OpmlFeed("https://a.example/rss?x=1&y=2", "https://a.example/rss?x=1&y=2", "World News"),
        OpmlFeed("https://b.example/atom", "https://b.example/atom", "World News"),
        OpmlFeed("https://c.example/feed", "https://c.example/feed", "Tech & Science"),
    ]
    assert len(bot.api.calls_to("sendDocument")) == 1

    refused = await bot.reply_text(USER_ID, "/export", user_id=USER_ID)
    assert refused == "Sorry, that is not allowed: /export is for admins only."
    assert len(bot.api.calls_to("sendDocument")) == 1


async def test_export_then_import_into_a_fresh_database_gives_the_same_feeds(
    api: FakeBotAPI, sqlite_db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    fresh_url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(fresh_url)
    fresh = Database(fresh_url)
    try:
        async with LocalFeedServer() as site:
            serve_harbour(site)
            await add_topics(sqlite_db, "Local News", "Tech")
            async with sqlite_db.session() as session:
                await add_feed(session, "local news", site.url("/news/feed.xml"))
                await add_feed(session, "local news", site.url("/boats.xml"))
                await add_feed(session, "tech", site.url("/tech.xml"))
            with ThreadPoolExecutor(2) as pool:
                async with running_bot(api, sqlite_db, clock, pool) as first:
                    (document,) = await first.send(ADMIN_ID, "/export")
                exported = document.document_bytes
                assert exported is not None and document.plain_text == "3 feeds in 2 topics"
                # A second installation, empty, on its own database.
                async with running_bot(api, fresh, clock, pool) as second:
                    lines = await import_file(second, "newsbrief-feeds.opml", exported)
                    again = await send_file(second, "again.opml", exported)

        assert lines[0] == "📥 newsbrief-feeds.opml: 3 of 3 feeds added."
        assert lines[-1] == "🗂 2 topics created: Local News, Tech"
        assert await feeds_by_topic(fresh) == await feeds_by_topic(sqlite_db)
        assert await topic_titles(fresh) == await topic_titles(sqlite_db)
        # The same file again: everything is there already, nothing is checked or added.
        in_file = ", ".join(feed.url for feed in parse_opml(exported))
        assert again.plain_text.split("\n") == [
            "📥 again.opml: 0 of 3 feeds added.",
            f"☑️ 3 already present: {in_file}",
        ]
    finally:
        await fresh.dispose()
