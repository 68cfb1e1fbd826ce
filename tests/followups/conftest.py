"""The real bot against the fake Bot API server, on SQLite and PostgreSQL (the `db` fixture)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sandbox.fake_bot_api import FakeBotAPI
from storage.db import Database
from tests.bot.conftest import FakeClock, RunningBot, make_settings


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    """A fake Telegram Bot API server on 127.0.0.1."""
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
def clock() -> FakeClock:
    """A hand-moved clock starting Monday 2 March 2026, 06:00 UTC."""
    return FakeClock()


@pytest.fixture
async def bot(api: FakeBotAPI, db: Database, clock: FakeClock) -> AsyncIterator[RunningBot]:
    """The bot running against the fake server, on each configured database."""
    async with RunningBot(api, make_settings(api, db.url), db, clock) as running:
        yield running
