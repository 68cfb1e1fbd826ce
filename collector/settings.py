"""The settings the collector reads, as Protocols: bot.settings.Settings satisfies them."""

from __future__ import annotations

from typing import Protocol


class FetchSettings(Protocol):
    """What fetching a URL needs: the private-network switch, timeouts, caps and concurrency."""

    allow_private_networks: bool
    fetch_timeout_seconds: float
    max_body_bytes: int
    max_concurrency: int
    max_per_host: int


class CollectorSettings(FetchSettings, Protocol):
    """What a collection pass needs on top of fetching: schedule, deadline, health, summaries."""

    feed_check_interval_seconds: int
    feed_check_deadline_seconds: float
    feed_failures_before_pause: int
    summary_algorithm: str
    summary_sentences: int
