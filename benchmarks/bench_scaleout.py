"""Scale-out figures of issue 13, each setting against the others in the same run, on PostgreSQL.

1. **Delivery** (`--only delivery`): one broadcast to every subscriber, sent by 1, 2 and 3
   `newsbrief run --role delivery` processes, to the fake Bot API in its own process:
   - unthrottled (`NEWSBRIEF_RATE_LIMIT_PER_SECOND=0`): how fast the workers themselves go;
   - at the budget (28/s, the server enforcing Telegram's limits): the rate must stay the
     budget, whatever the number of workers, with zero 429s;
   - paid broadcast (`NEWSBRIEF_ALLOW_PAID_BROADCAST=true`, budget 900/s, limits enforced).
   Messages per second from the server's arrival times (first to last message).
2. **Collection** (`--only collect`): one pass over every feed of the benchmark feed server
   (benchmarks/bench_server.py, 100 ms per response) by 1 and by 2 `newsbrief collect`
   processes at once on one database: wall time, articles per second.
3. **Reservation cost** (`--only budget`): the latency of one shared-budget reservation
   (storage.send_budget) against a plain `SELECT 1` round trip on the same connection pool.

    .venv/bin/python benchmarks/bench_scaleout.py [--only delivery|collect|budget] [--json F]

Needs a PostgreSQL server ($NEWSBRIEF_TEST_DATABASE_URL or --database-url); each run makes a
database of its own there and drops it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_collect import BenchServer
from bench_delivery import TOKEN, FakeServerProcess, max_in_window
from chaos import scratch_database
from sqlalchemy import create_engine, func, insert, select, text

from bot.formatting import MessagePart, dump_parts
from sandbox.polling import wait_until
from sandbox.processes import CliProcess, cli_environment, run_cli
from storage.clock import utcnow
from storage.db import Database, sync_url
from storage.deliveries import enqueue_broadcast
from storage.models import Article, Feed, Subscriber, Topic
from storage.send_budget import SendBudget

WORKERS = (1, 2, 3)
MODES: dict[str, dict[str, Any]] = {
    # name: (messages, environment, limits enforced)
    "unthrottled": {"messages": 4000, "env": {"NEWSBRIEF_RATE_LIMIT_PER_SECOND": "0"}},
    "budget": {
        "messages": 700,
        "env": {"NEWSBRIEF_RATE_LIMIT_PER_SECOND": "28"},
        "limits": True,
    },
    "paid broadcast": {
        "messages": 4000,
        "env": {
            "NEWSBRIEF_ALLOW_PAID_BROADCAST": "true",
            "NEWSBRIEF_PAID_BROADCAST_PER_SECOND": "900",
        },
        "limits": True,
    },
}


def seed_subscribers(url: str, count: int) -> None:
    """`count` active private chats."""
    engine = create_engine(sync_url(url))
    now = utcnow()
    with engine.begin() as connection:
        connection.execute(
            insert(Subscriber),
            [
                {"chat_id": 10_000_000 + n, "chat_type": "private", "timezone": "UTC",
                 "status": "active", "created_at": now}
                for n in range(count)
            ],
        )  # fmt: skip
    engine.dispose()


async def deliver(server_url: str, mode: str, workers: int, workdir: Path) -> dict[str, Any]:
    """One broadcast through `workers` delivery processes; the server's view of it."""
    spec = MODES[mode]
    count = int(spec["messages"])
    with (
        scratch_database(server_url) as url,
        FakeServerProcess(enforce_limits=bool(spec.get("limits"))) as server,
    ):
        seed_subscribers(url, count)
        env = cli_environment(
            workdir,
            NEWSBRIEF_BOT_TOKEN=TOKEN,
            NEWSBRIEF_TELEGRAM_API_URL=server.base_url,
            NEWSBRIEF_DATABASE_URL=url,
            NEWSBRIEF_DELIVERY_CONCURRENCY="64",
            NEWSBRIEF_DELIVERY_BATCH_SIZE="64",
            **spec["env"],
        )
        processes = [
            await CliProcess.start(["run", "--role", "delivery", "--no-migrate"], env, workdir)
            for _ in range(workers)
        ]
        try:
            for process in processes:
                await process.wait_for_stderr("running as the delivery role", within=60)
            db = Database(url)
            async with db.session() as session:
                await enqueue_broadcast(session, dump_parts([MessagePart("Bench")]), utcnow())
            await db.dispose()
            with contextlib.suppress(TimeoutError):  # the figures say how many arrived
                await wait_until(
                    lambda: int(server.stats()["messages"]) >= count, every=0.5, within=600
                )
            stats = server.stats(times=True)
        finally:
            for process in processes:
                await process.stop()
    times = sorted(stats["sent_times"])
    return {
        "mode": mode,
        "workers": workers,
        "messages": len(times),
        "per_second": round((len(times) - 1) / (times[-1] - times[0]), 1),
        "max_in_any_second": max_in_window(times, 1.0),
        "429s": stats["status_counts"].get("429", 0),
        "load_average_1min_after": round(os.getloadavg()[0], 2),
    }


