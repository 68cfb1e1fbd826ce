"""The delivery queue: one row per (subscriber, kind, slot), claimed with a lease, never repeated.

A row goes pending -> sending (claimed: `claimed_until` and the worker's `claim_token` set) ->
sent | empty | skipped | failed | blocked, or back to pending for a later try. `parts_sent` and
`message_ids` are written after every Telegram message, so a row that was interrupted resumes at
its next part. Every write a worker makes about a claimed row (progress, outcome, lease renewal)
checks that the row is still that worker's claim: a worker whose lease ran out and whose row
another worker took can never record over it. On PostgreSQL several workers claim with
`FOR UPDATE SKIP LOCKED`; SQLite is one process.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.briefings import record_seen
from storage.db import dialect_insert
from storage.models import Delivery, DeliveryTime, SchedulerMark, SentStory, Subscriber
from storage.notify import announce_deliveries
from storage.preferences import ChatOptions
from storage.types import UTCDateTime

PENDING, SENDING, SENT, EMPTY = "pending", "sending", "sent", "empty"
SKIPPED, FAILED, BLOCKED = "skipped", "failed", "blocked"
FINAL_STATUSES = (SENT, EMPTY, SKIPPED, FAILED, BLOCKED)
SCHEDULED, MANUAL, BROADCAST = "scheduled", "manual", "broadcast"


@dataclass
class ClaimedDelivery:
    """A delivery row this worker holds, with what it needs to know about the chat."""

    id: int
    subscriber_id: int
    chat_id: int
    subscriber_status: str
    timezone: str
    last_briefing_at: datetime | None
    kind: str
    slot_at: datetime
    payload: str | None
    parts_sent: int
    message_ids: list[int]
    attempts: int
    thread_id: int = 0  # a forum topic's message_thread_id; 0: the chat itself
    chat_type: str = "private"
    options: ChatOptions = field(default_factory=ChatOptions)
    language: str | None = None  # the chat's interface language (None: not chosen)


@dataclass(frozen=True)
class Progress:
    """A part went out: how many are sent, their message ids, and whether the row is done
    (status SENT, with `sent_at`) or still SENDING. `note` records a part whose fate Telegram
    left unknown."""

    delivery_id: int
    parts_sent: int
    message_ids: list[int]
    status: str
    sent_at: datetime | None
    note: str | None = None
    # The stories the delivered part showed (story, source count) and to whom: seen from now.
    subscriber_id: int | None = None
    stories: tuple[tuple[int, int], ...] = ()
    delivered_at: datetime | None = None


@dataclass(frozen=True)
class Outcome:
    """The row leaves its worker: closed with a final status, or back to PENDING until
    `next_attempt_at`. BLOCKED also marks the chat blocked and closes its other open rows."""

    delivery_id: int
    status: str
    error: str | None = None
    next_attempt_at: datetime | None = None
    count_attempt: bool = False
    subscriber_id: int | None = None  # for BLOCKED


Change = Progress | Outcome


async def _insert_counted(session: AsyncSession, columns: list[Any], rows: Any) -> int:
    """INSERT ... SELECT ... ON CONFLICT DO NOTHING; returns the rows actually inserted.

    Counted through RETURNING: psycopg reports no rowcount for an INSERT ... SELECT.
    """
    stmt = (
        dialect_insert(session)(Delivery)
        .from_select(columns, rows)
        .on_conflict_do_nothing()
        .returning(Delivery.id)
    )
    return len((await session.scalars(stmt)).all())


# -- scheduling ------------------------------------------------------------------------------


async def get_mark(session: AsyncSession, name: str) -> datetime | None:
    """How far the job `name` has got, or None if it never ran."""
    return await session.scalar(select(SchedulerMark.done_until).where(SchedulerMark.name == name))


async def advance_mark(session: AsyncSession, name: str, until: datetime) -> None:
    """Move the job's mark forward to `until` (never backwards)."""
    insert = dialect_insert(session)
    stmt = insert(SchedulerMark).values(name=name, done_until=until)
    stmt = stmt.on_conflict_do_update(
        index_elements=[SchedulerMark.name],
        set_={"done_until": until},
        where=SchedulerMark.done_until < until,
    )
    await session.execute(stmt)


