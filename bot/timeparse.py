"""Parsing what subscribers type: times of day and IANA timezone names."""

from __future__ import annotations

import difflib
import re
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

MAX_TIMES = 6
_TIME_RE = re.compile(r"^([01]?\d|2[0-3])[:.h]?([0-5]\d)$")


class InputError(ValueError):
    """What the user typed cannot be used; the message says what to type instead."""


def parse_minute(text: str) -> int:
    """'07:30' (also '7:30', '0730', '7.30') as minutes after midnight."""
    match = _TIME_RE.match(text.strip().lower())
    if match is None:
        raise InputError(f"“{text}” is not a time of day; write it as HH:MM, e.g. 07:30")
    return int(match.group(1)) * 60 + int(match.group(2))


def parse_times(args: list[str]) -> list[int]:
    """Several times of day, sorted, without repeats; at most MAX_TIMES."""
    if not args:
        raise InputError("give at least one time, e.g. /time 07:30 or /time 07:30 18:00")
    minutes = sorted({parse_minute(arg) for arg in args})
    if len(minutes) > MAX_TIMES:
        raise InputError(f"at most {MAX_TIMES} delivery times, please")
    return minutes


def format_minute(minute: int) -> str:
    """Minutes after midnight as HH:MM."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


@cache
def _zones() -> dict[str, str]:
    # Lower-case lookup of every IANA name; "localtime" and friends are not places.
    return {name.lower(): name for name in available_timezones() if "/" in name or name == "UTC"}


def resolve_timezone(text: str) -> str:
    """The canonical IANA name for `text` (case-insensitive; spaces may stand for '_').

    Raises InputError listing close matches when the name is unknown.
    """
    wanted = text.strip().replace(" ", "_")
    zones = _zones()
    if wanted.lower() in zones:
        name = zones[wanted.lower()]
        ZoneInfo(name)  # raises if the tz database lacks it after all
        return name
    raise InputError(_unknown_zone_message(text.strip(), suggest_timezones(wanted)))


def suggest_timezones(text: str, limit: int = 3) -> list[str]:
    """IANA names close to `text`: same city name first, then spelling neighbours."""
    zones = _zones()
    key = text.lower().replace(" ", "_")
    by_city = sorted(name for low, name in zones.items() if low.rsplit("/", 1)[-1] == key)
    close_full = difflib.get_close_matches(key, list(zones), n=limit, cutoff=0.6)
    cities = {low.rsplit("/", 1)[-1]: low for low in zones}
    close_city = difflib.get_close_matches(
        key.rsplit("/", 1)[-1], list(cities), n=limit, cutoff=0.7
    )
    found = by_city + [zones[z] for z in close_full] + [zones[cities[c]] for c in close_city]
    return list(dict.fromkeys(found))[:limit]


def _unknown_zone_message(text: str, suggestions: list[str]) -> str:
    message = f"I don't know the timezone “{text}”."
    if suggestions:
        message += " Did you mean: " + ", ".join(suggestions) + "?"
    return message + " Use an IANA name like Europe/Berlin or America/New_York."
