"""The two processes of the delivery benchmark: `seed` a database, `fanout` one slot from it.

Each runs in its own process so that `fanout` measures the bot alone: its CPU time and peak
memory are not mixed with building the test data or with the fake Telegram server.
Prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import resource
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

SLOT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
TOPICS = ("world", "tech", "science", "business", "sport")
STORIES_PER_TOPIC = 6


def seed(url: str, subscribers: int) -> dict[str, Any]:
    """Migrate and fill: topics, stories with articles, `subscribers` chats wanting 08:00 UTC."""
    from sqlalchemy import create_engine, insert

    from storage.db import sync_id_sequences, sync_url
    from storage.migrate import upgrade
    from storage.models import (
        Article,
        ArticleTopic,
        DeliveryTime,
        Story,
        Subscriber,
        Subscription,
        Topic,
    )

    upgrade(url)
    engine = create_engine(sync_url(url))
    fetched = SLOT - timedelta(hours=3)
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(
            insert(Topic),
            [
                {"id": i + 1, "name": n, "title": n.title(), "keywords": "", "created_at": fetched}
                for i, n in enumerate(TOPICS)
            ],
        )
        stories, articles, links = [], [], []
        story_id = 0
        for topic_id, topic in enumerate(TOPICS, start=1):
            for n in range(STORIES_PER_TOPIC):
                story_id += 1
                sentences = [
                    f"The {topic} desk reports development number {n} with some detail & context.",
                    f"Officials said the <change> would take effect within {n + 2} weeks.",
                    "Critics argued the plan left several important questions unanswered.",
                ]
                stories.append(
                    {
                        "id": story_id,
                        "title": f"{topic.title()} story {n}: a headline of typical length here",
                        "summary": "\n".join(sentences),
                        "source_count": 1 + n % 3,
                        "first_seen_at": fetched,
                        "updated_at": fetched,
                    }
                )
                for source in range(1 + n % 3):
                    url_ = f"https://outlet{source}.example/{topic}/{n}"
                    articles.append(
                        {
                            "id": len(articles) + 1,
                            "story_id": story_id,
                            "url": url_,
                            "title": stories[-1]["title"],
                            "source_name": f"Outlet {source}",
                            "published_at": fetched,
                            "fetched_at": fetched + timedelta(minutes=n),
                            "text": " ".join(sentences),
                            "text_source": "feed",
                            "summary": "\n".join(sentences),
                            "fingerprint": hashlib.sha256(url_.encode()).hexdigest(),
                        }
                    )
                    links.append({"article_id": len(articles), "topic_id": topic_id})
        connection.execute(insert(Story), stories)
        connection.execute(insert(Article), articles)
        connection.execute(insert(ArticleTopic), links)
        chunk = 10_000
        for start in range(0, subscribers, chunk):
            ids = range(start + 1, min(start + chunk, subscribers) + 1)
            connection.execute(
                insert(Subscriber),
                [
                    {
                        "id": i,
                        "chat_id": 1_000_000 + i,
                        "chat_type": "private",
                        "name": None,
                        "timezone": "UTC",
                        "status": "active",
                        "created_at": SLOT - timedelta(days=30),
                    }
                    for i in ids
                ],
            )
            connection.execute(
                insert(DeliveryTime), [{"subscriber_id": i, "minute_of_day": 480} for i in ids]
            )
            # Everyone follows one to three topics, so briefings differ between subscribers.
            connection.execute(
                insert(Subscription),
                [
                    {"subscriber_id": i, "topic_id": 1 + (i + k * 2) % len(TOPICS)}
                    for i in ids
                    for k in range(1 + i % 3)
                ],
            )
        # The ids above were given explicitly: PostgreSQL's sequences must learn of them, or
        # the next /start on this database collides with subscriber 1.
        sync_id_sequences(connection)
    engine.dispose()
    return {"subscribers": subscribers, "seconds": round(time.perf_counter() - started, 1)}


async def fanout(
    url: str, api_url: str, token: str, *, rate: float, seconds: float | None, backend: str
) -> dict[str, Any]:
    """Queue the 08:00 slot and deliver it (or for `seconds`); report time, CPU and memory."""
    from bot.app import build_application
    from bot.context import services
    from bot.settings import load_settings
    from storage.db import Database
    from storage.deliveries import advance_mark

    settings = load_settings(
        bot_token=token,
        telegram_api_url=api_url,
        database_url=url,
        rate_limit_per_second=rate,
        http_backend=backend,
    )
    db = Database(url)
    now = SLOT + timedelta(seconds=5)
    app = build_application(settings, db, clock=lambda: now, schedule_jobs=False)
    result: dict[str, Any] = {}
    async with app:
        await app.start()
        app_services = services(app)
        worker = app_services.worker
        async with db.session() as session:  # the previous tick ran a minute before
            await advance_mark(session, "delivery_tick", SLOT - timedelta(minutes=1))
        wall = time.perf_counter()
        report = await app_services.scheduler.tick()
        result["tick_seconds"] = round(time.perf_counter() - wall, 3)
        result["queued"] = report.queued
        wall, cpu = time.perf_counter(), time.process_time()
        if seconds is None:
            await worker.run_until_idle()
        else:
            worker.wake()
            await asyncio.sleep(seconds)
        elapsed, cpu_used = time.perf_counter() - wall, time.process_time() - cpu
        await app.stop()
    await db.dispose()
    messages = worker.counts["messages"]
    result.update(
        messages=messages,
        outcomes={k: v for k, v in worker.counts.items() if k != "messages"},
        progress_commits=worker.writer.commits,
        seconds=round(elapsed, 2),
        messages_per_second=round(messages / elapsed, 1),
        cpu_ms_per_message=round(1000 * cpu_used / max(messages, 1), 3),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )
    return result


def main() -> None:
    """`seed URL N` or `fanout URL API_URL TOKEN --rate R [--seconds S] [--backend B]`."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    seeding = commands.add_parser("seed")
    seeding.add_argument("url")
    seeding.add_argument("subscribers", type=int)
    sending = commands.add_parser("fanout")
    sending.add_argument("url")
    sending.add_argument("api_url")
    sending.add_argument("token")
    sending.add_argument("--rate", type=float, default=0)
    sending.add_argument("--seconds", type=float)
    sending.add_argument("--backend", choices=["aiohttp", "httpx"], default="aiohttp")
    args = parser.parse_args()
    if args.command == "seed":
        result = seed(args.url, args.subscribers)
    else:
        result = asyncio.run(
            fanout(
                args.url,
                args.api_url,
                args.token,
                rate=args.rate,
                seconds=args.seconds,
                backend=args.backend,
            )
        )
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
