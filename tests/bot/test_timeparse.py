"""Times of day and timezone names as subscribers type them."""

from __future__ import annotations

import pytest

from bot.timeparse import InputError, format_minute, parse_minute, parse_times


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


@pytest.mark.parametrize(
    ("typed", "times"),
    [
        (["7pm"], [19 * 60]),
        (["7", "pm"], [19 * 60]),
        (["07:30,", "12:00"], [450, 720]),
        (["07:30,12:00"], [450, 720]),
        (["7.30"], [450]),
        (["7h30", "19h"], [450, 19 * 60]),
        (["12am", "12pm"], [0, 720]),
        (["7:30", "am", "and", "6:45", "pm"], [450, 18 * 60 + 45]),
    ],
)
def test_times_as_people_write_them(typed: list[str], times: list[int]) -> None:
    assert parse_times(typed) == times


def test_am_pm_hours_run_from_one_to_twelve() -> None:
    with pytest.raises(InputError, match="1 to 12"):
        parse_times(["13pm"])
