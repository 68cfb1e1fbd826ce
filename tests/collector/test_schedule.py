"""Next checks: the interval, server hints as a floor, exponential backoff capped at 24 h."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from collector.schedule import (
    cache_max_age,
    failure_backoff,
    next_check_after_failure,
    next_check_after_success,
)

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def test_success_uses_the_interval_or_a_longer_server_hint() -> None:
    assert next_check_after_success(NOW, 900) == NOW + timedelta(seconds=900)
    assert next_check_after_success(NOW, 900, ttl=3600) == NOW + timedelta(hours=1)
    assert next_check_after_success(NOW, 900, max_age=60) == NOW + timedelta(seconds=900)
    assert next_check_after_success(NOW, 900, retry_after=7200) == NOW + timedelta(hours=2)
    # A hostile hint of a year is cut to a day.
    assert next_check_after_success(NOW, 900, max_age=31_536_000) == NOW + timedelta(hours=24)


def test_backoff_doubles_per_failure_up_to_a_day() -> None:
    delays = [failure_backoff(900, n) for n in range(1, 9)]
    assert delays[:4] == [timedelta(seconds=900 * f) for f in (1, 2, 4, 8)]
    assert delays[-1] == timedelta(hours=24)
    assert failure_backoff(900, 500) == timedelta(hours=24)
    assert next_check_after_failure(NOW, 900, 1, retry_after=3600) == NOW + timedelta(hours=1)


def test_cache_control_max_age() -> None:
    assert cache_max_age({"cache-control": "public, max-age=600"}) == 600
    assert cache_max_age({"cache-control": "no-cache, max-age=600"}) is None
    assert cache_max_age({}) is None
