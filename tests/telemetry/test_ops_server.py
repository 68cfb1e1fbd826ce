"""The ops server over real HTTP on loopback: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from prometheus_client import CollectorRegistry, Counter
from prometheus_client.parser import text_string_to_metric_families

from telemetry import metrics
from telemetry.http import OpsServer


async def get(server: OpsServer, path: str, **headers: str) -> tuple[int, str, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(server.url + path, headers=headers) as answer,
    ):
        return answer.status, await answer.text(), answer.headers["Content-Type"]


class Readiness:
    """A readiness check the test sets: a reason, None, an error or a hang."""

    def __init__(self) -> None:
        self.reason: str | None = None
        self.error: Exception | None = None
        self.hang = False

    async def __call__(self) -> str | None:
        if self.hang:
            await asyncio.sleep(60)
        if self.error is not None:
            raise self.error
        return self.reason


async def test_healthz_readyz_and_their_reasons() -> None:
    check = Readiness()
    async with OpsServer("127.0.0.1", 0, role="collector", ready=check, ready_timeout=0.5) as ops:
        assert ops.port > 0
        assert await get(ops, "/healthz") == (200, "ok\n", "text/plain; charset=utf-8")
        assert (await get(ops, "/readyz"))[:2] == (200, "ready\n")

        check.reason = "the collector is not running\n(it stopped)"
        assert (await get(ops, "/readyz"))[:2] == (
            503,
            "not ready: the collector is not running (it stopped)\n",
        )
        check.reason, check.error = None, RuntimeError("boom")
        assert (await get(ops, "/readyz"))[:2] == (
            503,
            "not ready: the readiness check failed: RuntimeError: boom\n",
        )
        check.error, check.hang = None, True
        status, text, _ = await get(ops, "/readyz")
        assert (status, text) == (503, "not ready: the readiness check took longer than 0.5 s\n")
        assert (await get(ops, "/healthz"))[0] == 200  # alive while not ready
        assert (await get(ops, "/nothing"))[0] == 404


async def test_metrics_are_prometheus_text_and_openmetrics_on_request() -> None:
    scrapes = 0

    async def refresh() -> None:
        nonlocal scrapes
        scrapes += 1
        metrics.set_queue_lag(42.5)

    metrics.message_sent()
    async with OpsServer(
        "127.0.0.1", 0, role="delivery", ready=Readiness(), on_scrape=refresh
    ) as ops:
        status, body, content_type = await get(ops, "/metrics")
        assert status == 200 and scrapes == 1
        assert content_type.startswith("text/plain; version=0.0.4")
        families = {f.name: f for f in text_string_to_metric_families(body)}
        ours = {name for name in families if name.startswith("newsbrief_")}
        assert {
            "newsbrief_feeds_checked",
            "newsbrief_feeds_failed",
            "newsbrief_articles_stored",
            "newsbrief_clustering_seconds",
            "newsbrief_summary_seconds",
            "newsbrief_slots_queued",
            "newsbrief_messages_sent",
            "newsbrief_telegram_errors",
            "newsbrief_queue_lag_seconds",
            "newsbrief_send_budget_in_use",
            "newsbrief_send_budget_limit",
            "newsbrief_role_info",
        } <= ours
        # Ours, and the standard process and Python series: nothing else.
        assert all(n.startswith(("newsbrief_", "process_", "python_")) for n in families)
        assert families["newsbrief_queue_lag_seconds"].samples[0].value == 42.5
        assert families["newsbrief_messages_sent"].samples[0].value >= 1
        (role,) = families["newsbrief_role_info"].samples
        assert role.labels == {"role": "delivery"}
        outcomes = {s.labels["outcome"] for s in families["newsbrief_feeds_checked"].samples}
        assert outcomes == {"ok", "not_modified", "error", "paused"}  # there from the start
        assert "process_resident_memory_bytes" in families

        status, body, content_type = await get(
            ops, "/metrics", Accept="application/openmetrics-text; version=1.0.0"
        )
        assert status == 200 and content_type.startswith("application/openmetrics-text")
        assert body.endswith("# EOF\n")


async def test_a_failing_refresh_still_serves_the_other_figures() -> None:
    registry = CollectorRegistry()
    Counter("newsbrief_test_things", "Things.", registry=registry).inc(3)

    async def broken() -> None:
        raise ConnectionError("the database is away")

    async with OpsServer(
        "127.0.0.1", 0, role="all", ready=Readiness(), on_scrape=broken, registry=registry
    ) as ops:
        status, body, _ = await get(ops, "/metrics")
    assert status == 200 and "newsbrief_test_things_total 3.0" in body


async def test_a_taken_port_fails_the_start() -> None:
    async with OpsServer("127.0.0.1", 0, role="all", ready=Readiness()) as first:
        with pytest.raises(OSError):
            async with OpsServer("127.0.0.1", first.port, role="all", ready=Readiness()):
                pass
