"""The chat's language in the database, on SQLite and PostgreSQL: stored, read for an update
(a forum topic's own, else its group's), and carried on each claimed delivery row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.db import Database
from storage.deliveries import claim_due, enqueue_manual
from storage.subscribers import (
    chat_language,
    languages_of,
    languages_of_chats,
    register_subscriber,
    set_language,
)

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


async def test_languages_are_stored_read_and_claimed(db: Database) -> None:
    async with db.session() as session:
        private, _ = await register_subscriber(
            session, 11, chat_type="private", name=None, timezone="UTC", minutes=[480], now=NOW
        )
        group, _ = await register_subscriber(
            session, -22, chat_type="supergroup", name=None, timezone="UTC", minutes=[], now=NOW
        )
        topic, _ = await register_subscriber(
            session,
            -22,
            chat_type="supergroup",
            name=None,
            timezone="UTC",
            minutes=[],
            now=NOW,
            thread_id=5,
        )
        await set_language(session, private.id, "de")
        await set_language(session, group.id, "ar")
        await enqueue_manual(session, private.id, NOW)
    async with db.session() as session:
        assert await chat_language(session, 11) == (True, "de")
        assert await chat_language(session, -22, 5) == (True, "ar")  # the group's
        assert await chat_language(session, -22, 9) == (True, "ar")  # a topic not registered
        assert await chat_language(session, 33) == (False, None)
        await set_language(session, topic.id, "fa")
    async with db.session() as session:
        assert await chat_language(session, -22, 5) == (True, "fa")  # its own now
        assert await languages_of(session, [private.id, group.id, topic.id]) == {
            private.id: "de",
            group.id: "ar",
            topic.id: "fa",
        }
        assert await languages_of_chats(session, [11, -22, 33]) == {11: "de", -22: "ar"}
        (row,) = await claim_due(
            session, now=NOW + timedelta(seconds=1), limit=5, lease=timedelta(minutes=5), token="t"
        )
    assert row.language == "de"
