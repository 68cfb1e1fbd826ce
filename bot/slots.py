"""When a local wall-clock time falls, in UTC, in a given timezone: DST-aware and pure."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

from bot.zones import zone as zone_of


def due_instants(
    timezone: str, minute_of_day: int, start: datetime, end: datetime
) -> Iterator[datetime]:
    """UTC instants in (start, end] at which `minute_of_day` happens in `timezone`.

    Exactly one instant per local day: a wall time skipped when clocks go forward (02:30 on a
    spring-forward night) happens at the shifted instant (03:30 local); a wall time that happens
    twice when clocks go back counts once, at its first occurrence.
    """
    zone = zone_of(timezone)
    wall = time(minute_of_day // 60, minute_of_day % 60)
    day = start.astimezone(zone).date() - timedelta(days=1)
    last_day = end.astimezone(zone).date() + timedelta(days=1)
    while day <= last_day:
        # fold=0: the first of two repeated times; inside a gap, the offset before the change.
        instant = datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)
        if start < instant <= end:
            yield instant
        day += timedelta(days=1)


def local_now(instant: datetime, timezone: str) -> datetime:
    """`instant` as wall-clock time in `timezone`."""
    return instant.astimezone(zone_of(timezone))


def next_instant(timezone: str, minutes: list[int], after: datetime) -> datetime | None:
    """The next UTC instant after `after` at which any of `minutes` falls (None without times)."""
    found = [
        instant
        for minute in minutes
        for instant in due_instants(timezone, minute, after, after + timedelta(days=2))
    ]
    return min(found) if found else None
