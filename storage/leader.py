"""Who runs the ticks: a PostgreSQL advisory lock held on a connection of its own.

The slot tick, housekeeping and the admins' notices must run on exactly one process at a time.
The process that holds the session-level advisory lock is the leader; the lock goes with its
connection, so when the process dies (or its connection is cut) PostgreSQL releases it at once
and the next process to ask, at its next tick, takes over. No broker, no consensus of our own.
On SQLite there is only one process, and it always leads.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database

log = logging.getLogger(__name__)

# Advisory lock keys of newsbrief: arbitrary, fixed. Advisory locks are database-wide, so each
# is taken together with a hash of the schema: installations in two schemas of one database
# (and parallel test runs) each have their own.
TICK_LOCK = 0x6E77_0001
MIGRATION_LOCK = 0x6E77_0002
STORY_LOCK = 0x6E77_0003  # collectors placing articles in stories, one write at a time
TRY_LOCK = text("SELECT pg_try_advisory_lock(:key, hashtext(coalesce(current_schema(), '')))")
LOCK = text("SELECT pg_advisory_lock(:key, hashtext(coalesce(current_schema(), '')))")
# Held until the transaction ends (commit, rollback, or a dropped connection).
XACT_LOCK = text("SELECT pg_advisory_xact_lock(:key, hashtext(coalesce(current_schema(), '')))")
UNLOCK = text("SELECT pg_advisory_unlock(:key, hashtext(coalesce(current_schema(), '')))")


class LeaderLock:
    """`await lock.holding()` says whether this process leads now, taking the lock if free."""

    def __init__(self, db: Database, key: int = TICK_LOCK) -> None:
        self.db = db
        self.key = key
        self._connection: AsyncConnection | None = None

    async def holding(self) -> bool:
        """True if this process holds the lock (taken now, or still held on a live connection)."""
        if self.db.dialect != "postgresql":
            return True
        if self._connection is not None:
            try:
                await self._connection.execute(text("SELECT 1"))
                await self._connection.commit()  # never left idle in a transaction
                return True
            except Exception as exc:  # the connection was cut: so was the lock
                log.warning("lost the tick lock with its connection (%s)", exc)
                await self._close()
        try:
            connection = await self.db.engine.connect()
        except Exception as exc:
            log.warning("cannot reach the database to take the tick lock (%s)", exc)
            return False
        try:
            taken = await connection.scalar(TRY_LOCK, {"key": self.key})
            await connection.commit()  # a session lock survives; no transaction stays open
        except Exception as exc:
            log.warning("could not ask for the tick lock (%s)", exc)
            await _close_quietly(connection)
            return False
        if not taken:
            await _close_quietly(connection)
            return False
        log.info("this process now runs the ticks (slot tick, housekeeping, notices)")
        self._connection = connection
        return True

    async def release(self) -> None:
        """Give the lock up (a clean stop): another process takes over at its next tick."""
        await self._close()

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await _close_quietly(connection)


async def _close_quietly(connection: Any) -> None:
    try:
        await connection.close()
    except Exception:  # already broken
        log.debug("closing a broken connection failed", exc_info=True)
