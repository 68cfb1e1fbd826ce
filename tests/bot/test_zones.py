"""Timezones as people type them: the sign they mean, abbreviations, cities, countries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.zones import find_zones, zone

SUMMER = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "hours_ahead_of_utc"),
    [("GMT+3", 3), ("UTC+2", 2), ("utc -5", -5), ("GMT−5", -5), ("+05:30", 5.5), ("+0545", 5.75)],
)
def test_offsets_mean_what_people_mean(typed: str, hours_ahead_of_utc: float) -> None:
    (name,) = find_zones(typed).zones
    offset = SUMMER.astimezone(zone(name)).utcoffset()
    assert offset is not None and offset.total_seconds() == hours_ahead_of_utc * 3600


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("CET", "CET"),
        ("EST", "America/New_York"),
        ("PST", "America/Los_Angeles"),
        ("JST", "Asia/Tokyo"),
        ("Berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("São Paulo", "America/Sao_Paulo"),
        ("europe/berlin", "Europe/Berlin"),
        ("America/New York", "America/New_York"),
        ("Germany", "Europe/Berlin"),
        ("utc", "UTC"),
    ],
)
def test_one_reading_is_set_at_once(typed: str, expected: str) -> None:
    assert find_zones(typed).zones == (expected,)


def test_several_readings_are_offered() -> None:
    assert set(find_zones("IST").zones) == {"Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"}
    us = find_zones("United States").zones
    assert "America/New_York" in us and "America/Los_Angeles" in us and len(us) <= 6


def test_typos_get_suggestions_and_nonsense_nothing() -> None:
    assert "Europe/Berlin" in find_zones("Berln").suggestions
    assert find_zones("Berln").zones == ()
    assert find_zones("Mars/Olympus_Mons").zones == ()
    assert find_zones("UTC+15").zones == ()  # no such offset anywhere
