"""What retention deletes is never collected again, and a pass shows in the metrics."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta

from prometheus_client import REGISTRY as DEFAULT_REGISTRY

from collector.service import Collector
from sandbox.collector_options import CollectorOptions
from sandbox.feed_server import LocalFeedServer
from storage.clock import utcnow
from storage.db import Database
from storage.models import FeedEntry, Story
from storage.retention import prune_old_data
from telemetry.metrics import REGISTRY
from tests.collector.helpers import add_feeds, articles, count, page, rss


def sample(name: str, **labels: str) -> float:
    """A metric's current value (0 when it has no sample yet)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def serve_items(server: LocalFeedServer, guids: list[str]) -> str:
    for guid in guids:
        server.add(
            f"/pages/{guid}.html",
            page(f"Harbor news {guid}", [f"Report {guid} on the harbor and its ferries today."]),
            "text/html; charset=utf-8",
        )
    items = [(guid, server.url(f"/pages/{guid}.html"), f"Report {guid}.") for guid in guids]
    return server.add("/news.xml", rss("Harbor Gazette", items))


async def test_an_item_whose_article_retention_deleted_is_not_collected_again(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    url = serve_items(server, ["a", "b"])
    await add_feeds(db, "harbor", [url])
    async with Collector(db, options, executor=process_pool) as collector:
        first = await collector.collect_all()
        assert first.new == 2
        # Every article is past its retention; the entries are not.
        now = utcnow()
        report = await prune_old_data(
            db,
            articles_before=now + timedelta(days=1),
            feed_entries_before=now - timedelta(days=365),
            feed_failures_before=now - timedelta(days=30),
        )
        assert (report.articles, report.feed_entries) == (2, 0) and report.stories >= 1
        assert await count(db, Story) == 0
        assert await count(db, FeedEntry) == 2
        # The feed still lists both old items, and one new one.
        serve_items(server, ["a", "b", "c"])
        second = await collector.collect_all()

    assert second.new == 1
    assert [a.url for a in await articles(db)] == [server.url("/pages/c.html")]


async def test_a_pass_is_counted_in_the_metrics(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    url = serve_items(server, ["m1", "m2", "m3"])
    broken = server.url("/broken.xml")
    server.fail("/broken.xml", 500)
    await add_feeds(db, "harbor", [url, broken])
    before = {
        "ok": sample("newsbrief_feeds_checked_total", outcome="ok"),
        "error": sample("newsbrief_feeds_checked_total", outcome="error"),
        "failed": sample("newsbrief_feeds_failed_total"),
        "stored": sample("newsbrief_articles_stored_total"),
        "clustered": sample("newsbrief_clustering_seconds_count"),
        "summarised": sample("newsbrief_summary_seconds_count", kind="article"),
        "not_modified": sample("newsbrief_feeds_checked_total", outcome="not_modified"),
    }
    async with Collector(db, options, executor=process_pool) as collector:
        await collector.collect_all()
        await collector.collect_all()  # the feed answers 304 now; the broken one fails again

    assert sample("newsbrief_feeds_checked_total", outcome="ok") - before["ok"] == 1
    assert (
        sample("newsbrief_feeds_checked_total", outcome="not_modified") - before["not_modified"]
        == 1
    )
    assert sample("newsbrief_feeds_checked_total", outcome="error") - before["error"] == 2
    assert sample("newsbrief_feeds_failed_total") - before["failed"] == 2
    assert sample("newsbrief_articles_stored_total") - before["stored"] == 3
    assert sample("newsbrief_clustering_seconds_count") - before["clustered"] == 3
    assert sample("newsbrief_summary_seconds_count", kind="article") - before["summarised"] == 3
    # Our registry is our own: nothing of it leaks into prometheus-client's default one.
    assert DEFAULT_REGISTRY.get_sample_value("newsbrief_articles_stored_total") is None
