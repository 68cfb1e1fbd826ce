"""Benchmark of issue 4: one collection pass over 1,000 feeds x 20 items against one at a time.

Runs the feed server (benchmarks/bench_server.py) in its own process with a per-response latency
(default 100 ms, a quick real news site), then in the same run:

1. a concurrent pass over every feed (the collector's defaults: 32 at a time, 4 per host) into
   a fresh SQLite database: wall time, peak RSS of this process and of the worker processes;
2. a second pass: every feed must answer 304, no feed body is transferred, nothing is stored;
3. the baseline: the same collector with concurrency 1 (feeds and pages one at a time) over a
   sample of the feeds; its time per feed is extrapolated to all feeds (a full one-at-a-time
   run takes most of an hour - stated in the output and docs/collector.md);
4. cost per new article (fetch + extract + summarise + store) one at a time with no added latency:
   the median over feeds of feed time / new articles.

    .venv/bin/python benchmarks/bench_collect.py            # the full figures (~10 min)
    .venv/bin/python benchmarks/bench_collect.py --feeds 50 --sample 10   # a quick check
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from collector.service import Collector, CollectReport, make_process_pool
from sandbox.collector_options import CollectorOptions
from storage.clock import utcnow
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Article, Feed, FeedEntry, Story, Topic

REPO = Path(__file__).resolve().parent.parent


class BenchServer:
    """The feed server subprocess."""

    def __init__(self, feeds: int, items: int, hosts: int, latency_ms: float) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(REPO / "benchmarks" / "bench_server.py"),
                f"--feeds={feeds}",
                f"--items={items}",
                f"--hosts={hosts}",
                f"--latency-ms={latency_ms}",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"bench server did not start: {line!r}")
        self.port = int(line.split()[1])
        self.hosts = hosts

    def feed_url(self, feed: int) -> str:
        """The URL of feed number `feed`."""
        return f"http://127.0.0.{1 + feed % self.hosts}:{self.port}/feeds/{feed}.xml"

    def get(self, path: str) -> dict[str, Any]:
        """GET a JSON control endpoint."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=30) as answer:
            return json.loads(answer.read())

    def stop(self) -> None:
        """Stop the server process."""
        self.process.terminate()
        self.process.wait(timeout=10)


class WorkerMemory:
    """Samples the resident memory of the pool's worker processes (they are replaced over time)."""

    def __init__(self, pool: ProcessPoolExecutor) -> None:
        self.pool = pool
        self.peak_each_kb = 0
        self.peak_total_kb = 0
        self._task: asyncio.Task[None] | None = None

    async def _sample(self) -> None:
        while True:
            sizes = [_rss_kb(pid) for pid in list(getattr(self.pool, "_processes", {}) or {})]
            sizes = [s for s in sizes if s]
            if sizes:
                self.peak_each_kb = max(self.peak_each_kb, *sizes)
                self.peak_total_kb = max(self.peak_total_kb, sum(sizes))
            await asyncio.sleep(0.25)

    def start(self) -> None:
        """Start sampling."""
        self._task = asyncio.get_running_loop().create_task(self._sample())

    def stop(self) -> None:
        """Stop sampling."""
        if self._task is not None:
            self._task.cancel()


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


async def fresh_database(directory: Path, name: str, urls: list[str]) -> Database:
    """A migrated SQLite database holding these feeds in one topic."""
    url = f"sqlite:///{directory / name}"
    upgrade(url)
    db = Database(url)
    now = utcnow()
    async with db.session() as session:
        topic = Topic(name="bench", title="Bench", keywords="harbor -sport", created_at=now)
        session.add(topic)
        await session.flush()
        session.add_all(
            Feed(url=u, topic_id=topic.id, next_check_at=now, created_at=now) for u in urls
        )
    return db


async def counts(db: Database) -> dict[str, int]:
    """Rows stored."""
    async with db.session() as session:
        return {
            "articles": int(await session.scalar(select(func.count(Article.id))) or 0),
            "feed_entries": int(await session.scalar(select(func.count(FeedEntry.id))) or 0),
            "stories": int(await session.scalar(select(func.count(Story.id))) or 0),
        }


