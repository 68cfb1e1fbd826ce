"""When to check a feed next: its interval, the server's hints, exponential backoff on failure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta

MAX_DELAY = timedelta(hours=24)
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.I)


def cache_max_age(headers: Mapping[str, str]) -> int | None:
    """Seconds from `Cache-Control: max-age=N` (ignored with no-cache/no-store), or None."""
    value = headers.get("cache-control", "")
    lowered = value.lower()
    if "no-cache" in lowered or "no-store" in lowered:
        return None
    match = _MAX_AGE.search(value)
    return int(match.group(1)) if match else None


def next_check_after_success(
    now: datetime,
    interval_seconds: int,
    *,
    retry_after: float | None = None,
    max_age: int | None = None,
    ttl: int | None = None,
) -> datetime:
    """The feed's interval, or later if Retry-After, max-age or RSS <ttl> ask for it (max 24 h)."""
    hints = [h for h in (retry_after, max_age, ttl) if h]
    # Hints only ever delay a check, and never beyond 24 h (or the interval, if that is longer).
    ceiling = max(MAX_DELAY, timedelta(seconds=interval_seconds))
    wanted = timedelta(seconds=max([float(interval_seconds), *hints]))
    return now + min(wanted, ceiling)


def failure_backoff(interval_seconds: int, error_count: int) -> timedelta:
    """Interval x 2^(failures-1), capped at 24 h: 1, 2, 4, 8... intervals after each failure."""
    exponent = max(0, min(error_count - 1, 32))
    return min(timedelta(seconds=interval_seconds * 2**exponent), MAX_DELAY)


def next_check_after_failure(
    now: datetime, interval_seconds: int, error_count: int, *, retry_after: float | None = None
) -> datetime:
    """The backoff for this many consecutive failures, or the server's Retry-After if later."""
    delay = failure_backoff(interval_seconds, error_count)
    if retry_after:
        delay = max(delay, min(timedelta(seconds=retry_after), MAX_DELAY))
    return now + delay
