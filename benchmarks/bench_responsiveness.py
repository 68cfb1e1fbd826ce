"""Responsiveness under load: how long a user waits for a reply while other chats are busy.

    .venv/bin/python benchmarks/bench_responsiveness.py [--subscribers 5000] [--json out.json]

The real bot (the application `newsbrief run` builds, long polling) against the fake Bot API
enforcing Telegram's limits (30 messages/s overall, 1/s per chat), with the bot's own limiter
at its default 28/s, on SQLite. A reply's wait is measured from the moment its update is
injected to the moment the fake server accepted the reply (both `time.monotonic()` in this
process). Three scenarios:

1. 200 different chats each send /help within one second: every reply's wait (Telegram's
   limit allows the 200 within about 7 s);
2. one chat sends 20 commands within 2 s while another sends /help half a second in: that
   /help's wait;
3. during a fan-out to `--subscribers` chats at the budget (a broadcast row each, one message,
   sent by the real delivery worker), 50 /help from other chats spread over the slot: their
   waits, and the fan-out checked: every subscriber got its message exactly once, no 429.

With `--postgres URL` a fourth: the same fan-out and questions across processes, as
`newsbrief run --role …` deploys them: one updates process and `--delivery-processes` delivery
processes sharing one send budget in the database (a schema of its own, dropped at the end).

Median and p99 of the waits are reported; run it on two checkouts to compare before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.app import build_application
from bot.context import services
from bot.formatting import MessagePart, dump_parts
from bot.settings import load_settings
from sandbox.fake_bot_api import FakeBotAPI
from storage.clock import utcnow
from storage.db import Database
from storage.deliveries import enqueue_broadcast
from storage.migrate import upgrade
from storage.models import Subscriber

FIRST_CHAT = 1_000_000


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def figures(waits: list[float]) -> dict[str, float]:
    """Median, p99 and worst wait, in seconds."""
    return {
        "replies": len(waits),
        "median_s": round(statistics.median(waits), 3),
        "p99_s": round(percentile(waits, 0.99), 3),
        "max_s": round(max(waits), 3),
    }


async def wait_for_reply(api: FakeBotAPI, chat: int, before: int, within: float) -> float:
    """When the chat's next message arrived (time.monotonic())."""
    messages = await api.wait_for_messages(chat, before + 1, within=within)
    return messages[before].at


async def many_chats(api: FakeBotAPI, chats: int = 200) -> dict[str, float]:
    """Scenario 1: `chats` chats each send /help within one second."""
    sent: dict[int, float] = {}
    for n in range(chats):
        chat = FIRST_CHAT + 10_000 + n
        sent[chat] = time.monotonic()
        api.inject_message(chat, "/help")
        await asyncio.sleep(1.0 / chats)
    arrived = await asyncio.gather(*(wait_for_reply(api, c, 0, 120) for c in sent))
    return figures([a - sent[c] for c, a in zip(sent, arrived, strict=True)])


async def one_busy_chat(api: FakeBotAPI) -> dict[str, float]:
    """Scenario 2: a chat sends 20 commands in 2 s; another sends /help 0.5 s in."""
    busy, other = FIRST_CHAT + 20_000, FIRST_CHAT + 20_001
    started = time.monotonic()
    for n in range(20):
        api.inject_message(busy, "/help")
        if n == 5:
            asked = time.monotonic()
            api.inject_message(other, "/help")
        await asyncio.sleep(0.1)
    arrived = await wait_for_reply(api, other, 0, 120)
    await api.wait_for_messages(busy, 20, within=120)
    return {"other_chat_wait_s": round(arrived - asked, 3), "busy_chat_done_s": round(
        api.messages(busy)[-1].at - started, 3)}  # fmt: skip


