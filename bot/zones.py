"""Timezones as people write them: IANA names, UTC offsets, abbreviations, cities, countries.

A subscriber's timezone is stored as a string: an IANA name ("Europe/Berlin"), or a fixed
offset written "UTC+05:30" (what "/timezone +5:30" means: no daylight saving, by the user's
choice). `zone()` turns either into a tzinfo. `find_zones()` reads what a person types:

- "UTC+2", "GMT-5", "+05:30", "utc −3": the sign people mean (east of Greenwich is +), unlike
  the POSIX-signed Etc/GMT+3, which is three hours *behind* UTC;
- an IANA name in any case, spaces for underscores ("america/new york");
- a common abbreviation ("CET", "PST", "JST"; an ambiguous one such as "IST" gives choices);
- a city ("Berlin", "New York", "Buenos Aires") or a country ("Germany", "DE"), from the
  tz database's own tables, which the tzdata package ships: nothing is downloaded.

Exactly one match is set at once; several are offered as buttons; none gives suggestions.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.i18n import _

FIXED_PREFIX = "UTC"
_OFFSET = re.compile(r"^(?:utc|gmt|z)?\s*([+\-−])\s*(\d{1,2})(?:[:.h]?(\d{2}))?$")
_FIXED = re.compile(r"^UTC([+-])(\d{2}):(\d{2})$")
MAX_CHOICES = 6

# Abbreviations people use that are not (useful) tz database names. Where one means several
# places, every one is offered. The zones follow daylight saving, as the people who say "PST"
# in July (and mean PDT) expect.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "pst": ("America/Los_Angeles",),
    "pdt": ("America/Los_Angeles",),
    "pt": ("America/Los_Angeles",),
    "mst": ("America/Denver", "America/Phoenix"),
    "mdt": ("America/Denver",),
    "mt": ("America/Denver",),
    "cst": ("America/Chicago", "Asia/Shanghai", "America/Havana"),
    "cdt": ("America/Chicago",),
    "ct": ("America/Chicago",),
    "est": ("America/New_York",),
    "edt": ("America/New_York",),
    "et": ("America/New_York",),
    "akst": ("America/Anchorage",),
    "akdt": ("America/Anchorage",),
    "hst": ("Pacific/Honolulu",),
    "ast": ("America/Halifax", "Asia/Riyadh"),
    "nst": ("America/St_Johns",),
    "bst": ("Europe/London",),
    "ist": ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"),
    "cest": ("CET",),
    "eest": ("EET",),
    "west": ("WET",),
    "msk": ("Europe/Moscow",),
    "trt": ("Europe/Istanbul",),
    "gst": ("Asia/Dubai",),
    "irst": ("Asia/Tehran",),
    "pkt": ("Asia/Karachi",),
    "npt": ("Asia/Kathmandu",),
    "ict": ("Asia/Bangkok",),
    "wib": ("Asia/Jakarta",),
    "sgt": ("Asia/Singapore",),
    "hkt": ("Asia/Hong_Kong",),
    "pht": ("Asia/Manila",),
    "jst": ("Asia/Tokyo",),
    "kst": ("Asia/Seoul",),
    "awst": ("Australia/Perth",),
    "acst": ("Australia/Adelaide",),
    "acdt": ("Australia/Adelaide",),
    "aest": ("Australia/Sydney", "Australia/Brisbane"),
    "aedt": ("Australia/Sydney",),
    "nzst": ("Pacific/Auckland",),
    "nzdt": ("Pacific/Auckland",),
    "brt": ("America/Sao_Paulo",),
    "art": ("America/Argentina/Buenos_Aires",),
    "sast": ("Africa/Johannesburg",),
    "cat": ("Africa/Maputo",),
    "eat": ("Africa/Nairobi",),
    "wat": ("Africa/Lagos",),
}


@dataclass(frozen=True)
class ZoneMatches:
    """What a typed timezone matched: `zones` (one: set it; several: ask), else `suggestions`."""

    zones: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    notes: dict[str, str] = field(default_factory=dict)  # zone -> how it was read


def fixed_offset_name(offset: timedelta) -> str:
    """The stored name of a fixed offset: "UTC+05:30", "UTC-03:00", or "UTC" for zero."""
    if not offset:
        return FIXED_PREFIX
    sign = "+" if offset > timedelta(0) else "-"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{FIXED_PREFIX}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def zone(name: str) -> tzinfo:
    """The tzinfo of a stored timezone name (IANA or fixed offset); ValueError if unknown."""
    fixed = _FIXED.match(name)
    if fixed:
        sign, hours, minutes = fixed.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes))
        return timezone(offset if sign == "+" else -offset, name)
    try:
        return _zoneinfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {name!r}") from None


@cache
def _zoneinfo(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def is_known(name: str) -> bool:
    """Whether `name` is a timezone `zone()` accepts."""
    try:
        zone(name)
    except ValueError:
        return False
    return True


@cache
def _names() -> dict[str, str]:
    """Lower-case lookup of every tz database name; "localtime" and such are not places."""
    return {
        name.lower(): name
        for name in available_timezones()
        if name not in ("localtime", "Factory") and not name.startswith(("posix/", "right/"))
    }


@cache
def _cities() -> dict[str, tuple[str, ...]]:
    """City (the last part of an Area/City name, lower case, spaces for "_") -> zones."""
    found: dict[str, set[str]] = {}
    for name in _canonical():
        city = _folded(name.rsplit("/", 1)[-1].replace("_", " "))
        found.setdefault(city, set()).add(name)
    return {city: tuple(sorted(zones)) for city, zones in found.items()}


def _table(name: str) -> list[list[str]]:
    """Rows of one of the tz database's .tab files shipped in the tzdata package."""
    text = resources.files("tzdata").joinpath("zoneinfo", name).read_text("utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def _canonical() -> frozenset[str]:
    """The zones of places (zone.tab): Europe/Berlin, not the backward-compatible links."""
    return frozenset(row[2] for row in _table("zone.tab") if len(row) > 2)


@cache
def _countries() -> dict[str, tuple[str, ...]]:
    """Country name or ISO code (lower case) -> its zones, the most populous first."""
    names = {row[0]: row[1] for row in _table("iso3166.tab") if len(row) > 1}
    zones: dict[str, list[str]] = {}
    for row in _table("zone.tab"):
        if len(row) > 2:
            zones.setdefault(row[0], []).append(row[2])
    found: dict[str, tuple[str, ...]] = {}
    for code, listed in zones.items():
        found[code.lower()] = tuple(listed)
        if code in names:
            found[names[code].lower()] = tuple(listed)
    return found


def _offset(text: str) -> str | None:
    """A UTC offset written the way people mean it, as its stored name; None if not one."""
    match = _OFFSET.match(text.strip().lower().replace(" ", ""))
    if match is None:
        return None
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    if minutes >= 60:
        return None
    offset = timedelta(hours=hours, minutes=minutes)
    if sign != "+":
        offset = -offset
    if not timedelta(hours=-12) <= offset <= timedelta(hours=14):
        return None
    return fixed_offset_name(offset)


def _folded(text: str) -> str:
    """Lower case without accents: "São Paulo" finds America/Sao_Paulo."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _distinct_clocks(zones: tuple[str, ...]) -> tuple[str, ...]:
    """The first zone of each distinct clock: a country's zones that keep the same time all
    year (Europe/Berlin and Europe/Busingen) are one choice, not two."""
    seen: set[tuple[timedelta | None, ...]] = set()
    kept = []
    for name in zones:
        tz = zone(name)
        clock = tuple(
            datetime(2026, month, 15, 12, tzinfo=UTC).astimezone(tz).utcoffset()
            for month in (1, 4, 7, 10)
        )
        if clock not in seen:
            seen.add(clock)
            kept.append(name)
    return tuple(kept)


def find_zones(text: str) -> ZoneMatches:
    """Every timezone `text` can mean, best reading first (see the module docstring)."""
    typed = " ".join(text.split())
    if not typed:
        return ZoneMatches()
    key = _folded(typed)
    if key in ("utc", "gmt", "z", "zulu"):
        return ZoneMatches((FIXED_PREFIX,))
    offset = _offset(typed)
    if offset is not None:
        return ZoneMatches((offset,), notes={offset: _("a fixed offset, without daylight saving")})
    if key in ABBREVIATIONS:
        zones = tuple(z for z in ABBREVIATIONS[key] if is_known(z))
        return ZoneMatches(zones, notes={z: _("for {name}", name=typed.upper()) for z in zones})
    names = _names()
    exact = names.get(key.replace(" ", "_"))
    if exact is not None:
        return ZoneMatches((exact,))
    city = _cities().get(key)
    if city:
        return ZoneMatches(_distinct_clocks(city)[:MAX_CHOICES])
    country = _countries().get(key)
    if country:
        zones = _distinct_clocks(country)[:MAX_CHOICES]
        return ZoneMatches(zones, notes={z: _("in {name}", name=typed) for z in zones})
    return ZoneMatches(suggestions=tuple(_close_to(key)))


def _close_to(key: str, limit: int = 3) -> list[str]:
    """Zones whose city or whole name is spelt like `key` (for "did you mean")."""
    cities = _cities()
    close_city = difflib.get_close_matches(key.rsplit("/", 1)[-1], list(cities), limit, 0.75)
    names = _names()
    close_name = difflib.get_close_matches(key.replace(" ", "_"), list(names), limit, 0.75)
    found = [zone for city in close_city for zone in cities[city]]
    found += [names[name] for name in close_name]
    return list(dict.fromkeys(found))[:limit]
