"""Plain collector settings for tools, tests and benchmarks that run without bot settings."""

from __future__ import annotations

from dataclasses import dataclass


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
    feed_check_deadline_seconds: float = 300.0
    summary_algorithm: str = "news"
    summary_sentences: int = 3