async def during_fan_out(
    app: Any, api: FakeBotAPI, db: Database, subscribers: int
) -> dict[str, Any]:
    """Scenario 3: a fan-out to `subscribers` chats at the budget, /help from 50 others."""
    async with db.session() as session:
        now = utcnow()
        session.add_all(
            Subscriber(chat_id=FIRST_CHAT + n, chat_type="private", timezone="UTC",
                       status="active", created_at=now)
            for n in range(subscribers)
        )  # fmt: skip
        await session.flush()
        payload = dump_parts([MessagePart("📰 <b>Breaking</b> Something happened.")])
        await enqueue_broadcast(session, payload, now)
    rejected_before = api.rejected_by_limits
    fan_out_started = time.monotonic()
    if app is not None:  # in this process; else the delivery processes poll the queue
        services(app).worker.wake()
    seconds = subscribers / 28.0
    asks: dict[int, float] = {}
    for n in range(50):
        await asyncio.sleep(seconds * 0.8 / 50)
        chat = FIRST_CHAT + 30_000 + n
        asks[chat] = time.monotonic()
        api.inject_message(chat, "/help")
    arrived = await asyncio.gather(*(wait_for_reply(api, c, 0, seconds * 3) for c in asks))
    if app is not None:
        await services(app).worker.run_until_idle()
    else:
        await api.wait_for_messages(None, subscribers + len(asks), within=seconds * 3)
        await asyncio.sleep(3)  # anything sent twice would arrive now
    got = [len(api.messages(FIRST_CHAT + n)) for n in range(subscribers)]
    return {
        **figures([a - asks[c] for c, a in zip(asks, arrived, strict=True)]),
        "fan_out_seconds": round(time.monotonic() - fan_out_started, 1),
        "subscribers_with_one_message": sum(1 for g in got if g == 1),
        "subscribers_with_more": sum(1 for g in got if g > 1),
        "subscribers_with_none": sum(1 for g in got if g == 0),
        "429s": api.rejected_by_limits - rejected_before,
    }


async def across_processes(
    url: str, subscribers: int, deliveries: int, workdir: Path
) -> dict[str, Any]:
    """Scenario 4: the fan-out by `deliveries` processes sharing one budget (PostgreSQL), and
    50 /help answered by the updates process meanwhile."""
    import uuid

    from sqlalchemy import create_engine, text

    from sandbox.processes import cli_environment
    from sandbox.roles import Deployment
    from storage.db import sync_url

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(sync_url(url))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    schema_url = f"{url}{separator}options=-csearch_path%3D{schema}"
    try:
        upgrade(schema_url)
        db = Database(schema_url)
        async with FakeBotAPI(enforce_limits=True, record_calls=False) as api:
            env = cli_environment(
                workdir,
                NEWSBRIEF_BOT_TOKEN=api.token,
                NEWSBRIEF_TELEGRAM_API_URL=api.base_url,
                NEWSBRIEF_DATABASE_URL=schema_url,
                NEWSBRIEF_POLLING_TIMEOUT_SECONDS="1",
                NEWSBRIEF_DELIVERY_POLL_SECONDS="1",
            )
            async with Deployment(env, workdir) as deployment:
                await deployment.start("updates")
                await deployment.start("delivery", deliveries)
                probe = FIRST_CHAT + 40_000
                await asyncio.sleep(3)
                api.inject_message(probe, "/help")
                await api.wait_for_messages(probe, 1, within=60)  # every process is up
                result = await during_fan_out(None, api, db, subscribers)
        await db.dispose()
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
    return {"delivery processes": deliveries, **result}


async def run(subscribers: int) -> dict[str, Any]:
    """Start the bot against the fake server and play the three scenarios."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="newsbrief-responsiveness-") as workdir:
        async with FakeBotAPI(enforce_limits=True, record_calls=False) as api:
            settings = load_settings(
                database_url=f"sqlite:///{Path(workdir) / 'bench.db'}",
                bot_token=api.token,
                telegram_api_url=api.base_url,
                delivery_poll_seconds=0.5,
                polling_timeout_seconds=5,
            )
            upgrade(settings.database_url)
            db = Database(settings.database_url)
            app = build_application(settings, db, schedule_jobs=False)
            async with app:
                await app.start()
                assert app.updater is not None
                await app.updater.start_polling(poll_interval=0.0, timeout=5)
                services(app).worker.start()
                try:
                    results["200 chats, one command each"] = await many_chats(api)
                    await asyncio.sleep(2)
                    results["one chat sends 20, another /help"] = await one_busy_chat(api)
                    await asyncio.sleep(2)
                    results[f"fan-out to {subscribers}, 50 /help"] = await during_fan_out(
                        app, api, db, subscribers
                    )
                finally:
                    await services(app).worker.stop()
                    await app.updater.stop()
                    await app.stop()
            await db.dispose()
    return results


def main() -> int:
    """Run the scenarios and print (and optionally save) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=5000)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--postgres", help="a PostgreSQL URL: also run across processes")
    parser.add_argument("--delivery-processes", type=int, default=3)
    parser.add_argument("--only-processes", action="store_true", help="skip scenarios 1-3")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    results = {} if args.only_processes else asyncio.run(run(args.subscribers))
    if args.postgres:
        with tempfile.TemporaryDirectory(prefix="newsbrief-responsiveness-") as workdir:
            results[f"{args.delivery_processes} delivery processes, fan-out to "
                    f"{args.subscribers}, 50 /help"] = asyncio.run(
                across_processes(
                    args.postgres, args.subscribers, args.delivery_processes, Path(workdir)
                )
            )  # fmt: skip
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
