"""Local delivery times to UTC instants, including the nights clocks change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.slots import due_instants, next_instant


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_local_time_maps_to_its_utc_instant_once_per_day() -> None:
    start, end = utc(2026, 1, 10, 0, 0), utc(2026, 1, 12, 0, 0)
    assert list(due_instants("Europe/Berlin", 8 * 60, start, end)) == [
        utc(2026, 1, 10, 7, 0),
        utc(2026, 1, 11, 7, 0),
    ]
    assert list(due_instants("Asia/Tokyo", 8 * 60, start, end)) == [
        utc(2026, 1, 10, 23, 0),
        utc(2026, 1, 11, 23, 0),
    ]


def test_window_is_open_at_the_start_and_closed_at_the_end() -> None:
    slot = utc(2026, 1, 10, 7, 0)
    minute = timedelta(minutes=1)
    assert list(due_instants("Europe/Berlin", 480, slot - minute, slot)) == [slot]
    assert list(due_instants("Europe/Berlin", 480, slot, slot + minute)) == []


def test_summer_time_moves_the_utc_instant() -> None:
    # Berlin switches to CEST on 29 March 2026: 08:00 local is 07:00 UTC before, 06:00 after.
    days = list(due_instants("Europe/Berlin", 480, utc(2026, 3, 27), utc(2026, 3, 31)))
    assert days == [
        utc(2026, 3, 27, 7),
        utc(2026, 3, 28, 7),
        utc(2026, 3, 29, 6),
        utc(2026, 3, 30, 6),
    ]


def test_a_time_skipped_by_spring_forward_is_delivered_once_at_the_shifted_instant() -> None:
    # 02:30 does not exist in Berlin on 29 March 2026 (02:00 -> 03:00).
    night = list(due_instants("Europe/Berlin", 150, utc(2026, 3, 28, 12), utc(2026, 3, 29, 12)))
    assert night == [utc(2026, 3, 29, 1, 30)]  # = 03:30 CEST


def test_a_time_repeated_by_fall_back_is_delivered_once() -> None:
    # 02:30 happens twice in Berlin on 25 October 2026 (03:00 CEST -> 02:00 CET).
    night = list(due_instants("Europe/Berlin", 150, utc(2026, 10, 24, 12), utc(2026, 10, 25, 12)))
    assert night == [utc(2026, 10, 25, 0, 30)]  # the first 02:30 (CEST)


def test_new_york_changes_on_its_own_date() -> None:
    days = list(due_instants("America/New_York", 7 * 60, utc(2026, 3, 7), utc(2026, 3, 10)))
    assert days == [utc(2026, 3, 7, 12), utc(2026, 3, 8, 11), utc(2026, 3, 9, 11)]


def test_next_instant_picks_the_earliest_upcoming_time() -> None:
    now = utc(2026, 1, 10, 12, 0)
    assert next_instant("UTC", [7 * 60, 18 * 60], now) == utc(2026, 1, 10, 18, 0)
    assert next_instant("UTC", [7 * 60], now) == utc(2026, 1, 11, 7, 0)
    assert next_instant("UTC", [], now) is None
