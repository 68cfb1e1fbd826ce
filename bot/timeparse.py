"""Parsing times of day as subscribers type them (timezones: bot.zones)."""

from __future__ import annotations

import re

from bot.i18n import _, num

MAX_TIMES = 6
# 07:30, 7:30, 0730, 7.30, 7h30, 19h, 7, 7pm, 7:30 pm, 7.30a.m.
_TIME_RE = re.compile(
    r"^(?P<hour>\d{1,2})(?:(?:[:.h])(?P<minute>\d{2})?|(?P<packed>\d{2}))?\s*"
    r"(?P<half>a\.?m\.?|p\.?m\.?)?$"
)
_SEPARATORS = re.compile(r"[,;]|\s+(?:and|und|et|y|e|и)\s+|\s+")
_HALF_DAY = re.compile(r"^(?:a\.?m\.?|p\.?m\.?)$")


class InputError(ValueError):
    """What the user typed cannot be used; the message says what to type instead."""


def parse_minute(text: str) -> int:
    """A time of day as minutes after midnight: '07:30', '7:30', '0730', '7.30', '7h30',
    '19h', '7pm', '7:30 am'; a bare hour ('7') is 07:00."""
    match = _TIME_RE.match(text.strip().lower())
    if match is None:
        raise InputError(
            _("“{text}” is not a time of day; write it as HH:MM, e.g. 07:30 or 7pm", text=text)
        )
    hour = int(match["hour"])
    minute = int(match["minute"] or match["packed"] or 0)
    half = (match["half"] or "").replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            raise InputError(
                _("“{text}” is not a time of day; with am/pm the hour is 1 to 12", text=text)
            )
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise InputError(
            _("“{text}” is not a time of day; write it as HH:MM, e.g. 07:30 or 7pm", text=text)
        )
    return hour * 60 + minute


def split_times(text: str) -> list[str]:
    """The times in one line as people list them: '07:30, 12:00', '7 pm and 9 pm', '7.30 18h'."""
    pieces = [p for p in _SEPARATORS.split(text.strip()) if p and p.strip()]
    joined: list[str] = []
    for piece in pieces:
        if _HALF_DAY.match(piece.lower()) and joined:
            joined[-1] += piece  # "7 pm": the am/pm belongs to the time before it
        else:
            joined.append(piece)
    return joined


def parse_times(args: list[str]) -> list[int]:
    """Several times of day (in any of the ways `split_times` reads), sorted, without repeats;
    at most MAX_TIMES."""
    pieces = split_times(" ".join(args))
    if not pieces:
        raise InputError(_("give at least one time, e.g. /time 07:30 or /time 07:30 18:00"))
    minutes = sorted({parse_minute(piece) for piece in pieces})
    if len(minutes) > MAX_TIMES:
        raise InputError(_("at most {count} delivery times, please", count=num(MAX_TIMES)))
    return minutes


def format_minute(minute: int) -> str:
    """Minutes after midnight as HH:MM."""
    return f"{minute // 60:02d}:{minute % 60:02d}"
