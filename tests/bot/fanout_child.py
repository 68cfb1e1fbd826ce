"""A bot process for the kill test: fans out the 08:00 slot until it is killed (SIGKILL)."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

from bot.app import build_application
from bot.context import services
from bot.settings import load_settings
from storage.db import Database

SLOT_TIME = datetime(2026, 3, 2, 8, 0, 5, tzinfo=UTC)


async def main(database_url: str, api_url: str, token: str) -> None:
    """Start the bot, queue the slot, deliver, and wait to be killed."""
    settings = load_settings(
        bot_token=token,
        telegram_api_url=api_url,
        database_url=database_url,
        rate_limit_per_second=0,
        delivery_concurrency=4,
        delivery_batch_size=8,
    )
    db = Database(database_url)
    app = build_application(settings, db, clock=lambda: SLOT_TIME, schedule_jobs=False)
    async with app:
        await app.start()
        await services(app).scheduler.tick()
        services(app).worker.wake()
        print("started", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