async def active_zone_minutes(session: AsyncSession) -> list[tuple[str, int]]:
    """Every distinct (timezone, local minute) at which some active subscriber wants a briefing."""
    rows = await session.execute(
        select(Subscriber.timezone, DeliveryTime.minute_of_day)
        .join(DeliveryTime, DeliveryTime.subscriber_id == Subscriber.id)
        .where(Subscriber.status == "active")
        .distinct()
    )
    return [(zone, minute) for zone, minute in rows.all()]


async def enqueue_slot(
    session: AsyncSession,
    *,
    timezone: str,
    minute: int,
    slot_at: datetime,
    now: datetime,
    status: str = PENDING,
    error: str | None = None,
) -> int:
    """Insert one scheduled row per active subscriber of (timezone, minute) for `slot_at`.

    Rows that already exist are left alone (the unique constraint makes ticks idempotent);
    returns how many were inserted.
    """
    columns = [
        Delivery.subscriber_id,
        Delivery.kind,
        Delivery.slot_at,
        Delivery.status,
        Delivery.attempts,
        Delivery.next_attempt_at,
        Delivery.parts_sent,
        Delivery.error,
        Delivery.created_at,
    ]
    rows = (
        select(
            Subscriber.id,
            literal(SCHEDULED),
            literal(slot_at, UTCDateTime()),
            literal(status),
            literal(0),
            literal(slot_at, UTCDateTime()),
            literal(0),
            literal(error),
            literal(now, UTCDateTime()),
        )
        .join(DeliveryTime, DeliveryTime.subscriber_id == Subscriber.id)
        .where(
            DeliveryTime.minute_of_day == minute,
            Subscriber.timezone == timezone,
            Subscriber.status == "active",
            Subscriber.created_at <= slot_at,
        )
    )
    inserted = await _insert_counted(session, columns, rows)
    if inserted:
        await announce_deliveries(session)
    return inserted


