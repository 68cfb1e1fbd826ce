"""Stories merged while briefings are on their way: nothing stalls and no reader sees the merged
story as news they never read."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.formatting import MessagePart, dump_parts
from storage.briefings import record_seen
from storage.db import Database
from storage.deliveries import enqueue_broadcast
from storage.models import Delivery, SentStory, Story, Subscriber
from storage.stories import merge_stories

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


async def _setup(db: Database) -> tuple[int, int, int, int]:
    async with db.session() as session:
        subscriber = Subscriber(chat_id=5, chat_type="private", timezone="UTC", created_at=NOW)
        kept = Story(title="Dam breach", summary="", first_seen_at=NOW, updated_at=NOW)
        folded = Story(title="Dam breach floods", summary="", first_seen_at=NOW, updated_at=NOW)
        session.add_all([subscriber, kept, folded])
        await session.flush()
        await enqueue_broadcast(session, dump_parts([MessagePart("briefing")]), NOW)
        delivery = await session.scalar(select(Delivery.id))
        assert delivery is not None
        return subscriber.id, kept.id, folded.id, delivery


async def _seen(db: Database, subscriber_id: int) -> dict[int, int]:
    async with db.session() as session:
        rows = await session.execute(
            select(SentStory.story_id, SentStory.source_count).where(
                SentStory.subscriber_id == subscriber_id
            )
        )
        return {story: count for story, count in rows}


async def test_a_reader_of_a_folded_story_has_seen_the_merged_one(db: Database) -> None:
    subscriber, kept, folded, delivery = await _setup(db)
    async with db.session() as session:
        await record_seen(session, subscriber, delivery, [(folded, 2)], NOW)
    async with db.session() as session:
        await merge_stories(session, kept, [folded], NOW)
    # They saw it with 2 sources: it comes back only as an update with more.
    assert await _seen(db, subscriber) == {kept: 2}


async def test_a_part_showing_a_story_merged_since_it_was_built_is_still_recorded(
    db: Database,
) -> None:
    subscriber, kept, folded, delivery = await _setup(db)
    async with db.session() as session:
        await merge_stories(session, kept, [folded], NOW)
    # The briefing was built before the merge and showed both; recording it must not fail
    # (a failure here used to stop the delivery worker recording anything at all).
    async with db.session() as session:
        await record_seen(session, subscriber, delivery, [(kept, 3), (folded, 1)], NOW)
    assert await _seen(db, subscriber) == {kept: 3}
