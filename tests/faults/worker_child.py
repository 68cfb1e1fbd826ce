"""A delivery-only bot process for the fault tests: works the queue until killed or SIGTERM.

    python -m tests.faults.worker_child '<json settings>'

The settings are NEWSBRIEF_* values (lower case, without the prefix). The process runs the real
application (rate limiter, delivery worker, lease heartbeat) with the real clock, without
polling for updates, and logs to stderr for the test to read.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys

from bot.app import build_application
from bot.settings import load_settings
from storage.db import Database


async def main(values: dict[str, object]) -> None:
    """Run until SIGTERM."""
    settings = load_settings(**values)
    db = Database(settings.database_url)
    app = build_application(settings, db, schedule_jobs=False)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with app:
        await app.start()
        print("started", flush=True)
        await stop.wait()
        await app.stop()
    await db.dispose()


if __name__ == "__main__":
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    asyncio.run(main(json.loads(sys.argv[1])))