def summarise(report: CollectReport) -> dict[str, Any]:
    """Status counts of a pass."""
    statuses: dict[str, int] = {}
    for result in report.results:
        statuses[result.status] = statuses.get(result.status, 0) + 1
    errors = [f"{r.url}: {r.error}" for r in report.results if r.error][:5]
    return {"new": report.new, "statuses": statuses, "first_errors": errors}


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every measurement, as a dict."""
    server = BenchServer(args.feeds, args.items, args.hosts, args.latency_ms)
    results: dict[str, Any] = {
        "feeds": args.feeds,
        "items_per_feed": args.items,
        "hosts": args.hosts,
        "latency_ms": args.latency_ms,
        "cpus": os.cpu_count(),
    }
    try:
        with tempfile.TemporaryDirectory() as tmp:
            directory = Path(tmp)
            urls = [server.feed_url(k) for k in range(args.feeds)]
            settings = CollectorOptions(allow_private_networks=True)
            results["concurrency"] = {
                "max_concurrency": settings.max_concurrency,
                "max_per_host": settings.max_per_host,
            }

            # 1 + 2: the concurrent pass, then the pass with nothing new.
            db = await fresh_database(directory, "concurrent.db", urls)
            server.get("/stats?reset=1")
            pool = make_process_pool()
            memory = WorkerMemory(pool)
            memory.start()
            async with Collector(db, settings, executor=pool) as collector:
                started = time.perf_counter()
                first = await collector.collect_all()
                first_seconds = time.perf_counter() - started
                memory.stop()
                results["main_max_rss_mb"] = round(
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
                )
                results["worker_peak_rss_mb"] = round(memory.peak_each_kb / 1024, 1)
                results["workers_peak_total_rss_mb"] = round(memory.peak_total_kb / 1024, 1)
                results["workers"] = pool._max_workers  # type: ignore[attr-defined]
                results["first_pass"] = {
                    "seconds": round(first_seconds, 1),
                    **summarise(first),
                    "server": server.get("/stats?reset=1"),
                    "stored": await counts(db),
                }
                before = await counts(db)
                started = time.perf_counter()
                second = await collector.collect_all()
                results["second_pass"] = {
                    "seconds": round(time.perf_counter() - started, 1),
                    **summarise(second),
                    "server": server.get("/stats?reset=1"),
                    "stored_difference": {k: v - before[k] for k, v in (await counts(db)).items()},
                }
            pool.shutdown()
            await db.dispose()
            print(json.dumps(results), file=sys.stderr, flush=True)

            # 3: the one-at-a-time baseline over a sample spread over every host.
            step = max(1, args.feeds // args.sample)
            sample = urls[::step][: args.sample]
            db = await fresh_database(directory, "sequential.db", sample)
            one_at_a_time = CollectorOptions(
                allow_private_networks=True, max_concurrency=1, max_per_host=1
            )
            async with Collector(db, one_at_a_time) as collector:
                started = time.perf_counter()
                baseline = await collector.collect_all()
                baseline_seconds = time.perf_counter() - started
            await db.dispose()
            per_feed = baseline_seconds / len(sample)
            sequential_estimate = per_feed * args.feeds
            results["one_at_a_time_sample"] = {
                "feeds": len(sample),
                "seconds": round(baseline_seconds, 1),
                "seconds_per_feed": round(per_feed, 3),
                **summarise(baseline),
                "extrapolated_seconds_for_all_feeds": round(sequential_estimate, 1),
            }
            results["speedup"] = round(sequential_estimate / first_seconds, 2)
            print(json.dumps(results), file=sys.stderr, flush=True)  # progress, in case of a stop

            # 4: cost per new article, one at a time, no added latency.
            server.get("/control?latency_ms=0")
            db = await fresh_database(directory, "cost.db", sample[: args.cost_feeds])
            async with Collector(db, one_at_a_time) as collector:
                costed = await collector.collect_all()
            await db.dispose()
            per_article = [r.seconds / r.new * 1000 for r in costed.results if r.new]
            results["cost_per_new_article_ms"] = {
                "median": round(statistics.median(per_article), 1),
                "feeds": len(per_article),
                "articles": costed.new,
            }
            concurrent_ms = first_seconds / max(1, first.new) * 1000
            results["concurrent_wall_ms_per_new_article"] = round(concurrent_ms, 1)
    finally:
        server.stop()
    return results


def main() -> None:
    """Run and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--hosts", type=int, default=20, help="loopback addresses = sites")
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--sample", type=int, default=50, help="feeds in the one-at-a-time run")
    parser.add_argument("--cost-feeds", type=int, default=10)
    parser.add_argument("--max-minutes", type=float, default=45.0)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    async def bounded() -> dict[str, Any]:
        async with asyncio.timeout(args.max_minutes * 60):
            return await run(args)

    results = asyncio.run(bounded())
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
