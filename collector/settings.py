"""The settings the collector reads, as Protocols: bot.settings.Settings satisfies them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class FetchSettings(Protocol):
    """What fetching a URL needs: the private-network switch, timeouts, caps and concurrency."""

    allow_private_networks: bool
    fetch_timeout_seconds: float
    max_body_bytes: int
    max_concurrency: int
    max_per_host: int


class CollectorSettings(FetchSettings, Protocol):
    """What a collection pass needs on top of fetching: schedule, health and summaries."""

    feed_check_interval_seconds: int
    feed_failures_before_pause: int
    summary_algorithm: str
    summary_sentences: int


@dataclass(slots=True)
class CollectorOptions:
    """Plain CollectorSettings with the same defaults as bot.settings, for tools and tests."""

    allow_private_networks: bool = False
    fetch_timeout_seconds: float = 15.0
    max_body_bytes: int = 5 * 1024 * 1024
    max_concurrency: int = 32
    max_per_host: int = 4
    feed_check_interval_seconds: int = 900
    feed_failures_before_pause: int = 10
    summary_algorithm: str = "news"
    summary_sentences: int = 3
