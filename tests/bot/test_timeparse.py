"""Times of day and timezone names as subscribers type them."""

from __future__ import annotations

import pytest

from bot.timeparse import InputError, format_minute, parse_minute, parse_times, resolve_timezone


@pytest.mark.parametrize(
    ("text", "minute"), [("07:30", 450), ("7:30", 450), ("0730", 450), ("23:59", 1439), ("0:00", 0)]
)
def test_times_of_day(text: str, minute: int) -> None:
    assert parse_minute(text) == minute
    assert format_minute(minute) == f"{minute // 60:02d}:{minute % 60:02d}"


@pytest.mark.parametrize("text", ["24:00", "7:60", "seven", "", "12:3"])
def test_bad_times_say_how_to_write_them(text: str) -> None:
    with pytest.raises(InputError, match="HH:MM"):
        parse_minute(text)


def test_several_times_are_sorted_and_deduplicated() -> None:
    assert parse_times(["18:00", "07:30", "7:30"]) == [450, 1080]
    with pytest.raises(InputError, match="at least one"):
        parse_times([])
    with pytest.raises(InputError, match="at most 6"):
        parse_times(["01:00", "02:00", "03:00", "04:00", "05:00", "06:00", "07:00"])


def test_timezones_are_case_insensitive_iana_names() -> None:
    assert resolve_timezone("europe/berlin") == "Europe/Berlin"
    assert resolve_timezone("America/New York") == "America/New_York"
    assert resolve_timezone("utc") == "UTC"


def test_wrong_timezones_get_close_matches() -> None:
    with pytest.raises(InputError) as typo:
        resolve_timezone("Europe/Berln")
    assert "Europe/Berlin" in str(typo.value)
    with pytest.raises(InputError) as city:
        resolve_timezone("Tokyo")
    assert "Asia/Tokyo" in str(city.value)
    with pytest.raises(InputError, match="IANA name"):
        resolve_timezone("Mars/Olympus_Mons")
