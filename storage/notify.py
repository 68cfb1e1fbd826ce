"""Waking delivery workers in other processes: PostgreSQL's LISTEN/NOTIFY.

A `/briefing` taken by the process that answers updates, or a slot queued by the tick leader,
must not wait for a delivery worker's next poll (seconds) to go out. The transaction that queues
deliveries also notifies (delivered at its commit, and only if it commits); every delivery
worker listens on a connection of its own and looks at the queue at once. On SQLite there is
one process, which wakes its worker directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)

CHANNEL = "newsbrief_deliveries"
RECONNECT_SECONDS = 2.0


async def announce_deliveries(session: AsyncSession) -> None:
    """Tell every listening worker, when this transaction commits, that deliveries are due."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


def _conninfo(database_url: str) -> str:
    """A libpq URI for psycopg itself (SQLAlchemy's driver name and password kept out of logs)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class DeliveryListener:
    """Calls `wake()` whenever deliveries are announced; reconnects if the connection drops."""

    def __init__(self, database_url: str, wake: Callable[[], None]) -> None:
        self.database_url = database_url
        self.wake = wake
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Listen in a background task (PostgreSQL only; a no-op elsewhere)."""
        if make_url(self.database_url).get_backend_name() != "postgresql":
            return
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._listen_forever(), name="delivery-listener")

    async def stop(self) -> None:
        """Stop listening."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _listen_forever(self) -> None:
        import psycopg

        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    _conninfo(self.database_url), autocommit=True
                ) as connection:
                    await connection.execute(f"LISTEN {CHANNEL}")
                    self.wake()  # anything queued while we were not listening
                    async for _notice in connection.notifies():
                        self.wake()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database went away: the worker's poll covers it
                log.warning("delivery listener: %s; listening again shortly", exc)
            await asyncio.sleep(RECONNECT_SECONDS)