async def collect(server_url: str, processes: int, workdir: Path, feeds: int) -> dict[str, Any]:
    """One pass over every feed by `processes` concurrent `newsbrief collect` runs."""
    bench = BenchServer(feeds=feeds, items=10, hosts=20, latency_ms=100)
    try:
        with scratch_database(server_url) as url:
            engine = create_engine(sync_url(url))
            now = utcnow()
            with engine.begin() as connection:
                topic = connection.execute(
                    insert(Topic)
                    .values(name="bench", title="Bench", keywords="harbor -sport", created_at=now)
                    .returning(Topic.id)
                ).scalar_one()
                connection.execute(
                    insert(Feed),
                    [
                        {"url": bench.feed_url(n), "topic_id": topic, "next_check_at": now,
                         "created_at": now}
                        for n in range(feeds)
                    ],
                )  # fmt: skip
            env = cli_environment(
                workdir,
                NEWSBRIEF_DATABASE_URL=url,
                NEWSBRIEF_ALLOW_PRIVATE_NETWORKS="true",
            )
            started = time.monotonic()
            runs = await asyncio.gather(
                *(run_cli(["collect"], env, workdir, within=1800) for _ in range(processes))
            )
            seconds = time.monotonic() - started
            with engine.connect() as connection:
                articles = connection.scalar(select(func.count()).select_from(Article)) or 0
                checked = (
                    connection.scalar(
                        select(func.count())
                        .select_from(Feed)
                        .where(Feed.last_checked_at.is_not(None))
                    )
                    or 0
                )
            engine.dispose()
    finally:
        bench.stop()
    return {
        "processes": processes,
        "feeds": feeds,
        "feeds_checked": checked,
        "articles": articles,
        "seconds": round(seconds, 1),
        "articles_per_second": round(articles / seconds, 1),
        "exit_codes": [r.process.returncode for r in runs],
        "load_average_1min_after": round(os.getloadavg()[0], 2),
    }


async def reservation_cost(server_url: str, rounds: int = 2000) -> dict[str, Any]:
    """Milliseconds per reservation against a SELECT 1 on the same pool."""
    with scratch_database(server_url) as url:
        db = Database(url)
        budget = SendBudget(db, per_second=1_000_000)  # never waits: the statement's cost only
        reserve, select_one = [], []
        for n in range(rounds):
            started = time.perf_counter()
            await budget.reserve(n, 0.0)
            reserve.append(time.perf_counter() - started)
            started = time.perf_counter()
            async with db.engine.begin() as connection:
                await connection.execute(text("SELECT 1"))
            select_one.append(time.perf_counter() - started)
        await db.dispose()
    return {
        "reservation_ms_median": round(1000 * statistics.median(reserve), 3),
        "reservation_ms_p99": round(1000 * sorted(reserve)[int(rounds * 0.99)], 3),
        "select_1_ms_median": round(1000 * statistics.median(select_one), 3),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """The chosen parts, printed as they finish."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-scaleout-") as tmp:
        workdir = Path(tmp)
        if args.only in (None, "budget"):
            results["budget"] = await reservation_cost(args.database_url)
            print("budget:", json.dumps(results["budget"]), flush=True)
        if args.only in (None, "delivery"):
            results["delivery"] = []
            for mode in MODES:
                for workers in WORKERS:
                    row = await deliver(args.database_url, mode, workers, workdir)
                    results["delivery"].append(row)
                    print("delivery:", json.dumps(row), flush=True)
        if args.only in (None, "collect"):
            results["collect"] = []
            for processes in (1, 2):
                row = await collect(args.database_url, processes, workdir, args.feeds)
                results["collect"].append(row)
                print("collect:", json.dumps(row), flush=True)
    return results


def main() -> None:
    """Parse arguments, run, print (and write) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("NEWSBRIEF_TEST_DATABASE_URL", ""))
    parser.add_argument("--only", choices=["delivery", "collect", "budget"])
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        parser.error("needs a PostgreSQL server: --database-url or NEWSBRIEF_TEST_DATABASE_URL")
    results = asyncio.run(run(args))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
