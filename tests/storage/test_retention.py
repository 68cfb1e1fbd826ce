"""Retention deletes what is old, in batches, keeps a feed's GUIDs past their articles, and
leaves the search index consistent, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, func, select, text

from storage.articles import known_guids
from storage.db import Database, sync_url
from storage.feeds import add_feed
from storage.migrate import upgrade
from storage.models import (
    Article,
    ArticleTopic,
    Feed,
    FeedEntry,
    FeedFailure,
    SentStory,
    Story,
    Subscriber,
)
from storage.retention import prune_old_data
from storage.search import search_articles
from storage.stories import story_sources
from storage.topics import add_topic

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=40)
RECENT = NOW - timedelta(days=1)


async def _article(
    db: Database,
    feed: Feed,
    topic_id: int,
    *,
    guid: str,
    title: str,
    fetched_at: datetime,
    story_id: int,
    near_duplicate_of: int | None = None,
) -> int:
    async with db.session() as session:
        article = Article(
            feed_id=feed.id,
            story_id=story_id,
            url=f"https://news.example/{guid}",
            guid=guid,
            title=title,
            text=f"{title}. The full text of the report.",
            fetched_at=fetched_at,
            fingerprint=hashlib.sha256(guid.encode()).hexdigest(),
            near_duplicate_of=near_duplicate_of,
        )
        session.add(article)
        await session.flush()
        session.add(ArticleTopic(article_id=article.id, topic_id=topic_id))
        session.add(
            FeedEntry(feed_id=feed.id, guid=guid, article_id=article.id, seen_at=fetched_at)
        )
        return article.id


async def _story(db: Database, title: str, at: datetime) -> int:
    async with db.session() as session:
        story = Story(title=title, summary=title, first_seen_at=at, updated_at=at)
        session.add(story)
        await session.flush()
        return story.id


async def _count(db: Database, model: type) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_old_articles_go_their_guids_stay_and_search_stays_consistent(db: Database) -> None:
    async with db.session() as session:
        topic = await add_topic(session, "harbor")
        feed = await add_feed(session, "harbor", "https://news.example/feed.xml")
        reader = Subscriber(chat_id=7, timezone="UTC", created_at=OLD - timedelta(days=1))
        session.add(reader)
        # A GUID whose article went long ago, seen more than a year ago: forgotten now.
        session.add(
            FeedEntry(
                feed_id=feed.id, guid="ancient", article_id=None, seen_at=NOW - timedelta(days=400)
            )
        )
        # Feed failures: one past its retention, one recent.
        session.add(FeedFailure(feed_id=feed.id, at=OLD, reason="HTTP 500"))
        session.add(FeedFailure(feed_id=feed.id, at=RECENT, reason="HTTP 503"))
    # A story of old articles only, which a subscriber was shown...
    lonely = await _story(db, "Lighthouse keeper retires", OLD)
    await _article(
        db,
        feed,
        topic.id,
        guid="old-1",
        title="Lighthouse keeper retires",
        fetched_at=OLD,
        story_id=lonely,
    )
    await _article(
        db,
        feed,
        topic.id,
        guid="old-2",
        title="Lighthouse keeper retirement party",
        fetched_at=OLD,
        story_id=lonely,
    )
    async with db.session() as session:
        session.add(
            SentStory(subscriber_id=reader.id, story_id=lonely, source_count=1, sent_at=OLD)
        )
    # ...and a story an old article began and a recent copy of it joined.
    ongoing = await _story(db, "Ferry timetable changes", OLD)
    original = await _article(
        db,
        feed,
        topic.id,
        guid="old-3",
        title="Ferry timetable changes",
        fetched_at=OLD,
        story_id=ongoing,
    )
    copy = await _article(
        db,
        feed,
        topic.id,
        guid="new-1",
        title="Ferry timetable changes again",
        fetched_at=RECENT,
        story_id=ongoing,
        near_duplicate_of=original,
    )

    report = await prune_old_data(
        db,
        articles_before=NOW - timedelta(days=30),
        feed_entries_before=NOW - timedelta(days=365),
        feed_failures_before=NOW - timedelta(days=30),
        batch=1,  # one row per transaction: every batch boundary is crossed
    )

    assert (report.articles, report.stories, report.feed_entries, report.feed_failures) == (
        3,
        1,
        1,
        1,
    )
    # SQLite's FTS5 index was merged down after the deletions (PostgreSQL has nothing to do).
    assert (report.search_merge_steps > 0) == (db.dialect == "sqlite")
    async with db.session() as session:
        assert list(await session.scalars(select(Article.id))) == [copy]
        assert list(await session.scalars(select(Story.id))) == [ongoing]
        assert await session.scalar(select(Article.near_duplicate_of)) is None
        assert list(await session.scalars(select(ArticleTopic.article_id))) == [copy]
        # The old articles' entries stay without their article: their GUIDs are still known.
        entries = dict((await session.execute(select(FeedEntry.guid, FeedEntry.article_id))).all())
        assert entries == {"old-1": None, "old-2": None, "old-3": None, "new-1": copy}
        known = await known_guids(session, feed.id, ["old-1", "old-3", "new-1", "ancient", "x"])
        assert known == {"old-1", "old-3", "new-1"}
        # Joins from entries to articles cope with the NULLs.
        assert await story_sources(session, ongoing) == {"news.example"}
        # The search index forgot the deleted articles and still finds the kept one.
        assert await search_articles(session, ["lighthouse"]) == []
        hits = await search_articles(session, ["ferry"])
        assert [hit.id for hit in hits] == [copy]
        if db.dialect == "sqlite":
            await session.execute(
                text("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")
            )
            fts_rows = await session.scalar(text("SELECT count(*) FROM articles_fts"))
            assert fts_rows == 1
        reasons = list(await session.scalars(select(FeedFailure.reason)))
        assert reasons == ["HTTP 503"]
    assert await _count(db, SentStory) == 0

    # A second run finds nothing more to delete.
    again = await prune_old_data(
        db,
        articles_before=NOW - timedelta(days=30),
        feed_entries_before=NOW - timedelta(days=365),
        feed_failures_before=NOW - timedelta(days=30),
    )
    assert again.total == 0


async def test_feed_entries_go_after_their_own_retention_once_the_article_is_gone(
    db: Database,
) -> None:
    async with db.session() as session:
        topic = await add_topic(session, "harbor")
        feed = await add_feed(session, "harbor", "https://news.example/feed.xml")
    kept_story = await _story(db, "A long-lived article", NOW - timedelta(days=500))
    # An article kept (its retention is longer) whose entry is older than the entries' own:
    # the entry stays while the article does.
    kept = await _article(
        db,
        feed,
        topic.id,
        guid="kept",
        title="A long-lived article",
        fetched_at=NOW - timedelta(days=500),
        story_id=kept_story,
    )
    async with db.session() as session:
        session.add_all(
            FeedEntry(feed_id=feed.id, guid=f"gone-{n}", article_id=None, seen_at=at)
            for n, at in enumerate(
                [NOW - timedelta(days=400), NOW - timedelta(days=366), NOW - timedelta(days=300)]
            )
        )

    report = await prune_old_data(
        db,
        articles_before=NOW - timedelta(days=1000),
        feed_entries_before=NOW - timedelta(days=365),
        feed_failures_before=NOW - timedelta(days=30),
        batch=2,
    )

    assert report.feed_entries == 2 and report.articles == 0
    async with db.session() as session:
        rows = dict((await session.execute(select(FeedEntry.guid, FeedEntry.article_id))).all())
    assert rows == {"kept": kept, "gone-2": None}


def test_migration_0006_keeps_existing_entries_and_lets_them_outlive_their_article(
    database_url: str,
) -> None:
    upgrade(database_url, "0005")
    engine = create_engine(sync_url(database_url))
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO topics (id, name, title, keywords, created_at) "
                    "VALUES (1, 'harbor', 'Harbor', '', :at)"
                ),
                {"at": OLD},
            )
            connection.execute(
                text(
                    "INSERT INTO feeds (id, url, topic_id, weight, next_check_at, error_count, "
                    "paused, pause_notified, created_at) "
                    "VALUES (1, 'https://news.example/feed.xml', 1, 1.0, :at, 0, false, false, :at)"
                ),
                {"at": OLD},
            )
            connection.execute(
                text(
                    "INSERT INTO articles (id, url, title, fetched_at, text, text_source, "
                    "summary, fingerprint) VALUES (1, 'https://news.example/a', 'A', :at, '', "
                    "'feed', '', 'f1')"
                ),
                {"at": OLD},
            )
            connection.execute(
                text(
                    "INSERT INTO feed_entries (id, feed_id, guid, article_id, seen_at) "
                    "VALUES (1, 1, 'guid-a', 1, :at)"
                ),
                {"at": OLD},
            )
        upgrade(database_url)
        with engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                connection.execute(text("PRAGMA foreign_keys=ON"))
            connection.execute(text("DELETE FROM articles WHERE id = 1"))
            rows = connection.execute(text("SELECT guid, article_id FROM feed_entries")).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in rows] == [("guid-a", None)]


async def test_the_sqlite_search_index_gives_back_the_space_of_deleted_articles(
    sqlite_url: str,
) -> None:
    db = Database(sqlite_url)
    words = [f"word{n}" for n in range(3000)]
    try:
        async with db.session() as session:
            await add_topic(session, "harbor")
            feed = await add_feed(session, "harbor", "https://news.example/feed.xml")
            session.add_all(
                Article(
                    feed_id=feed.id,
                    url=f"https://news.example/{n}",
                    title=f"Report {n}",
                    text=" ".join(words[(n * 7 + k * 13) % len(words)] for k in range(400)),
                    fetched_at=OLD if n < 300 else RECENT,
                    fingerprint=f"{n:064d}",
                )
                for n in range(400)
            )
        report = await prune_old_data(
            db,
            articles_before=NOW - timedelta(days=30),
            feed_entries_before=NOW - timedelta(days=365),
            feed_failures_before=NOW - timedelta(days=30),
            batch=100,
        )
        assert report.articles == 300 and report.search_merge_steps > 0
        fts_bytes = "SELECT sum(length(block)) FROM articles_fts_data"
        async with db.session() as session:
            after_prune = await session.scalar(text(fts_bytes))
            hits = await search_articles(session, [words[0]], limit=500)
            # An index of the kept articles alone (FTS5 writes it out at the commit).
            await session.execute(text("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')"))
        async with db.session() as session:
            only_kept = await session.scalar(text(fts_bytes))
        # As small as an index of the 100 kept articles alone (without the merge: ~4x).
        assert after_prune <= only_kept * 1.1
        assert {hit.id for hit in hits} <= set(range(301, 401))
    finally:
        await db.dispose()
