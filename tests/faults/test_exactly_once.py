"""Exactly once under faults: each chat gets every part of its message once, none lost.

The PostgreSQL half runs two delivery processes on one database (tests/faults/worker_child.py)
against the fake Bot API, and breaks things while they fan out: a flood pause longer than the
lease, a kill -9, a database outage (through a TCP proxy that cuts every connection), and two
processes each sending at the full rate. Slow answers (Telegram delivers but answers after our
timeout) run in-process on both databases.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.formatting import MessagePart, dump_parts
from sandbox.fake_bot_api import FakeBotAPI
from sandbox.tcp_proxy import TcpProxy
from storage.clock import utcnow
from storage.db import Database
from storage.deliveries import enqueue_broadcast
from storage.models import Delivery, Subscriber
from tests.bot.conftest import FakeClock, RunningBot, make_settings
from tests.conftest import POSTGRES_URL

REPOSITORY = Path(__file__).resolve().parents[2]
PARTS = ("First part of the news.", "Second part of the news.")
LEASE_SECONDS = 10  # the shortest lease the settings allow: faults outlast it


async def queue_messages(db: Database, chats: range) -> None:
    """One two-part message due now for every chat (a broadcast row each)."""
    async with db.session() as session:
        session.add_all(
            Subscriber(chat_id=chat, chat_type="private", timezone="UTC", status="active",
                       created_at=utcnow())
            for chat in chats
        )  # fmt: skip
        await session.flush()
        payload = dump_parts([MessagePart(text) for text in PARTS])
        assert await enqueue_broadcast(session, payload, utcnow()) == len(chats)


def copies(api: FakeBotAPI, chats: range) -> dict[str, list[int]]:
    """Chats that got a part twice, and chats missing a part."""
    twice, missing = [], []
    for chat in chats:
        texts = [m.text for m in api.messages(chat)]
        if len(texts) > len(set(texts)):
            twice.append(chat)
        if set(PARTS) - set(texts):
            missing.append(chat)
    return {"twice": twice, "missing": missing}


@dataclass
class Workers:
    """Delivery processes on one database, with their stderr."""

    values: dict[str, Any]
    processes: list[asyncio.subprocess.Process] = field(default_factory=list)
    logs: list[bytes] = field(default_factory=list)

    async def start(self, count: int) -> None:
        """Start `count` workers and wait until each is up."""
        for _ in range(count):
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.faults.worker_child",
                json.dumps(self.values),
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=REPOSITORY,
                env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
            )
            self.processes.append(process)
        for process in self.processes:
            assert process.stdout is not None
            line = await asyncio.wait_for(process.stdout.readline(), 60)
            assert line.strip() == b"started", line

    async def stop(self) -> str:
        """SIGTERM (or kill) every worker; returns their logs."""
        for process in self.processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                _, err = await asyncio.wait_for(process.communicate(), 30)
            except TimeoutError:
                process.kill()
                _, err = await process.communicate()
            self.logs.append(err or b"")
        return b"\n".join(self.logs).decode("utf-8", "replace")


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    """The fake Bot API."""
    async with FakeBotAPI() as server:
        yield server


def worker_values(api: FakeBotAPI, url: str, **overrides: Any) -> dict[str, Any]:
    """Settings of a delivery process in these tests."""
    values: dict[str, Any] = {
        "bot_token": api.token,
        "telegram_api_url": api.base_url,
        "database_url": url,
        "rate_limit_per_second": 0,
        "delivery_lease_seconds": LEASE_SECONDS,
        "delivery_concurrency": 4,
        "delivery_batch_size": 8,
        "delivery_poll_seconds": 0.2,
    }
    values.update(overrides)
    return values


async def deliver_all(api: FakeBotAPI, chats: range, within: float) -> None:
    """Wait until every part reached its chat, then a little longer for late copies."""
    await api.wait_for_messages(None, len(chats) * len(PARTS), within=within)
    await asyncio.sleep(2.0)


async def statuses(db: Database) -> dict[str, int]:
    """Delivery rows by status."""
    async with db.session() as session:
        rows = await session.scalars(select(Delivery.status))
        found: dict[str, int] = {}
        for status in rows:
            found[status] = found.get(status, 0) + 1
    return found


@pytest.mark.postgres
@pytest.mark.slow
async def test_a_flood_pause_longer_than_the_lease_sends_nothing_twice(
    api: FakeBotAPI, pg_url: str
) -> None:
    chats = range(10_001, 10_201)
    db = Database(pg_url)
    await queue_messages(db, chats)
    # One 429 asking for longer than the lease, in the middle of the fan-out.
    api.fail(429, retry_after=LEASE_SECONDS + 5, after=150)
    workers = Workers(worker_values(api, pg_url))
    try:
        await workers.start(2)
        await deliver_all(api, chats, within=90)
    finally:
        logs = await workers.stop()
    assert copies(api, chats) == {"twice": [], "missing": []}, logs[-3000:]
    assert await statuses(db) == {"sent": len(chats)}
    await db.dispose()


@pytest.mark.postgres
@pytest.mark.slow
async def test_kill_9_mid_fan_out_loses_nothing_and_repeats_nothing(
    api: FakeBotAPI, pg_url: str
) -> None:
    chats = range(20_001, 20_201)
    db = Database(pg_url)
    await queue_messages(db, chats)
    api.hold("sendMessage", after=120)  # requests in flight when the kill comes never arrive
    workers = Workers(worker_values(api, pg_url))
    try:
        await workers.start(2)
        # Every sender of both workers is waiting on a request: each part that did arrive has
        # been recorded (the next one goes only after that). The milliseconds between
        # Telegram's answer and that commit are the window docs/bot.md names.
        await api.wait_for_held(2 * 4, within=60)
        workers.processes[0].kill()
        await workers.processes[0].wait()
        api.release()
        await deliver_all(api, chats, within=120)
    finally:
        logs = await workers.stop()
    assert copies(api, chats) == {"twice": [], "missing": []}, logs[-3000:]
    assert await statuses(db) == {"sent": len(chats)}
    await db.dispose()


@pytest.mark.postgres
@pytest.mark.slow
async def test_a_database_outage_mid_fan_out_pauses_sending_and_resumes(
    api: FakeBotAPI, pg_url: str
) -> None:
    chats = range(30_001, 30_301)
    db = Database(pg_url)
    await queue_messages(db, chats)
    target = make_url(POSTGRES_URL)
    async with TcpProxy(target.host or "127.0.0.1", target.port or 5432) as proxy:
        through_proxy = make_url(pg_url).set(host="127.0.0.1", port=proxy.port)
        url = through_proxy.render_as_string(hide_password=False)
        workers = Workers(worker_values(api, url))
        try:
            await workers.start(2)
            await api.wait_for_messages(None, 200, within=60)
            proxy.cut()
            cut_at = api.message_count
            await asyncio.sleep(6)  # the database is away for six seconds
            sent_while_cut = api.message_count - cut_at
            proxy.restore()
            await deliver_all(api, chats, within=120)
        finally:
            logs = await workers.stop()
    assert copies(api, chats) == {"twice": [], "missing": []}, logs[-3000:]
    # Only what was already on the wire when the connections dropped went out meanwhile.
    assert sent_while_cut <= 2 * 4, sent_while_cut
    assert "Task exception was never retrieved" not in logs
    assert "Traceback" not in logs, logs[-3000:]
    assert await statuses(db) == {"sent": len(chats)}
    await db.dispose()


@pytest.mark.postgres
@pytest.mark.slow
async def test_two_processes_at_full_rate_meet_429s_as_warnings(
    api: FakeBotAPI, pg_url: str
) -> None:
    """Two processes share one send budget, so only Telegram's own 429s (a flood it announces
    mid-run) stop them: each is retried after Telegram's delay, logged as one warning line,
    and nothing is sent twice."""
    api.enforce_limits = True
    chats = range(40_001, 40_161)
    db = Database(pg_url)
    await queue_messages(db, chats)
    values = worker_values(
        api, pg_url, rate_limit_per_second=28, delivery_concurrency=64, delivery_batch_size=64
    )
    api.fail(429, retry_after=1, times=10, after=60)  # a flood announced after 60 sends
    workers = Workers(values)
    try:
        await workers.start(2)
        await deliver_all(api, chats, within=120)
    finally:
        logs = await workers.stop()
    assert api.rejected_by_limits == 0, api.limit_refusals()  # none caused by our own rate
    assert copies(api, chats) == {"twice": [], "missing": []}, logs[-3000:]
    assert "Traceback" not in logs, logs[-3000:]
    assert logs.count("Telegram asks to wait") == 10, logs[-3000:]
    await db.dispose()


async def test_a_slow_answer_is_not_sent_again(api: FakeBotAPI, db: Database) -> None:
    """Telegram delivers but answers after our timeout: the part counts as sent, once."""
    chats = range(50_001, 50_007)
    await queue_messages(db, chats)
    api.slow(2.5, times=5)  # the first five sends are delivered, then answered too late
    settings = make_settings(api, db.url, delivery_send_timeout_seconds=1.0)
    clock = FakeClock(utcnow() + timedelta(seconds=1))
    async with RunningBot(api, settings, db, clock) as bot:
        await bot.services.worker.run_until_idle()
    await asyncio.sleep(3)  # the slow answers come back; nothing follows them
    assert copies(api, chats) == {"twice": [], "missing": []}
    async with db.session() as session:
        rows = list(await session.scalars(select(Delivery)))
    assert {row.status for row in rows} == {"sent"}
    unconfirmed = [row for row in rows if row.error and "did not answer" in row.error]
    assert len(unconfirmed) == 5, [row.error for row in rows]
    assert all("counted as sent, not resent" in (row.error or "") for row in unconfirmed)
