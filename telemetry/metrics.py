"""The one home of newsbrief's Prometheus metrics: names, help texts, buckets, the registry.

Every metric lives in `REGISTRY`, which the ops server (`telemetry.http.OpsServer`) serves at
/metrics; each process (role) serves its own figures, and Prometheus adds them up. Call sites use
the small functions below, so a metric is renamed or relabelled here alone. Counters are exposed
with prometheus-client's `_total` suffix (`newsbrief_messages_sent_total`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    Info,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
)

# No `_created` twin of every counter and histogram series: it doubles the output for nothing
# a rate() needs.
disable_created_metrics()

REGISTRY = CollectorRegistry(auto_describe=True)
# The standard process_* (CPU, memory, open files), python_gc_* and python_info series, under
# their usual names so stock dashboards read them.
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

FEED_OUTCOMES = ("ok", "not_modified", "error", "paused")
SUMMARY_KINDS = ("article", "story")
TELEGRAM_ERROR_CODES = ("429", "403")

ROLE = Info(
    "newsbrief_role",
    "The role this process runs: all, updates, collector or delivery (a command's name otherwise).",
    registry=REGISTRY,
)
FEEDS_CHECKED = Counter(
    "newsbrief_feeds_checked",
    "Feed checks, by outcome: ok (read), not_modified (304), error (failed), paused (failed "
    "and paused after repeated failures).",
    ["outcome"],
    registry=REGISTRY,
)
FEEDS_FAILED = Counter(
    "newsbrief_feeds_failed",
    "Feed checks that failed (outcomes error and paused together).",
    registry=REGISTRY,
)
ARTICLES_STORED = Counter(
    "newsbrief_articles_stored", "New articles stored by the collector.", registry=REGISTRY
)
CLUSTERING_SECONDS = Histogram(
    "newsbrief_clustering_seconds",
    "Storing one new article and placing it in a story (near-duplicate check, story "
    "clustering, source recount), inside the collector's write transaction.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
SUMMARY_SECONDS = Histogram(
    "newsbrief_summary_seconds",
    "Summarising, by kind: article (one new article's main text extracted and summarised in "
    "the process pool, queueing included), story (the pooled summaries of the stories one feed "
    "check made grow).",
    ["kind"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0),
    registry=REGISTRY,
)
SLOTS_QUEUED = Counter(
    "newsbrief_slots_queued",
    "Briefing slots queued for delivery by the delivery tick (one per subscriber and slot).",
    registry=REGISTRY,
)
MESSAGES_SENT = Counter(
    "newsbrief_messages_sent",
    "Messages of the delivery queue sent to Telegram (briefing parts and broadcasts).",
    registry=REGISTRY,
)
TELEGRAM_ERRORS = Counter(
    "newsbrief_telegram_errors",
    "Answers from Telegram to the delivery queue's sends, by code: 429 (flood control: retry "
    "after a delay) and 403 (the chat blocked the bot).",
    ["code"],
    registry=REGISTRY,
)
QUEUE_LAG_SECONDS = Gauge(
    "newsbrief_queue_lag_seconds",
    "How long the oldest due delivery has been waiting (0: nothing due), as of the last scrape.",
    registry=REGISTRY,
)
SEND_BUDGET_IN_USE = Gauge(
    "newsbrief_send_budget_in_use",
    "Messages per second taken from the shared Telegram send budget (all processes together), "
    "as the send budget last counted them.",
    registry=REGISTRY,
)
STALE_SEND_SLOTS = Counter(
    "newsbrief_stale_send_slots",
    "Send-budget slots given up because the process woke too late to use them (a busy host).",
    registry=REGISTRY,
)
SEND_BUDGET_LIMIT = Gauge(
    "newsbrief_send_budget_limit",
    "The shared Telegram send budget, in messages per second.",
    registry=REGISTRY,
)

# Every labelled series exists from the start (at 0), so a rate() never starts from nothing.
for _outcome in FEED_OUTCOMES:
    FEEDS_CHECKED.labels(outcome=_outcome)
for _kind in SUMMARY_KINDS:
    SUMMARY_SECONDS.labels(kind=_kind)
for _code in TELEGRAM_ERROR_CODES:
    TELEGRAM_ERRORS.labels(code=_code)


def name_role(role: str) -> None:
    """Name the process's role in `newsbrief_role_info` (the ops server does, as it starts)."""
    ROLE.info({"role": role})


def feed_checked(outcome: str) -> None:
    """One feed check ended with `outcome` (ok, not_modified, error, paused)."""
    FEEDS_CHECKED.labels(outcome=outcome).inc()
    if outcome in ("error", "paused"):
        FEEDS_FAILED.inc()


def articles_stored(count: int) -> None:
    """`count` new articles were stored (committed)."""
    if count > 0:
        ARTICLES_STORED.inc(count)


def slots_queued(count: int) -> None:
    """The delivery tick queued `count` briefing slots."""
    if count > 0:
        SLOTS_QUEUED.inc(count)


def message_sent() -> None:
    """One message of the delivery queue reached Telegram."""
    MESSAGES_SENT.inc()


def telegram_error(code: int) -> None:
    """Telegram answered a delivery with 429 or 403."""
    TELEGRAM_ERRORS.labels(code=str(code)).inc()


def set_queue_lag(seconds: float) -> None:
    """How long the oldest due delivery has waited (0 when nothing is due)."""
    QUEUE_LAG_SECONDS.set(max(0.0, seconds))


def set_send_budget(in_use: float, limit: float | None = None) -> None:
    """The shared send budget: messages per second in use and, if given, its size."""
    SEND_BUDGET_IN_USE.set(in_use)
    if limit is not None:
        SEND_BUDGET_LIMIT.set(limit)


@contextmanager
def timed(histogram: Histogram, **labels: str) -> Iterator[None]:
    """Observe the wall time of the block in `histogram` when it completes (a block that
    raises or is cancelled, such as an article left at its feed's deadline, is not counted)."""
    target = histogram.labels(**labels) if labels else histogram
    started = time.perf_counter()
    yield
    target.observe(time.perf_counter() - started)
