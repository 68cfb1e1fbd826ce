"""Process roles: one SQLite process, or several roles on PostgreSQL sharing the work.

Every process here is a real `newsbrief run` (sandbox/processes.py) against the fake Bot API
and a real database; the test plays the users and breaks things.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from bot.formatting import MessagePart, dump_parts
from sandbox.fake_bot_api import FakeBotAPI
from sandbox.processes import CliProcess, cli_environment, run_cli
from storage.clock import utcnow
from storage.db import Database, sync_url
from storage.deliveries import enqueue_broadcast
from storage.migrate import current_revision, head_revision, upgrade
from storage.models import Delivery, Subscriber
from storage.topics import add_topic
from tests.conftest import POSTGRES_URL, _postgres_schema_url
from tests.faults.test_exactly_once import PARTS, copies

pytestmark = pytest.mark.slow


def _env(api: FakeBotAPI, url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return cli_environment(
        tmp_path,
        NEWSBRIEF_BOT_TOKEN=api.token,
        NEWSBRIEF_TELEGRAM_API_URL=api.base_url,
        NEWSBRIEF_DATABASE_URL=url,
        NEWSBRIEF_POLLING_TIMEOUT_SECONDS="1",
        NEWSBRIEF_DELIVERY_POLL_SECONDS="5",
        NEWSBRIEF_DELIVERY_TICK_SECONDS="1",
        **extra,
    )


async def test_a_second_process_on_one_sqlite_file_refuses_and_touches_nothing(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'one.db'}"
    upgrade(url)
    db = Database(url)
    async with db.session() as session:  # a briefing the first process is sending right now
        session.add(
            Subscriber(
                chat_id=9, chat_type="private", timezone="UTC", status="active",
                created_at=utcnow(),
            )
        )  # fmt: skip
        await session.flush()
        await enqueue_broadcast(session, dump_parts([MessagePart("hi")]), utcnow())
    async with FakeBotAPI() as api:
        api.hold("sendMessage")  # the first process's send never returns
        first = await CliProcess.start(["run"], _env(api, url, tmp_path), tmp_path)
        try:
            await api.wait_for_held(1, within=30)
            second = await run_cli(["run"], _env(api, url, tmp_path), tmp_path)
            assert second.process.returncode == 2
            (line,) = second.stderr
            assert re.match(
                r"newsbrief: the SQLite database .*one\.db is in use by process \d+: SQLite "
                r"serves one newsbrief process; stop the other one, or use PostgreSQL",
                line,
            ), line
            async with db.session() as session:
                (row,) = (await session.scalars(select(Delivery))).all()
            assert row.status == "sending" and row.claim_token  # still the first one's
        finally:
            api.release()
            await first.stop()
    await db.dispose()


async def test_roles_of_several_processes_need_postgresql(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'one.db'}"
    async with FakeBotAPI() as api:
        done = await run_cli(["run", "--role", "delivery"], _env(api, url, tmp_path), tmp_path)
    assert done.process.returncode == 2
    assert "--role delivery needs PostgreSQL" in done.output


async def test_no_migrate_refuses_an_older_schema_and_names_the_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0004")
    async with FakeBotAPI() as api:
        done = await run_cli(["run", "--no-migrate"], _env(api, url, tmp_path), tmp_path)
    assert done.process.returncode == 2
    assert f"the database schema is at 0004 but this newsbrief needs {head_revision()}" in (
        done.output
    )
    assert "run `newsbrief db upgrade`" in done.output
    assert current_revision(url) == "0004"  # it did not migrate


@pytest.mark.postgres
async def test_processes_starting_together_migrate_one_at_a_time(tmp_path: Path) -> None:
    if not POSTGRES_URL:
        pytest.skip("needs PostgreSQL")
    # An empty schema of its own (the pg_url fixture would hand it over migrated).
    schema = f"m_{uuid.uuid4().hex[:16]}"
    admin = create_engine(sync_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = _postgres_schema_url(schema)
    try:
        env = cli_environment(tmp_path, NEWSBRIEF_DATABASE_URL=url)
        runs = await asyncio.gather(*(run_cli(["db", "upgrade"], env, tmp_path) for _ in range(3)))
        assert [r.process.returncode for r in runs] == [0, 0, 0], [r.output for r in runs]
        assert current_revision(url) == head_revision()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.mark.postgres
async def test_the_tick_lock_changes_hands_when_its_holder_dies(
    tmp_path: Path, pg_url: str
) -> None:
    async with FakeBotAPI() as api:
        env = _env(api, pg_url, tmp_path)
        workers = [
            await CliProcess.start(["run", "--role", "delivery", "--no-migrate"], env, tmp_path)
            for _ in range(2)
        ]
        try:
            waits = [
                asyncio.ensure_future(w.wait_for_stderr("now runs the ticks", within=30))
                for w in workers
            ]
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            for wait in waits:
                wait.cancel()
            (leader,) = [w for w in workers if "now runs the ticks" in w.output]
            (other,) = [w for w in workers if w is not leader]
            leader.kill()  # kill -9: its connection, and the lock, go with it
            killed_at = time.monotonic()
            await other.wait_for_stderr("now runs the ticks", within=10)
            handover = time.monotonic() - killed_at
            assert handover < 3.0, handover  # within one tick (1 s here) and a little
        finally:
            for worker in workers:
                if worker.process.returncode is None:
                    await worker.stop()


@pytest.mark.postgres
async def test_updates_and_delivery_processes_share_the_work(tmp_path: Path, pg_url: str) -> None:
    db = Database(pg_url)
    async with db.session() as session:
        await add_topic(session, "World")
    async with FakeBotAPI() as api:
        env = _env(api, pg_url, tmp_path)
        updates = await CliProcess.start(
            ["run", "--role", "updates", "--no-migrate"], env, tmp_path
        )
        delivery = await CliProcess.start(
            ["run", "--role", "delivery", "--no-migrate"], env, tmp_path
        )
        try:
            await updates.wait_for_stderr("long polling", within=30)
            api.inject_message(77, "/start")
            await api.wait_for_messages(77, 1, within=20)
            api.inject_message(77, "/subscribe world")
            await api.wait_for_messages(77, 2, within=20)
            asked = time.monotonic()
            api.inject_message(77, "/briefing")
            (nothing,) = (await api.wait_for_messages(77, 3, within=20))[2:]
            # The delivery process answered, woken at once through the database (it polls
            # only every 5 s).
            assert nothing.plain_text.startswith("Nothing new")
            assert nothing.at - asked < 2.0
        finally:
            await updates.stop()
            await delivery.stop()
    await db.dispose()


@pytest.mark.postgres
async def test_three_delivery_workers_share_one_send_budget(tmp_path: Path, pg_url: str) -> None:
    chats = range(60_001, 60_151)
    db = Database(pg_url)
    async with db.session() as session:
        session.add_all(
            Subscriber(chat_id=c, chat_type="private", timezone="UTC", status="active",
                       created_at=utcnow())
            for c in chats
        )  # fmt: skip
        await session.flush()
    async with FakeBotAPI(enforce_limits=True) as api:  # Telegram's limits, strictly
        env = _env(
            api,
            pg_url,
            tmp_path,
            # Under the default 28: the test machine runs other tests beside these three
            # processes, and its scheduling jitter bunches messages more than a server's does.
            NEWSBRIEF_RATE_LIMIT_PER_SECOND="25",
            NEWSBRIEF_DELIVERY_CONCURRENCY="64",
            NEWSBRIEF_DELIVERY_BATCH_SIZE="64",
        )
        workers = [
            await CliProcess.start(["run", "--role", "delivery", "--no-migrate"], env, tmp_path)
            for _ in range(3)
        ]
        try:
            for worker in workers:
                await worker.wait_for_stderr("running as the delivery role", within=30)
            async with db.session() as session:
                await enqueue_broadcast(
                    session, dump_parts([MessagePart(t) for t in PARTS]), utcnow()
                )
            messages = await api.wait_for_messages(None, 2 * len(chats), within=120)
            await asyncio.sleep(2)
        finally:
            for worker in workers:
                await worker.stop()
    # zero 429s: the three stayed within one budget
    assert api.rejected_by_limits == 0, api.limit_refusals()
    assert copies(api, chats) == {"twice": [], "missing": []}
    times = sorted(m.at for m in messages)
    rate = (len(times) - 1) / (times[-1] - times[0])
    assert 25 * 0.9 <= rate <= 25 * 1.05, rate  # the budget, not 3 x 25
    async with db.session() as session:
        statuses = set((await session.scalars(select(Delivery.status))).all())
    assert statuses == {"sent"}
    await db.dispose()
