"""One send budget for every process: each message reserves its slot in PostgreSQL.

Telegram allows about 30 messages a second per bot (1,000 with paid broadcast), one a second
in a chat and twenty a minute in a group. Several delivery workers and the process answering
updates share those limits, so each message reserves, in one statement, the next free instant
of the bot-wide limit and of its chat's limit, and waits until then. The rows are the whole
state: no broker, no leader, and a process that dies holds nothing. Clock skew between machines
does not matter: PostgreSQL's clock hands out the slots and the waits are relative to it.

Measured (docs/benchmarks.md): one reservation is about a millisecond on a local server, far
below the 33 ms a message may take at 30 messages a second.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import delete, text

from storage.db import Database
from storage.models import SendSlot
from telemetry import metrics

GLOBAL = "global"

# One statement: the next bot-wide slot, and the chat's slot at the same instant if the chat is
# free by then. Times are PostgreSQL's clock read after each row lock was taken, so a statement
# that queued behind other processes' reservations does not send early or late by its queueing
# time. When the chat is busy (another process sent to it within its interval), the bot-wide slot
# is left unused rather than spent at another instant: the message retries at the chat's time.
_RESERVE = text(
    """
    WITH bot AS (
        INSERT INTO send_slots (key, free_at)
        VALUES (:global_key, clock_timestamp() + make_interval(secs => :every))
        ON CONFLICT (key) DO UPDATE SET free_at =
            greatest(send_slots.free_at, clock_timestamp()) + make_interval(secs => :every)
        RETURNING free_at - make_interval(secs => :every) AS at
    ),
    chat AS (
        INSERT INTO send_slots (key, free_at)
        SELECT :chat_key, bot.at + make_interval(secs => :chat_every) FROM bot
        ON CONFLICT (key) DO UPDATE SET free_at = excluded.free_at
        WHERE send_slots.free_at <= excluded.free_at - make_interval(secs => :chat_every)
        RETURNING free_at
    )
    SELECT extract(epoch FROM (SELECT at FROM bot) - clock_timestamp()) AS wait,
           EXISTS (SELECT 1 FROM chat) AS granted,
           extract(epoch FROM (SELECT free_at FROM send_slots WHERE key = :chat_key)
                               - clock_timestamp()) AS chat_free_in
    """
)

# A chat another process keeps busy for longer than this many tries is sent to anyway (its
# messages are already a chat interval apart in this process).
_CHAT_TRIES = 5


class SendBudget:
    """Reserves message slots shared by every process on one PostgreSQL database."""

    def __init__(self, db: Database, per_second: float) -> None:
        self.db = db
        self.per_second = per_second
        self.every = 1.0 / per_second
        metrics.set_send_budget(0.0, per_second)

    async def reserve(self, chat_id: int | str, chat_every: float) -> float:
        """Seconds to wait before a message to `chat_id` may go (0 if now), its slot taken.

        When the chat is busy until later, this waits for it and reserves again."""
        params = {
            "global_key": GLOBAL,
            "every": self.every,
            "chat_key": f"chat:{chat_id}",
            "chat_every": chat_every,
        }
        for _ in range(_CHAT_TRIES):
            async with self.db.engine.begin() as connection:
                wait, granted, chat_free_in = (await connection.execute(_RESERVE, params)).one()
            wait = float(wait or 0.0)
            # In use: the messages of every process booked within the coming second, per second.
            booked = max(wait + self.every, 0.0) * self.per_second
            metrics.set_send_budget(min(self.per_second, booked))
            if granted:
                break
            await asyncio.sleep(max(float(chat_free_in or 0.0), 0.0))
        return max(wait, 0.0)


async def prune_send_slots(db: Database, now: datetime) -> int:
    """Delete chats' slots long past (housekeeping): a chat quiet for an hour starts afresh."""
    async with db.session() as session:
        result = await session.execute(
            delete(SendSlot).where(
                SendSlot.key != GLOBAL, SendSlot.free_at < now - timedelta(hours=1)
            )
        )
    return result.rowcount or 0
