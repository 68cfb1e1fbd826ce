"""A database filled with explicit ids (the delivery benchmark's seed) still takes new rows."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from storage.db import Database
from storage.subscribers import register_subscriber
from storage.topics import add_topic

REPOSITORY = Path(__file__).resolve().parents[2]


async def test_after_the_benchmark_seed_a_new_chat_can_start(database_url: str) -> None:
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "benchmarks/delivery_child.py", "seed", database_url, "3"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    db = Database(database_url)
    try:
        async with db.session() as session:  # what /start and /addtopic do
            subscriber, created = await register_subscriber(
                session,
                555,
                chat_type="private",
                name="New reader",
                timezone="UTC",
                minutes=[480],
                now=datetime(2026, 3, 2, tzinfo=UTC),
            )
            topic = await add_topic(session, "Weather")
        assert created and subscriber.id == 4  # after the three seeded subscribers
        assert topic.id == 6  # after the five seeded topics
    finally:
        await db.dispose()
