"""The delivery tick: turn "08:00 in Europe/Berlin" into queued delivery rows, exactly once,
and queue the breaking-news alerts due (bot/breaking.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.breaking import BreakingScanner
from bot.settings import Settings
from bot.slots import due_instants
from storage import deliveries as queue
from storage.db import Database
from telemetry import metrics

MARK = "delivery_tick"
# After a long outage, missed slots are recorded as skipped only this far back.
MAX_CATCH_UP = timedelta(hours=24)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TickReport:
    """What one tick did: the window it covered and how many rows it queued or skipped."""

    start: datetime
    end: datetime
    queued: int
    skipped: int
    breaking: int = 0  # breaking-news alerts queued (bot/breaking.py)


class SlotScheduler:
    """Queues one delivery row per (subscriber, local slot) that fell due since the last tick."""

    def __init__(self, db: Database, settings: Settings, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.breaking = BreakingScanner(db, settings, clock)

    async def tick(self, now: datetime | None = None) -> TickReport:
        """Queue every slot in (last tick, now]; slots older than the missed-slot age are
        recorded as skipped instead. Safe to repeat and to run on several workers."""
        end = now or self.clock()
        max_age = timedelta(minutes=self.settings.missed_slot_max_age_minutes)
        async with self.db.session() as session:
            mark = await queue.get_mark(session, MARK)
            start = mark if mark is not None else end - max_age
            if end - start > MAX_CATCH_UP:
                log.warning(
                    "delivery tick: last ran %s ago; slots before %s are not recorded",
                    end - start,
                    end - MAX_CATCH_UP,
                )
                start = end - MAX_CATCH_UP
            queued = skipped = 0
            if start < end:
                for zone, minute in await queue.active_zone_minutes(session):
                    try:
                        slots = list(due_instants(zone, minute, start, end))
                    except (ValueError, KeyError):  # a zone this tz database lacks
                        log.error("delivery tick: unknown timezone %r; its slots are skipped", zone)
                        continue
                    for slot_at in slots:
                        late = end - slot_at
                        if late > max_age:
                            skipped += await queue.enqueue_slot(
                                session,
                                timezone=zone,
                                minute=minute,
                                slot_at=slot_at,
                                now=end,
                                status=queue.SKIPPED,
                                error=f"missed while the bot was down ({_hours(late)} late)",
                            )
                        else:
                            queued += await queue.enqueue_slot(
                                session, timezone=zone, minute=minute, slot_at=slot_at, now=end
                            )
                await queue.advance_mark(session, MARK, end)
        metrics.slots_queued(queued)  # committed
        if queued or skipped:
            log.info("delivery tick: %d briefings queued, %d missed slots skipped", queued, skipped)
        alerts = await self.breaking.scan()
        return TickReport(start, end, queued, skipped, alerts)


def _hours(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"
