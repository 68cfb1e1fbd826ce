"""`newsbrief db backup` and `newsbrief db copy`: a running installation copied whole.

The source is filled the way a real one is: the collector reads feeds from the local feed server
(feeds, entries, articles, topics, stories, a failing feed's failures), subscribers start, and
the bot queues and delivers their briefing through the fake Bot API (deliveries, sent stories,
the tick's mark).
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from cli import main
from collector.service import Collector, make_process_pool
from sandbox.collector_options import CollectorOptions
from sandbox.fake_bot_api import FakeBotAPI
from sandbox.feed_server import LocalFeedServer
from storage.clock import utcnow
from storage.copy import copy_database, tables
from storage.db import Database, sync_url
from storage.deliveries import enqueue_manual
from storage.feeds import add_feed
from storage.migrate import upgrade
from storage.models import Article, FeedEntry, FeedFailure, Story
from storage.subscribers import register_subscriber
from storage.topics import add_topic
from tests.bot.conftest import FakeClock, RunningBot, add_subscribers, make_settings
from tests.collector.helpers import add_feeds, page, rss

PASSWORD = "s3cret-Passw0rd"


async def populate(url: str) -> None:
    """A migrated database at `url` with a row in every table a running bot fills."""
    upgrade(url)
    db = Database(url)
    pool = make_process_pool(1)
    try:
        async with LocalFeedServer() as server:
            items = []
            for n in range(4):
                path = f"/pages/{n}.html"
                body = [f"The harbor council voted on ferry line {n} and its timetable today."]
                server.add(path, page(f"Ferry line {n} gets a new timetable", body), "text/html")
                items.append((f"item-{n}", server.url(path), f"Ferry line {n}."))
            server.add("/news.xml", rss("Harbor Gazette", items))
            server.fail("/broken.xml", 500)
            await add_feeds(db, "harbor", [server.url("/news.xml"), server.url("/broken.xml")])
            options = CollectorOptions(allow_private_networks=True, fetch_timeout_seconds=5.0)
            async with Collector(db, options, executor=pool) as collector:
                report = await collector.collect_all()
            assert report.new == 4 and report.errors == 1
        async with db.session() as session:  # an entry whose article retention deleted
            feed_id = await session.scalar(select(FeedEntry.feed_id).limit(1))
            session.add(FeedEntry(feed_id=feed_id, guid="gone", article_id=None, seen_at=utcnow()))
        now = utcnow().replace(second=0, microsecond=0)
        slot = now + timedelta(minutes=2)
        await add_subscribers(
            db,
            [101, 102],
            topic="harbor",
            times=[slot.hour * 60 + slot.minute],
            created_at=now - timedelta(days=1),
        )
        clock = FakeClock(now)
        async with FakeBotAPI() as api:
            settings = make_settings(api, url)
            async with RunningBot(api, settings, db, clock) as bot:
                await bot.tick_and_deliver()  # sets the tick's mark
                clock.set(slot + timedelta(seconds=1))
                await bot.tick_and_deliver()
                assert len(api.messages(101)) == 1 and len(api.messages(102)) == 1
    finally:
        pool.shutdown(cancel_futures=True)
        await db.dispose()


def table_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            return {
                table.name: [
                    tuple(row)
                    for row in connection.execute(
                        select(table).order_by(*table.primary_key.columns)
                    )
                ]
                for table in tables()
            }
    finally:
        engine.dispose()


async def test_a_populated_sqlite_database_is_copied_whole_and_takes_new_rows(
    tmp_path: Path, database_url: str
) -> None:
    source = f"sqlite:///{tmp_path / 'source.db'}"
    await populate(source)
    upgrade(database_url)

    copied = await asyncio.to_thread(copy_database, source, database_url, batch=2)

    before = table_rows(source)
    assert all(
        before[name]
        for name in (
            "subscribers",
            "delivery_times",
            "subscriptions",
            "topics",
            "feeds",
            "feed_entries",
            "feed_failures",
            "articles",
            "article_topics",
            "stories",
            "sent_stories",
            "scheduler_marks",
            "deliveries",
        )
    ), {name: len(rows) for name, rows in before.items()}
    assert table_rows(database_url) == before
    assert {c.table: (c.source_rows, c.target_rows) for c in copied} == {
        name: (len(rows), len(rows)) for name, rows in before.items()
    }

    # New rows get fresh ids after the copied ones (PostgreSQL's sequences were moved on).
    target = Database(database_url)
    now = utcnow()
    try:
        async with target.session() as session:
            subscriber, created = await register_subscriber(
                session,
                103,
                chat_type="private",
                name=None,
                timezone="UTC",
                minutes=[480],
                now=now,
            )
            topic = await add_topic(session, "weather")
            feed = await add_feed(session, "weather", "https://weather.example/feed.xml")
            story = Story(title="Storm", summary="", first_seen_at=now, updated_at=now)
            session.add(story)
            await session.flush()
            article = Article(
                feed_id=feed.id,
                story_id=story.id,
                url="https://weather.example/storm",
                title="Storm",
                fetched_at=now,
                fingerprint="f" * 64,
            )
            session.add(article)
            await session.flush()
            entry = FeedEntry(feed_id=feed.id, guid="storm", article_id=article.id, seen_at=now)
            failure = FeedFailure(feed_id=feed.id, at=now, reason="timeout")
            session.add_all([entry, failure])
            await session.flush()
            delivery_id = await enqueue_manual(session, subscriber.id, now)
        assert created
        new_ids = {
            "subscribers": subscriber.id,
            "topics": topic.id,
            "feeds": feed.id,
            "stories": story.id,
            "articles": article.id,
            "feed_entries": entry.id,
            "feed_failures": failure.id,
            "deliveries": delivery_id,
        }
        for name, new_id in new_ids.items():
            assert new_id == max(row[0] for row in before[name]) + 1, name
    finally:
        await target.dispose()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """NEWSBRIEF_DATABASE_URL of a populated SQLite database, run from an empty directory."""
    monkeypatch.chdir(tmp_path)
    source = f"sqlite:///{tmp_path / 'source.db'}"  # newsbrief.db is database_url's
    asyncio.run(populate(source))
    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", source)
    return source


def test_db_copy_moves_an_installation_and_refuses_a_target_with_data(
    cli_env: str, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "copy", "--to", database_url]) == 0
    out = capsys.readouterr().out
    assert "articles" in out and "copied" in out
    assert table_rows(database_url) == table_rows(cli_env)

    assert main(["db", "copy", "--to", database_url]) == 1  # never into a database with data
    err = capsys.readouterr().err
    assert "is not empty" in err and "2 subscribers" in err
    assert table_rows(database_url) == table_rows(cli_env)


def test_db_copy_never_prints_the_target_password(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unreachable = f"postgresql://newsbrief:{PASSWORD}@127.0.0.1:1/news"
    assert main(["db", "copy", "--to", unreachable]) == 2
    out, err = capsys.readouterr()
    assert PASSWORD not in out + err
    assert "cannot open the target database --to postgresql://newsbrief:***@127.0.0.1:1/news" in err


def test_db_backup_copies_sqlite_while_a_writer_holds_a_transaction(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "source.db"
    writer = sqlite3.connect(database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # the bot in the middle of a write
    writer.execute(
        "INSERT INTO topics (name, title, keywords, created_at) "
        "VALUES ('uncommitted', 'Uncommitted', '', '2026-01-01 00:00:00')"
    )
    try:
        backup = tmp_path / "backups" / "copy.db"
        backup.parent.mkdir()
        assert main(["db", "backup", str(backup)]) == 0
        assert f"to {backup}" in capsys.readouterr().out
    finally:
        writer.execute("COMMIT")
        writer.close()
    copy_url = f"sqlite:///{backup}"
    committed = table_rows(cli_env)
    in_backup = table_rows(copy_url)
    assert in_backup["topics"] == [r for r in committed["topics"] if r[1] != "uncommitted"]
    assert {k: v for k, v in in_backup.items() if k != "topics"} == {
        k: v for k, v in committed.items() if k != "topics"
    }
    check = sqlite3.connect(backup)
    try:  # the search index came along
        found = check.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'ferry'")
        assert found.fetchone() == (4,)
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        check.close()

    assert main(["db", "backup", str(backup)]) == 1  # never over an existing file...
    assert "already exists (use --force" in capsys.readouterr().err
    assert main(["db", "backup", "--force", str(backup)]) == 0  # ...unless asked to
    assert table_rows(copy_url)["topics"] == committed["topics"]


def test_db_backup_of_a_missing_sqlite_file_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSBRIEF_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    assert main(["db", "backup", str(tmp_path / "copy.db")]) == 2
    assert "there is no database file at" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "copy.db").exists()


def test_db_backup_on_postgresql_prints_pg_dump_without_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(
        "NEWSBRIEF_DATABASE_URL", f"postgresql://newsbrief:{PASSWORD}@db.internal:5433/news"
    )
    assert main(["db", "backup", "news.dump"]) == 0
    out = capsys.readouterr().out
    assert PASSWORD not in out
    assert (
        "pg_dump --format=custom --no-owner --file=news.dump "
        "postgresql://newsbrief@db.internal:5433/news"
    ) in out
    assert "PGPASSWORD" in out
