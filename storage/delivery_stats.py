"""How the delivery queue is doing, as /stats shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.deliveries import MANUAL, PENDING, SCHEDULED, SENDING, SENT
from storage.models import Delivery


@dataclass(frozen=True)
class QueueStats:
    """The queue as /stats shows it."""

    pending: int
    due: int
    oldest_due_at: datetime | None
    sent_today: int


async def queue_stats(session: AsyncSession, *, now: datetime, day_start: datetime) -> QueueStats:
    """Pending rows, those already due, the oldest due instant, briefings sent since day_start."""
    pending = await session.scalar(
        select(func.count()).select_from(Delivery).where(Delivery.status == PENDING)
    )
    due, oldest = (
        await session.execute(
            select(func.count(), func.min(Delivery.next_attempt_at)).where(
                Delivery.status.in_((PENDING, SENDING)), Delivery.next_attempt_at <= now
            )
        )
    ).one()
    sent_today = await session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(
            Delivery.status == SENT,
            Delivery.kind.in_((SCHEDULED, MANUAL)),
            Delivery.sent_at >= day_start,
        )
    )
    return QueueStats(int(pending or 0), int(due or 0), oldest, int(sent_today or 0))


async def oldest_due_at(session: AsyncSession, *, now: datetime) -> datetime | None:
    """When the oldest delivery that is due and not finished (pending, or being sent) fell due;
    None when nothing is due. `now` minus it is the queue's lag."""
    return await session.scalar(
        select(func.min(Delivery.next_attempt_at)).where(
            Delivery.status.in_((PENDING, SENDING)), Delivery.next_attempt_at <= now
        )
    )