async def enqueue_manual(session: AsyncSession, subscriber_id: int, now: datetime) -> int | None:
    """Queue a briefing the subscriber asked for now; returns the delivery id (None: one asked
    for at this very instant is already queued, as with a double tap)."""
    stmt = (
        dialect_insert(session)(Delivery)
        .values(
            subscriber_id=subscriber_id,
            kind=MANUAL,
            slot_at=now,
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            parts_sent=0,
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(Delivery.id)
    )
    delivery_id = (await session.execute(stmt)).scalar_one_or_none()
    if delivery_id is not None:
        await announce_deliveries(session)
    return delivery_id


async def enqueue_broadcast(session: AsyncSession, payload: str, now: datetime) -> int:
    """Queue one rendered message for every active subscriber; returns how many were queued."""
    return await _enqueue_payload(session, Subscriber.status == "active", payload, now)


async def enqueue_message(
    session: AsyncSession, subscriber_ids: Sequence[int], payload: str, now: datetime
) -> int:
    """Queue one rendered message (a broadcast row) for each of these subscribers; returns how
    many were queued. Sent like a broadcast: paused chats skip it, blocked ones close it."""
    ids = sorted(set(subscriber_ids))
    if not ids:
        return 0
    return await _enqueue_payload(session, Subscriber.id.in_(ids), payload, now)


async def _enqueue_payload(session: AsyncSession, who: Any, payload: str, now: datetime) -> int:
    """A broadcast row with `payload` for every subscriber matching `who`."""
    # A subscriber has one broadcast row per instant (the unique slot): a second message at
    # the same instant (two admin actions in one clock tick) goes one microsecond later.
    latest = await session.scalar(
        select(func.max(Delivery.slot_at))
        .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
        .where(Delivery.kind == BROADCAST, Delivery.slot_at >= now, who)
    )
    slot_at = now if latest is None else latest + timedelta(microseconds=1)
    columns = [
        Delivery.subscriber_id,
        Delivery.kind,
        Delivery.slot_at,
        Delivery.status,
        Delivery.attempts,
        Delivery.next_attempt_at,
        Delivery.payload,
        Delivery.parts_sent,
        Delivery.created_at,
    ]
    rows = select(
        Subscriber.id,
        literal(BROADCAST),
        literal(slot_at, UTCDateTime()),
        literal(PENDING),
        literal(0),
        literal(now, UTCDateTime()),
        literal(payload),
        literal(0),
        literal(now, UTCDateTime()),
    ).where(who)
    inserted = await _insert_counted(session, columns, rows)
    if inserted:
        await announce_deliveries(session)
    return inserted


# -- working the queue -----------------------------------------------------------------------


async def claim_due(
    session: AsyncSession, *, now: datetime, limit: int, lease: timedelta, token: str
) -> list[ClaimedDelivery]:
    """Take up to `limit` due rows (sending with an expired lease first, then pending) for
    `lease`, in the name of the worker `token`.

    Each kind is one UPDATE ... RETURNING whose inner SELECT walks the (status,
    next_attempt_at) index in order and uses FOR UPDATE SKIP LOCKED on PostgreSQL, so
    concurrent workers never take the same row. (One query with OR would sort every due row on
    each claim: quadratic over a large slot.)
    """
    until = now + lease
    ids = await _claim(
        session,
        and_(Delivery.status == SENDING, Delivery.claimed_until < now),
        limit=limit,
        until=until,
        token=token,
    )
    if len(ids) < limit:
        ids += await _claim(
            session,
            and_(Delivery.status == PENDING, Delivery.next_attempt_at <= now),
            limit=limit - len(ids),
            until=until,
            token=token,
        )
    if not ids:
        return []
    rows = await session.execute(
        select(Delivery, Subscriber)
        .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
        .where(Delivery.id.in_(ids))
        .order_by(Delivery.next_attempt_at, Delivery.id)
    )
    return [
        ClaimedDelivery(
            id=d.id,
            subscriber_id=s.id,
            chat_id=s.chat_id,
            subscriber_status=s.status,
            timezone=s.timezone,
            last_briefing_at=s.last_briefing_at,
            kind=d.kind,
            slot_at=d.slot_at,
            payload=d.payload,
            parts_sent=d.parts_sent,
            message_ids=json.loads(d.message_ids or "[]"),
            attempts=d.attempts,
            thread_id=s.thread_id,
            chat_type=s.chat_type,
            options=ChatOptions.of(s),
            language=s.language,
        )
        for d, s in rows.tuples()
    ]


async def _claim(
    session: AsyncSession, due: Any, *, limit: int, until: datetime, token: str
) -> list[int]:
    chosen = (
        select(Delivery.id)
        .where(due)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = await session.scalars(
        update(Delivery)
        .where(Delivery.id.in_(chosen.scalar_subquery()))
        .values(status=SENDING, claimed_until=until, claim_token=token)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )
    return list(claimed)


async def _owned(session: AsyncSession, ids: Sequence[int], token: str) -> set[int]:
    """Which of `ids` are still `token`'s claims, locked until the transaction ends (PostgreSQL)
    so no other worker can take one between this check and the write that follows."""
    if not ids:
        return set()
    rows = await session.scalars(
        select(Delivery.id)
        .where(
            Delivery.id.in_(list(ids)),
            Delivery.claim_token == token,
            Delivery.status == SENDING,
        )
        .with_for_update()
    )
    return set(rows)


async def renew_claims(
    session: AsyncSession, *, token: str, ids: Sequence[int], until: datetime
) -> set[int]:
    """Extend `token`'s leases on `ids` to `until`; returns the ids it still holds."""
    if not ids:
        return set()
    renewed = await session.scalars(
        update(Delivery)
        .where(
            Delivery.id.in_(list(ids)),
            Delivery.claim_token == token,
            Delivery.status == SENDING,
        )
        .values(claimed_until=until)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )
    return set(renewed)


async def release_claims(
    session: AsyncSession, ids: Sequence[int] | None = None, *, token: str | None = None
) -> int:
    """Put claimed rows back to pending: `token`'s rows among `ids` (a worker stopping), or
    every claimed row (a single-process start: whoever held them is gone)."""
    stmt = update(Delivery).where(Delivery.status == SENDING)
    if ids is not None:
        stmt = stmt.where(Delivery.id.in_(list(ids)))
    if token is not None:
        stmt = stmt.where(Delivery.claim_token == token)
    result = await session.execute(
        stmt.values(status=PENDING, claimed_until=None, claim_token=None).execution_options(
            synchronize_session=False
        )
    )
    return result.rowcount or 0


async def record_changes(
    session: AsyncSession, changes: Sequence[Change], *, token: str
) -> set[int]:
    """Write progress and outcomes of rows `token` holds; returns the ids it no longer holds
    (their changes are not written: another worker owns the row now)."""
    owned = await _owned(session, list({c.delivery_id for c in changes}), token)
    kept = [c for c in changes if c.delivery_id in owned]
    await _write_progress(session, [c for c in kept if isinstance(c, Progress)])
    for outcome in (c for c in kept if isinstance(c, Outcome)):
        await _write_outcome(session, outcome)
    return {c.delivery_id for c in changes} - owned


async def _write_progress(session: AsyncSession, changes: Sequence[Progress]) -> None:
    """Parts sent, message ids and status for many rows (one executemany per kind)."""
    table = Delivery.__table__
    in_flight = [_progress_row(c) for c in changes if c.status == SENDING]
    done = [_progress_row(c) for c in changes if c.status != SENDING]
    values = {
        "parts_sent": bindparam("b_parts"),
        "message_ids": bindparam("b_ids"),
        "status": bindparam("b_status"),
        "sent_at": bindparam("b_sent_at", type_=UTCDateTime()),
    }
    where = table.c.id == bindparam("b_id")
    if in_flight:
        await session.execute(update(table).where(where).values(**values), in_flight)
    if done:
        stmt = update(table).where(where).values(**values, claimed_until=None, claim_token=None)
        await session.execute(stmt, done)
    for change in changes:
        if change.note is not None:
            await session.execute(
                update(Delivery).where(Delivery.id == change.delivery_id).values(error=change.note)
            )
        if change.stories and change.subscriber_id is not None and change.delivered_at:
            await record_seen(
                session,
                change.subscriber_id,
                change.delivery_id,
                change.stories,
                change.delivered_at,
            )


def _progress_row(change: Progress) -> dict[str, Any]:
    return {
        "b_id": change.delivery_id,
        "b_parts": change.parts_sent,
        "b_ids": json.dumps(change.message_ids),
        "b_status": change.status,
        "b_sent_at": change.sent_at,
    }


async def _write_outcome(session: AsyncSession, outcome: Outcome) -> None:
    values: dict[str, Any] = {
        "status": outcome.status,
        "claimed_until": None,
        "claim_token": None,
    }
    if outcome.error is not None:
        values["error"] = outcome.error
    if outcome.status == PENDING:
        values["next_attempt_at"] = outcome.next_attempt_at
        if outcome.count_attempt:
            values["attempts"] = Delivery.attempts + 1
    await session.execute(
        update(Delivery).where(Delivery.id == outcome.delivery_id).values(**values)
    )
    if outcome.status == BLOCKED and outcome.subscriber_id is not None:
        await mark_blocked(session, outcome.subscriber_id, outcome.error or "blocked")


async def mark_blocked(session: AsyncSession, subscriber_id: int, error: str) -> int:
    """The chat blocked the bot: the subscriber is 'blocked' and its open rows are closed
    (a row another worker holds is closed too: its writes then find the claim gone)."""
    await session.execute(
        update(Subscriber).where(Subscriber.id == subscriber_id).values(status="blocked")
    )
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.subscriber_id == subscriber_id,
            Delivery.status.in_((PENDING, SENDING)),
        )
        .values(status=BLOCKED, claimed_until=None, claim_token=None, error=error)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


async def next_due_at(session: AsyncSession) -> datetime | None:
    """When the earliest pending row becomes due (None if the queue is empty)."""
    return await session.scalar(
        select(func.min(Delivery.next_attempt_at)).where(Delivery.status == PENDING)
    )


async def prune(session: AsyncSession, *, before: datetime) -> int:
    """Delete closed rows created before `before` and stories-seen records older than that."""
    result = await session.execute(
        delete(Delivery)
        .where(Delivery.status.in_(FINAL_STATUSES), Delivery.created_at < before)
        .execution_options(synchronize_session=False)
    )
    await session.execute(delete(SentStory).where(SentStory.sent_at < before))
    return result.rowcount or 0
