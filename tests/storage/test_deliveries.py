"""The delivery queue: idempotent enqueueing, exclusive claims with leases, recorded outcomes."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage import deliveries as queue
from storage.db import Database
from storage.delivery_stats import queue_stats
from storage.models import Delivery, Subscriber
from storage.subscribers import register_subscriber, set_status

SLOT = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


async def _subscribers(db: Database, count: int, *, timezone: str = "Europe/Berlin") -> list[int]:
    ids = []
    async with db.session() as session:
        for chat in range(1, count + 1):
            subscriber, _ = await register_subscriber(
                session,
                chat,
                chat_type="private",
                name=None,
                timezone=timezone,
                minutes=[480],
                now=SLOT - timedelta(days=1),
            )
            ids.append(subscriber.id)
    return ids


async def _rows(db: Database) -> list[Delivery]:
    async with db.session() as session:
        return list(await session.scalars(select(Delivery).order_by(Delivery.id)))


async def test_enqueue_slot_is_idempotent_and_only_for_active_matching_subscribers(
    db: Database,
) -> None:
    ids = await _subscribers(db, 3)
    await _subscribers(db, 0)
    async with db.session() as session:
        await set_status(session, ids[2], "paused")
        late, _ = await register_subscriber(
            session,
            99,
            chat_type="private",
            name=None,
            timezone="Europe/Berlin",
            minutes=[480],
            now=SLOT + timedelta(minutes=1),  # registered after the slot
        )
        other, _ = await register_subscriber(
            session,
            98,
            chat_type="private",
            name=None,
            timezone="Asia/Tokyo",
            minutes=[480],
            now=SLOT - timedelta(days=1),
        )
        assert set(await queue.active_zone_minutes(session)) == {
            ("Europe/Berlin", 480),
            ("Asia/Tokyo", 480),
        }
        inserted = await queue.enqueue_slot(
            session, timezone="Europe/Berlin", minute=480, slot_at=SLOT, now=SLOT
        )
        again = await queue.enqueue_slot(
            session, timezone="Europe/Berlin", minute=480, slot_at=SLOT, now=SLOT
        )
    assert (inserted, again) == (2, 0)
    rows = await _rows(db)
    assert [(r.subscriber_id, r.kind, r.slot_at, r.status) for r in rows] == [
        (ids[0], "scheduled", SLOT, "pending"),
        (ids[1], "scheduled", SLOT, "pending"),
    ]
    assert late.id not in {r.subscriber_id for r in rows} and other.id not in {
        r.subscriber_id for r in rows
    }


async def test_marks_only_move_forward(db: Database) -> None:
    async with db.session() as session:
        assert await queue.get_mark(session, "tick") is None
        await queue.advance_mark(session, "tick", SLOT)
        await queue.advance_mark(session, "tick", SLOT - timedelta(hours=1))
        assert await queue.get_mark(session, "tick") == SLOT
        await queue.advance_mark(session, "tick", SLOT + timedelta(minutes=1))
        assert await queue.get_mark(session, "tick") == SLOT + timedelta(minutes=1)


async def test_claims_are_exclusive_until_the_lease_expires(db: Database) -> None:
    await _subscribers(db, 5)
    async with db.session() as session:
        await queue.enqueue_slot(
            session, timezone="Europe/Berlin", minute=480, slot_at=SLOT, now=SLOT
        )
        await queue.enqueue_slot(
            session,
            timezone="Europe/Berlin",
            minute=480,
            slot_at=SLOT + timedelta(days=1),
            now=SLOT,
        )
    async with db.session() as session:
        first = await queue.claim_due(session, now=SLOT, limit=3, lease=LEASE, token="w1")
    async with db.session() as session:
        second = await queue.claim_due(session, now=SLOT, limit=10, lease=LEASE, token="w1")
    async with db.session() as session:
        none_left = await queue.claim_due(
            session, now=SLOT + timedelta(minutes=1), limit=10, lease=LEASE, token="w1"
        )
    assert (len(first), len(second), len(none_left)) == (3, 2, 0)  # tomorrow's are not due
    assert {r.id for r in first}.isdisjoint(r.id for r in second)
    assert first[0].chat_id == 1 and first[0].timezone == "Europe/Berlin"
    async with db.session() as session:  # the worker died: its lease runs out
        reclaimed = await queue.claim_due(
            session, now=SLOT + LEASE + timedelta(seconds=1), limit=10, lease=LEASE, token="w2"
        )
    assert len(reclaimed) == 5


async def test_concurrent_workers_never_claim_the_same_row(db: Database) -> None:
    await _subscribers(db, 40)
    async with db.session() as session:
        await queue.enqueue_slot(
            session, timezone="Europe/Berlin", minute=480, slot_at=SLOT, now=SLOT
        )

    async def worker() -> list[int]:
        taken: list[int] = []
        while True:
            async with db.session() as session:
                rows = await queue.claim_due(session, now=SLOT, limit=3, lease=LEASE, token="w1")
            if not rows:
                return taken
            taken += [r.id for r in rows]
            await asyncio.sleep(0)

    results = await asyncio.gather(*(worker() for _ in range(4)))
    claimed = [row for taken in results for row in taken]
    assert len(claimed) == 40 and len(set(claimed)) == 40


async def test_progress_outcomes_and_restart(db: Database) -> None:
    ids = await _subscribers(db, 3)
    async with db.session() as session:
        await queue.enqueue_slot(
            session, timezone="Europe/Berlin", minute=480, slot_at=SLOT, now=SLOT
        )
        rows = await queue.claim_due(session, now=SLOT, limit=10, lease=LEASE, token="w1")
    one, two, three = rows
    async with db.session() as session:
        lost = await queue.record_changes(
            session,
            [
                queue.Progress(one.id, 1, [501], queue.SENDING, None),
                queue.Progress(two.id, 2, [601, 602], queue.SENT, SLOT),
                queue.Outcome(
                    three.id,
                    queue.PENDING,
                    "boom",
                    next_attempt_at=SLOT + timedelta(seconds=10),
                    count_attempt=True,
                ),
            ],
            token="w1",
        )
    assert lost == set()
    async with db.session() as session:  # a single-process restart takes its claims back
        assert await queue.release_claims(session) == 1
        again = await queue.claim_due(
            session, now=SLOT + timedelta(seconds=10), limit=10, lease=LEASE, token="w2"
        )
    assert sorted((r.id, r.parts_sent, r.message_ids, r.attempts) for r in again) == [
        (one.id, 1, [501], 0),
        (three.id, 0, [], 1),
    ]
    stored = {r.id: r for r in await _rows(db)}
    assert (stored[two.id].status, json.loads(stored[two.id].message_ids or "")) == (
        "sent",
        [601, 602],
    )
    assert stored[two.id].claimed_until is None
    async with db.session() as session:
        assert await queue.mark_blocked(session, ids[0], "403 blocked") == 1
        subscriber = await session.get(Subscriber, ids[0])
        assert subscriber is not None and subscriber.status == "blocked"
    assert {r.id: r.status for r in await _rows(db)}[one.id] == "blocked"


async def test_broadcast_manual_stats_and_pruning(db: Database) -> None:
    ids = await _subscribers(db, 3)
    async with db.session() as session:
        await set_status(session, ids[1], "paused")
        assert await queue.enqueue_broadcast(session, '[{"text": "hi"}]', SLOT) == 2
        await queue.enqueue_manual(session, ids[1], SLOT)
        rows = await queue.claim_due(session, now=SLOT, limit=1, lease=LEASE, token="w1")
        await queue.record_changes(
            session, [queue.Progress(rows[0].id, 1, [1], queue.SENT, SLOT)], token="w1"
        )
        stats = await queue_stats(
            session, now=SLOT + timedelta(minutes=1), day_start=SLOT.replace(hour=0)
        )
    assert (stats.pending, stats.due, stats.oldest_due_at) == (2, 2, SLOT)
    assert stats.sent_today == 0  # a broadcast is not a briefing
    async with db.session() as session:
        assert await queue.prune(session, before=SLOT + timedelta(days=31)) == 1
        assert await queue.next_due_at(session) == SLOT


async def test_a_worker_that_lost_its_claim_can_record_nothing(db: Database) -> None:
    await _subscribers(db, 2)
    async with db.session() as session:
        await queue.enqueue_slot(
            session, timezone="Europe/Berlin", minute=480, slot_at=SLOT, now=SLOT
        )
        first, second = await queue.claim_due(
            session, now=SLOT, limit=10, lease=LEASE, token="slow-worker"
        )
    later = SLOT + LEASE + timedelta(seconds=1)  # the slow worker's lease ran out ...
    async with db.session() as session:  # ... and another worker took one row over
        (taken,) = await queue.claim_due(session, now=later, limit=1, lease=LEASE, token="other")
        renewed = await queue.renew_claims(
            session, token="slow-worker", ids=[first.id, second.id], until=later + LEASE
        )
    assert taken.id == first.id and renewed == {second.id}
    async with db.session() as session:
        lost = await queue.record_changes(
            session,
            [
                queue.Progress(first.id, 1, [77], queue.SENT, later),
                queue.Progress(second.id, 1, [78], queue.SENT, later),
            ],
            token="slow-worker",
        )
    assert lost == {first.id}
    stored = {r.id: r for r in await _rows(db)}
    assert (stored[first.id].status, stored[first.id].parts_sent) == ("sending", 0)
    assert stored[first.id].claim_token == "other"
    assert (stored[second.id].status, stored[second.id].message_ids) == ("sent", "[78]")
    assert stored[second.id].claim_token is None
