"""Claiming feeds: a lease per feed, so concurrent workers never check the same feed twice."""

from __future__ import annotations

import asyncio
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta

import pytest

from collector.service import Collector
from sandbox.collector_options import CollectorOptions
from sandbox.feed_server import LocalFeedServer
from storage.clock import utcnow
from storage.db import Database
from storage.feed_schedule import claim_feeds
from tests.collector.helpers import add_feeds, articles, rss


async def test_claims_are_exclusive_until_the_lease_ends(db: Database) -> None:
    await add_feeds(db, "local", [f"https://feeds.example/{n}.xml" for n in range(5)])
    now = utcnow()
    lease = now + timedelta(minutes=30)
    async with db.session() as session:
        first = await claim_feeds(session, now=now, lease_until=lease, limit=3)
    async with db.session() as session:
        second = await claim_feeds(session, now=now, lease_until=lease, limit=3)
    async with db.session() as session:
        none_left = await claim_feeds(session, now=now, lease_until=lease, limit=3)
    assert len(first) == 3 and len(second) == 2 and none_left == []
    assert {f.id for f in first}.isdisjoint(f.id for f in second)
    # A crashed worker's leases expire and the feeds are claimed again.
    async with db.session() as session:
        after = await claim_feeds(
            session, now=lease + timedelta(seconds=1), lease_until=lease + timedelta(hours=1),
            limit=10,
        )  # fmt: skip
    assert len(after) == 5


async def test_feeds_not_yet_due_are_not_claimed(db: Database) -> None:
    await add_feeds(db, "local", ["https://feeds.example/a.xml"])
    now = utcnow()
    async with db.session() as session:
        early = await claim_feeds(
            session, now=now - timedelta(hours=1), lease_until=now + timedelta(minutes=5), limit=5
        )
    assert early == []


@pytest.mark.postgres
async def test_two_collectors_at_once_never_fetch_the_same_feed(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("several workers share one database only on PostgreSQL")
    feeds = []
    for n in range(12):
        server.add(f"/f{n}.xml", rss(f"Feed {n}", [(f"g{n}", server.url(f"/p/{n}.html"), "A.")]))
        feeds.append(server.url(f"/f{n}.xml"))
    await add_feeds(db, "local", feeds)
    other = Database(db.url)
    try:
        async with (
            Collector(db, options, executor=process_pool) as first,
            Collector(other, options, executor=process_pool) as second,
        ):
            reports = await asyncio.gather(first.collect_due(), second.collect_due())
    finally:
        await other.dispose()
    checked = [r.url for report in reports for r in report.results]
    assert sorted(checked) == sorted(feeds)  # every feed once, by one of the two
    fetched = {n: len(server.requests_for(f"/f{n}.xml")) for n in range(12)}
    assert fetched == dict.fromkeys(range(12), 1), server.requests
    assert [r.error for report in reports for r in report.results if r.error] == []
    assert len(await articles(db)) == 12
