"""Group commit of delivery progress: every sent part is durable before the next one goes out.

Writing each Telegram message's id in its own transaction would cap fan-out at the database's
commit rate; here concurrent senders share commits. A sender's `write` returns only once its
change is committed, so the exactly-once bookkeeping is the same as one commit per message.
"""

from __future__ import annotations

import asyncio
import contextlib

from storage.db import Database
from storage.deliveries import Progress, record_progress

GATHER_SECONDS = 0.005


class ProgressWriter:
    """Collects `Progress` changes from many senders and commits them together."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._pending: list[tuple[Progress, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None
        self.commits = 0  # for benchmarks: how many transactions the changes took

    async def write(self, change: Progress) -> None:
        """Record `change`; returns once it is committed (raises if the commit failed)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        future.add_done_callback(_retrieve)  # no "exception never retrieved" if nobody waits
        self._pending.append((change, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush_all(), name="delivery-progress")
        # shield: a sender cancelled while waiting must not cancel the shared commit.
        await asyncio.shield(future)

    async def drain(self) -> None:
        """Wait until everything written so far is committed (used when stopping)."""
        while self._task is not None and not self._task.done():
            with contextlib.suppress(Exception):
                await asyncio.shield(self._task)

    async def _flush_all(self) -> None:
        while self._pending:
            # A few milliseconds let the other senders' changes join this commit: every
            # transaction costs several hops to the database thread, whatever its size.
            await asyncio.sleep(GATHER_SECONDS)
            batch, self._pending = self._pending, []
            try:
                async with self.db.session() as session:
                    await record_progress(session, [change for change, _ in batch])
                self.commits += 1
            except Exception as exc:  # the senders decide what a failed write means
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for _, future in batch:
                    if not future.done():
                        future.set_result(None)


def _retrieve(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()
